"""Step 2, a council member's total: the weighted task-result points (`task_points`) — for a
year evaluated by periods, the year's from its periods' (`year_task_points`) — then the general
criteria added, the subordinate-units rule applied and the evidence's deductions taken (`total`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import gettext

from workflow.core.errors import ValidationFailed
from workflow.scoring.engine.core import HUNDRED, ZERO, Note, quantize
from workflow.scoring.engine.evidence import EvidenceDeduction
from workflow.scoring.engine.methods import SUBORDINATE_TARGETS, WEIGHTING, YEAR_FROM_PERIODS, YEAR_FROM_SUM
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
    evidence_deduction: Decimal = ZERO  # points taken by facts (rubric [[evidence]] as "deduction")


def total(
    general_scores: Mapping[str, Decimal],
    task_points: TaskPoints | Decimal,
    subordinate_statuses: Sequence[str],
    rubric: Rubric,
    deductions: Sequence[EvidenceDeduction] = (),
) -> Total:
    """A member's total: the general criteria as scored, plus the task-result points, less
    what the subordinate-units rule takes when any subordinate unit failed, less the points the
    evidence takes (`evidence.evidence_deductions`), never below 0.

    `subordinate_statuses` are the level codes of the head's subordinate units (empty when
    the head has none). For a title with its own sheet, pass `rubric.for_sheet(code)`.
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
    # A rubric without the rule (share 0: 366's heads, bounded by their collectives instead) says nothing.
    if subordinate_statuses and rule.share_percent:
        part = quantize(SUBORDINATE_TARGETS[rule.applies_to](general_points, tasks) * rule.share_percent / HUNDRED, d)
        failing = [s for s in subordinate_statuses if s in rule.failing_levels]
        if failing:
            factor = rule.factor_percent
            deduction = quantize(part * (HUNDRED - factor) / HUNDRED, d)
            figures = {"count": len(failing), "share": rule.share_percent, "applies_to": rule.applies_to, "part": part, "factor": factor, "deduction": deduction}
            notes.append(Note("subordinates.failing", figures))
        else:
            notes.append(Note("subordinates.all_passed", {"count": len(subordinate_statuses)}))
    taken = sum((item.points for item in deductions), ZERO)
    for item in deductions:
        notes.append(Note("evidence.deduction", {"fact": item.fact, "count": item.count, "points": item.points, "origin": item.origin}))
    result = final_total(general_points, tasks, deduction, taken)
    return Total(tuple(general), general_points, tasks, part, factor, deduction, result, tuple(notes), taken)


def final_total(general_points: Decimal, tasks: Decimal, subordinate_deduction: Decimal, evidence_taken: Decimal) -> Decimal:
    """The total from its parts (`total` gives the parts and why): never below 0."""
    return max(general_points + tasks - subordinate_deduction - evidence_taken, ZERO)


def general_points_of(general_scores: Mapping[str, Decimal], rubric: Rubric) -> Decimal | None:
    """The general criteria's points as `total` adds them up, when the scores are all there and
    valid; None otherwise (`total` then says what is wrong)."""
    d = rubric.decimals
    if len(general_scores) != len(rubric.general):
        return None
    points = ZERO
    for criterion in rubric.general:
        value = general_scores.get(criterion.code)
        if value is None:
            return None
        value = Decimal(value)
        if not ZERO <= value <= criterion.max_points or value != quantize(value, d):
            return None
        points += value
    return points


def year_points_from_sum(total: Decimal, count: int, rubric: Rubric) -> Decimal | None:
    """The year's task-result points from the sum and the count of the periods worked — what
    `year_from_points` gives for them — when the rubric's rule needs no more (the mean); None
    when it does."""
    if rubric.periods is None or rubric.periods.year not in YEAR_FROM_SUM:
        return None
    d = rubric.decimals
    if not count:
        return quantize(ZERO, d)
    return quantize(min(YEAR_FROM_SUM[rubric.periods.year](total, count), rubric.tasks.max_points), d)


@dataclass(frozen=True, slots=True)
class PeriodPoints:
    """One period's task-result points (a month, a quarter), as its own `task_points` gave them."""

    period: str  # how the period is named in the trace ("Tháng 3/2026", or its key)
    task_points: TaskPoints
    worked: bool = True  # False: not worked (leave, not yet in post): left out of the year


@dataclass(frozen=True, slots=True)
class YearLine:
    """A target's line in one period, kept so that every figure of the year traces back."""

    period: str
    code: str
    result_percent: Decimal
    points: Decimal
    origin: str = ""


@dataclass(frozen=True, slots=True)
class YearPoints:
    points: Decimal  # the year's task-result points (periods.year over the periods worked)
    max_points: Decimal
    periods: tuple[tuple[str, Decimal], ...]  # (period, its points), the periods counted
    skipped: tuple[str, ...]  # the periods not worked
    lines: tuple[YearLine, ...]
    notes: tuple[Note, ...]


def year_task_points(periods: Sequence[PeriodPoints], rubric: Rubric, results: Sequence[Sequence[TargetResult]] = ()) -> YearPoints:
    """The year's task-result points from its periods' by the rubric's `[periods] year` (the
    mean, for 335: "điểm trung bình" of the periods actually worked). The general criteria are
    scored once, at the year's end (`total`). `results`, when given, are each period's target
    results, in the same order, so that each line keeps its origin."""
    origins = {(i, r.code): r.origin for i, rs in enumerate(results) for r in rs}
    lines = tuple(
        YearLine(p.period, line.code, line.result_percent, line.points, origins.get((i, line.code), ""))
        for i, p in enumerate(periods) if p.worked for line in p.task_points.lines
    )
    counted = tuple((p.period, p.task_points.points) for p in periods if p.worked)
    return year_from_points(counted, rubric, tuple(p.period for p in periods if not p.worked), lines)


def year_from_points(counted: tuple[tuple[str, Decimal], ...], rubric: Rubric, skipped: tuple[str, ...] = (),
                     lines: tuple[YearLine, ...] = ()) -> YearPoints:
    """The year's task-result points from the points of the periods worked ((period, points), in
    order) — the rule of `year_task_points`, for a year whose periods' points are stored (a civil
    servant's approved months), so a civil service's year is not made of objects per month."""
    if rubric.periods is None:
        raise ValidationFailed({"periods": [gettext("The rubric does not compute a year from its periods.")]})
    d = rubric.decimals
    if not counted:
        return YearPoints(quantize(ZERO, d), rubric.tasks.max_points, (), skipped, lines, (Note("periods.none_worked"),))
    method = rubric.periods.year
    points = quantize(min(YEAR_FROM_PERIODS[method]([p for _, p in counted]), rubric.tasks.max_points), d)
    notes = [Note(f"periods.{method}", {"count": len(counted), "points": points, "max": rubric.tasks.max_points})]
    if skipped:
        notes.append(Note("periods.skipped", {"count": len(skipped), "periods": ", ".join(skipped)}))
    return YearPoints(points, rubric.tasks.max_points, counted, skipped, lines, tuple(notes))
