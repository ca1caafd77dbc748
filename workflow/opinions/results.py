"""What a round's counts say about a subject, per criterion and relation (pure: no database).

The superior's view is shown as soon as they answered (it is theirs, not anonymous); the
subordinates' and the peers' only when at least `min_answers` of them answered, and then only as
means and counts. A gap of at least `gap_threshold` scale points between the superior's mean and
the subordinates' on a criterion is flagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workflow.opinions.models import ANONYMOUS, Relation

CENT = Decimal("0.01")


@dataclass(frozen=True)
class CriterionResult:
    code: str
    names: dict[str, str]  # {"vi": …, "en": …}
    means: dict[str, Decimal]  # by relation, only those shown
    gap: Decimal | None  # superior minus subordinates, when both are shown
    flagged: bool

    def name(self, locale: str = "vi") -> str:
        return self.names.get(locale) or self.names["vi"]


@dataclass(frozen=True)
class SubjectResult:
    asked: dict[str, int]  # by relation
    answered: dict[str, int]
    shown: dict[str, bool]
    criteria: list[CriterionResult] = field(default_factory=list)
    comments: dict[str, list[str]] = field(default_factory=dict)  # only of relations shown

    @property
    def rate(self) -> tuple[int, int]:
        return sum(self.answered.values()), sum(self.asked.values())

    @property
    def flagged(self) -> list[CriterionResult]:
        return [c for c in self.criteria if c.flagged]


def mean(counts: Mapping[int, int]) -> Decimal | None:
    total = sum(counts.values())
    if not total:
        return None
    return (Decimal(sum(value * n for value, n in counts.items())) / total).quantize(CENT, ROUND_HALF_UP)


def summarise(rules: Mapping[str, Any], relations: list[Relation], asked: Mapping[str, int], answered: Mapping[str, int],
              counts: Mapping[tuple[str, str], Mapping[int, int]], comments: Mapping[str, list[str]]) -> SubjectResult:
    """`counts`: {(relation, criterion): {value: count}}; `asked`, `answered`: by relation."""
    shown = {}
    for relation in relations:
        n = answered.get(relation.value, 0)
        shown[relation.value] = n >= rules["min_answers"] if relation in ANONYMOUS else n > 0
    threshold = Decimal(str(rules["gap_threshold"]))
    criteria = []
    for criterion in rules["criteria"]:
        means = {}
        for relation in relations:
            if shown[relation.value]:
                m = mean(counts.get((relation.value, criterion["code"]), {}))
                if m is not None:
                    means[relation.value] = m
        above, below = means.get(Relation.SUPERIOR.value), means.get(Relation.SUBORDINATE.value)
        gap = above - below if above is not None and below is not None else None
        criteria.append(CriterionResult(criterion["code"], {"vi": criterion["vi"], "en": criterion["en"]}, means, gap,
                                        gap is not None and abs(gap) >= threshold))
    return SubjectResult({r.value: asked.get(r.value, 0) for r in relations}, {r.value: answered.get(r.value, 0) for r in relations}, shown,
                         criteria, {r.value: sorted(comments[r.value]) for r in relations  # the round's order, never the rows'
                                    if shown.get(r.value) and comments.get(r.value)})
