"""Evidence (nguồn minh chứng): the facts that sources other than the targets give about a
subject — discipline, citizens' ratings, opinions, confidence votes — as the engine reads them.

A source gives `Evidence`: a kind ("discipline.duty_reprimand_or_more", "satisfaction.share"),
a value, and where it comes from in words (`origin`: the decision, the survey, the vote) with the
source's own reference to it (`ref`) and its period. The engine reads facts only through the
rubric's `[[evidence]]` entries (`EvidenceRule`), each mapping a kind `as` one use:

- `criterion`: a suggested score for a general criterion (`criterion_suggestions`); members
  still score it;
- `target_line`: a computed target line (`evidence_targets`), its share of `threshold`, weighted
  like any target, its origin carried into the line and its notes;
- `deduction`: points taken from a total (`evidence_deductions`, applied by `totals.total`);
- `condition` and `not_completed`: close levels (read with the levels' other conditions in
  `levels`), named with their origin in the level sentence.

Facts of a kind the rubric does not map are ignored. Several facts of one kind: a line or a
suggestion takes their mean, a deduction counts each, a condition is met by any of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from workflow.scoring.engine.core import HUNDRED, ZERO, quantize
from workflow.scoring.engine.targets import QuantitativeTarget

if TYPE_CHECKING:
    from workflow.scoring.rubric import EvidenceRule, Rubric


@dataclass(frozen=True, slots=True)
class Evidence:
    """One fact about a subject, as a value with its origin."""

    kind: str
    value: Decimal = Decimal(1)
    origin: str = ""  # in words, for the trace and the level sentence ("25-QĐ/UBKTTU ngày 12/08/2025, cảnh cáo")
    period: str = ""  # the period it belongs to, when not the year
    ref: str = ""  # the source's own reference (e.g. "discipline_record:7", "fact:12")


def of_kind(evidence: Iterable[Evidence], kind: str) -> list[Evidence]:
    return [e for e in evidence if e.kind == kind]


def origins(facts: Sequence[Evidence]) -> str:
    return "; ".join(dict.fromkeys(f.origin for f in facts if f.origin))


def _mean(facts: Sequence[Evidence]) -> Decimal:
    return sum((Decimal(f.value) for f in facts), ZERO) / len(facts)


def triggered(rule: EvidenceRule, facts: Sequence[Evidence]) -> Evidence | None:
    """The first fact that meets a level rule (`condition` beyond its threshold — strictly, as
    "trên 50%" is: 50% exactly does not — or any `not_completed` fact with a value above 0)."""
    for fact in facts:
        value = Decimal(fact.value)
        if rule.use == "not_completed":
            hit = value > 0
        elif rule.above is not None:
            hit = value > rule.above
        else:
            hit = rule.below is not None and value < rule.below
        if hit:
            return fact
    return None


def level_figure(rule: EvidenceRule) -> Decimal | bool:
    """What a level rule requires, as its check shows it: the threshold, or True (no such fact)."""
    if rule.above is not None:
        return rule.above
    if rule.below is not None:
        return rule.below
    return True


def evidence_targets(evidence: Iterable[Evidence], rubric: Rubric) -> list[QuantitativeTarget]:
    """The computed target lines of the facts the rubric maps `as = "target_line"`: each line's
    quantity is the fact's share of its threshold (the mean, for several facts), its code names
    the fact's kind, and its origin is carried into the result."""
    evidence = list(evidence)
    lines = []
    for rule in rubric.evidence_for("target_line"):
        facts = of_kind(evidence, rule.fact)
        assert rule.threshold is not None and rule.weight is not None
        lines.append(QuantitativeTarget(
            code=f"fact:{rule.fact}", weight=rule.weight, baseline=ZERO, target=rule.threshold,
            actual=quantize(_mean(facts), 4) if facts else None, progress="share", origin=origins(facts) or rule.name.vi,
        ))
    return lines


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A general criterion's score suggested by facts (a member may follow it or not)."""

    criterion: str
    points: Decimal
    value: Decimal  # the facts' value (percent of the criterion's points)
    fact: str
    origin: str


def criterion_suggestions(evidence: Iterable[Evidence], rubric: Rubric) -> dict[str, Suggestion]:
    """Per general criterion of `rubric` (a title's sheet applied), the score its facts suggest."""
    evidence = list(evidence)
    by_code = {c.code: c for c in rubric.general}
    out: dict[str, Suggestion] = {}
    for rule in rubric.evidence_for("criterion"):
        criterion = by_code.get(rule.criterion or "")
        facts = of_kind(evidence, rule.fact)
        if criterion is None or not facts:
            continue
        value = min(max(_mean(facts), ZERO), HUNDRED)
        points = quantize(criterion.max_points * value / HUNDRED, rubric.decimals)
        out[criterion.code] = Suggestion(criterion.code, points, quantize(value, rubric.decimals), rule.fact, origins(facts))
    return out


@dataclass(frozen=True, slots=True)
class EvidenceDeduction:
    """Points taken from a total by facts of one kind."""

    fact: str
    count: int  # facts counted
    value: Decimal  # their values added up
    points: Decimal
    origin: str


def evidence_deductions(evidence: Iterable[Evidence], rubric: Rubric) -> tuple[EvidenceDeduction, ...]:
    evidence = list(evidence)
    out = []
    for rule in rubric.evidence_for("deduction"):
        facts = of_kind(evidence, rule.fact)
        if not facts:
            continue
        assert rule.points is not None
        value = sum((Decimal(f.value) for f in facts), ZERO)
        points = max(value, ZERO) * rule.points
        if rule.max_points is not None:
            points = min(points, rule.max_points)
        out.append(EvidenceDeduction(rule.fact, len(facts), value, quantize(points, rubric.decimals), origins(facts)))
    return tuple(out)
