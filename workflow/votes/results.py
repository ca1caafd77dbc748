"""Results of a round, computed (pure): each candidate's counts per level, the denominator the
rules name, the share of the level the outcomes read and the outcome that applies — or, for a
classification round, the level the ballots decide. Nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from workflow.votes.rules import fraction


@dataclass(frozen=True)
class Totals:
    """The round's ballots: summoned, attended, cast (collected, invalid included) and valid."""

    summoned: int
    attended: int
    cast: int
    valid: int

    def denominator(self, name: str) -> int:
        return {"cast": self.cast, "valid": self.valid, "summoned": self.summoned}[name]


@dataclass(frozen=True)
class CandidateResult:
    candidate_id: int
    counts: dict[str, int]
    denominator: int
    share: Fraction | None  # of the level the outcomes read (None: no ballots to count against)
    outcome: dict[str, Any] | None  # the outcome rule that applies, or None
    level: str | None = None  # classification: the level decided

    def share_of(self, level: str) -> Fraction | None:
        return Fraction(self.counts.get(level, 0), self.denominator) if self.denominator else None


def quorum_met(rules: Mapping[str, Any], summoned: int, attended: int) -> bool:
    """At least the quorum's share of those summoned attend (96-QĐ/TW: "ít nhất 2/3 số người được
    triệu tập có mặt"; its article is not verified, see config/votes.toml)."""
    return summoned > 0 and Fraction(attended, summoned) >= fraction(rules["quorum"], "quorum")


def quorum_needed(rules: Mapping[str, Any], summoned: int) -> int:
    """The fewest who must attend."""
    share = fraction(rules["quorum"], "quorum")
    needed = share * summoned
    return int(needed) if needed.denominator == 1 else int(needed) + 1


def matches(rule: Mapping[str, Any], share: Fraction) -> bool:
    if "above" in rule and not share > fraction(rule["above"], "above"):
        return False
    if "at_least" in rule and not share >= fraction(rule["at_least"], "at_least"):
        return False
    return not ("below" in rule and not share < fraction(rule["below"], "below"))


def outcome_for(rules: Mapping[str, Any], counts: Mapping[str, int], denominator: int) -> tuple[Fraction | None, dict[str, Any] | None]:
    """The share the outcomes read and the first outcome it meets."""
    outcomes = rules["outcomes"]
    if not outcomes or denominator <= 0:
        return None, None
    level = outcomes[0]["level"]
    share = Fraction(counts.get(level, 0), denominator)
    for rule in outcomes:
        if matches(rule, Fraction(counts.get(rule["level"], 0), denominator)):
            return share, dict(rule)
    return share, None


def classified_level(rules: Mapping[str, Any], counts: Mapping[str, int], denominator: int) -> str | None:
    """The highest level whose ballots, with those for the levels above it, are more than the
    majority of the denominator; the lowest level when none is (None without ballots)."""
    if denominator <= 0:
        return None
    majority = fraction(rules["majority"], "majority")
    codes = [level["code"] for level in rules["form"]["levels"]]
    running = 0
    for code in codes:
        running += counts.get(code, 0)
        if Fraction(running, denominator) > majority:
            return code
    return codes[-1]


def compute(rules: Mapping[str, Any], totals: Totals, counts_by_candidate: Mapping[int, Mapping[str, int]]) -> list[CandidateResult]:
    denominator = totals.denominator(rules["denominator"])
    results = []
    for candidate_id, raw in counts_by_candidate.items():
        counts = {level["code"]: int(raw.get(level["code"], 0)) for level in rules["form"]["levels"]}
        if rules["form"]["code"] == "classification":
            level = classified_level(rules, counts, denominator)
            results.append(CandidateResult(candidate_id, counts, denominator, None, None, level))
            continue
        share, outcome = outcome_for(rules, counts, denominator)
        results.append(CandidateResult(candidate_id, counts, denominator, share, outcome))
    return results


def percent(share: Fraction | None) -> str:
    """A share as a percentage with two decimals, for pages and the minutes (exact comparisons
    use the fraction)."""
    if share is None:
        return "—"
    value = (Decimal(share.numerator) * 100 / Decimal(share.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{value}".replace(".", ",")


def share_of(counts: Mapping[str, int], denominator: int, level: str) -> Fraction | None:
    """One level's share of a published result."""
    return Fraction(counts.get(level, 0), denominator) if denominator else None
