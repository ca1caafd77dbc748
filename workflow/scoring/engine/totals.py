"""Step 2, a council member's total: the weighted task-result points (`task_points`), then
the general criteria added and the subordinate-units rule applied (`total`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import gettext

from workflow.core.errors import ValidationFailed
from workflow.scoring.engine.core import HUNDRED, ZERO, Note, quantize
from workflow.scoring.engine.methods import SUBORDINATE_TARGETS, WEIGHTING
from workflow.scoring.engine.targets import TargetResult

if TYPE_CHECKING:
    from workflow.scoring.rubric import Rubric


@dataclass(frozen=True, slots=True)
class TaskPointsLine:
    code: str
    weight: Decimal
    share_percent: Decimal  # the target's share of the task-result points
    result_percent: Decimal
    points: Decimal  # what this line contributes (rounded, for reading)


@dataclass(frozen=True, slots=True)
class TaskPoints:
    weighted_percent: Decimal  # the targets' results, weighted (tasks.weighting), rounded
    points: Decimal  # tasks.max_points × weighted_percent, rounded, at most tasks.max_points
    max_points: Decimal
    lines: tuple[TaskPointsLine, ...]
    notes: tuple[Note, ...]


def task_points(results: Sequence[TargetResult], rubric: Rubric) -> TaskPoints:
    """The task-result points (out of tasks.max_points) from the targets' results."""
    rules = rubric.tasks
    d = rubric.decimals
    if not results:
        return TaskPoints(ZERO, quantize(ZERO, d), rules.max_points, (), (Note("points.no_targets"),))
    shares = WEIGHTING[rules.weighting](results)
    weighted = quantize(sum((s * r.result_percent for s, r in zip(shares, results, strict=True)), ZERO), d)
    lines = tuple(
        TaskPointsLine(r.code, r.weight, quantize(s * HUNDRED, d), r.result_percent, quantize(rules.max_points * s * r.result_percent / HUNDRED, d))
        for s, r in zip(shares, results, strict=True)
    )
    points = quantize(rules.max_points * weighted / HUNDRED, d)
    notes = [Note("points.weighted", {"percent": weighted, "max": rules.max_points, "points": points})]
    if points > rules.max_points:
        points = rules.max_points
        notes.append(Note("points.capped", {"max": rules.max_points}))
    return TaskPoints(weighted, points, rules.max_points, lines, tuple(notes))


@dataclass(frozen=True, slots=True)
class Total:
    """One council member's total for one head."""

    general: tuple[tuple[str, Decimal], ...]  # (criterion code, points), in rubric order
    general_points: Decimal
    task_points: Decimal  # before the subordinate-units rule
    subordinate_part: Decimal  # the points that depend on subordinate units
    subordinate_factor_percent: Decimal  # 100, or subordinates.factor_percent when one failed
    subordinate_deduction: Decimal
    total: Decimal
    notes: tuple[Note, ...]


def total(
    general_scores: Mapping[str, Decimal],
    task_points: TaskPoints | Decimal,
    subordinate_statuses: Sequence[str],
    rubric: Rubric,
) -> Total:
    """A member's total: the general criteria as scored, plus the task-result points, less
    what the subordinate-units rule takes when any subordinate unit failed.

    `subordinate_statuses` are the level codes of the head's subordinate units (empty when
    the head has none).
    """
    d = rubric.decimals
    errors: dict[str, list[str]] = {}
    general = []
    for criterion in rubric.general:
        value = general_scores.get(criterion.code)
        key = f"general.{criterion.code}"
        if value is None:
            errors[key] = [gettext("This field is required.")]
            continue
        value = Decimal(value)
        if not ZERO <= value <= criterion.max_points:
            errors[key] = [gettext("Must be between %(min)s and %(max)s.", min=0, max=criterion.max_points)]
        elif value != quantize(value, d):
            errors[key] = [gettext("At most %(places)s decimal places.", places=d)]
        general.append((criterion.code, value))
    known = {c.code for c in rubric.general}
    for code in general_scores:
        if code not in known:
            errors[f"general.{code}"] = [gettext("Unknown criterion.")]
    if errors:
        raise ValidationFailed(errors)

    tasks = task_points.points if isinstance(task_points, TaskPoints) else Decimal(task_points)
    general_points = sum((v for _, v in general), ZERO)
    rule = rubric.subordinates
    notes: list[Note] = []
    part = ZERO
    factor = HUNDRED
    deduction = ZERO
    if subordinate_statuses:
        part = quantize(SUBORDINATE_TARGETS[rule.applies_to](general_points, tasks) * rule.share_percent / HUNDRED, d)
        failing = [s for s in subordinate_statuses if s in rule.failing_levels]
        if failing:
            factor = rule.factor_percent
            deduction = quantize(part * (HUNDRED - factor) / HUNDRED, d)
            figures = {"count": len(failing), "share": rule.share_percent, "applies_to": rule.applies_to, "part": part, "factor": factor, "deduction": deduction}
            notes.append(Note("subordinates.failing", figures))
        else:
            notes.append(Note("subordinates.all_passed", {"count": len(subordinate_statuses)}))
    return Total(tuple(general), general_points, tasks, part, factor, deduction, general_points + tasks - deduction, tuple(notes))
