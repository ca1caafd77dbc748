"""From what the reports say to what the scoring engine reads: the one place where the year's
facts (`workflow.reports.facts.TargetFacts`) and a council member's judgements become the
engine's `QuantitativeTarget` / `TaskTarget`, and a member's whole scorecard becomes a total.

The mapping, target by target:

Quantitative targets (chỉ tiêu)
- weight, baseline, target: as in force (assigned, or amended since);
- actual: the last accepted cumulative value (Q4's, or the latest accepted quarter's); none
  accepted → no figure (quantity 0%, "not reported");
- direction: "higher" → INCREASE, "lower" → DECREASE;
- on_time: True, days_late 0. A number has no deadline of its own besides the year's end:
  whether it was reached is its quantity, and a number not reached is neither done nor on
  time (the engine counts on time only what is done).

Tasks (nhiệm vụ)
- done: the latest accepted report says "done"; product_delivered: that report names the
  product handed over;
- on_time / days_late: delivered by the due date, or the days after it (a task not done counts
  from its due date to the cycle's end);
- progress of an unfinished task: 0 unless a member changes its quantity figure (with a reason);
- exceeded: only a member's judgement ("beyond what was required"); never inferred.

Every target
- errors (major content errors) and delays: 0 until a member enters them (the reports do not
  say); the engine still counts a late delivery as one delay (rubric `late_counts_as_delay`);
- quality_percent: 100 unless a member judges otherwise;
- overrides: a member's changed figures, each with its written reason and the member's name.

The general criteria are scored directly by each member within the rubric's limits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from workflow.reports.facts import TargetFacts
from workflow.scoring.engine import (
    Classification,
    Direction,
    Evidence,
    Facts,
    Override,
    QuantitativeTarget,
    TargetResult,
    TaskPoints,
    TaskTarget,
    Total,
    classify,
    evidence_deductions,
    facts_from_results,
    target_result,
    task_points,
    total,
)
from workflow.scoring.rubric import Rubric
from workflow.targets.models import Direction as TargetDirection
from workflow.targets.models import TargetKind

HUNDRED = Decimal(100)


def _decimal(value: Any, default: Decimal) -> Decimal:
    if value in (None, ""):
        return default
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return default


def _count(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def overrides_of(judgement: Mapping[str, Any]) -> list[Override]:
    return [Override(o["figure"], _decimal(o.get("value"), Decimal(0)), o.get("reason", ""), o.get("by", "")) for o in judgement.get("overrides", [])]


def engine_target(facts: TargetFacts, judgement: Mapping[str, Any] | None = None) -> QuantitativeTarget | TaskTarget:
    """The engine's input for one target (see the module's docstring)."""
    j = judgement or {}
    common = {
        "code": str(facts.target_id),
        "weight": Decimal(facts.weight),
        "errors": _count(j.get("errors")),
        "delays": _count(j.get("delays")),
        "quality_percent": _decimal(j.get("quality_percent"), HUNDRED),
    }
    if facts.kind == TargetKind.QUANTITATIVE:
        return QuantitativeTarget(
            **common,
            baseline=Decimal(facts.baseline or 0),
            target=Decimal(facts.target_value or 0),
            actual=None if facts.actual is None else Decimal(facts.actual),
            direction=Direction.DECREASE if facts.direction == TargetDirection.LOWER else Direction.INCREASE,
            on_time=True,
            days_late=0,
        )
    return TaskTarget(
        **common,
        done=facts.done,
        product_delivered=bool(facts.product_delivered.strip()),
        on_time=bool(facts.on_time),
        days_late=facts.days_late or 0,
        exceeded=bool(j.get("exceeded")),
    )


@dataclass(frozen=True)
class Evaluation:
    """One member's scorecard worked out by the engine: every target's line, the task points,
    the total and the level it implies (before the panel and the quota)."""

    results: tuple[TargetResult, ...]
    task_points: TaskPoints
    total: Total
    facts: Facts
    classification: Classification


def evaluate(
    target_facts: Sequence[TargetFacts],
    general: Mapping[str, Any],
    judgements: Mapping[str, Mapping[str, Any]],
    rubric: Rubric,
    *,
    subordinate_statuses: Sequence[str] = (),
    disciplined: bool = False,
    evidence: Sequence[Evidence] = (),
) -> Evaluation:
    """Run the engine on a scorecard. Raises ValidationFailed with field errors (a general
    score out of its limits, an override without a reason)."""
    results = tuple(
        target_result(engine_target(f, judgements.get(str(f.target_id))), rubric, overrides_of(judgements.get(str(f.target_id), {})))
        for f in target_facts
    )
    points = task_points(results, rubric)
    member_total = total({code: _decimal(v, Decimal(0)) for code, v in general.items()}, points, subordinate_statuses, rubric,
                         evidence_deductions(evidence, rubric))
    facts = facts_from_results(results, disciplined=disciplined, evidence=evidence)
    return Evaluation(results, points, member_total, facts, classify(member_total.total, facts, rubric))


def system_results(target_facts: Sequence[TargetFacts], rubric: Rubric) -> tuple[TargetResult, ...]:
    """The figures the system proposes before any member's judgement."""
    return tuple(target_result(engine_target(f), rubric) for f in target_facts)
