"""Progress, status and forecast: pure functions of figures, no database, no request.

Quantitative targets. Progress is measured from a starting value towards a goal, direction-aware
(for a lower-is-better target, going down is progress), as the scoring engine measures it:

    progress = (actual − start) / (goal − start) × 100        (higher is better)
    progress = (start − actual) / (start − goal) × 100        (lower is better)

Against the quarter's plan the goal is that quarter's planned value; against the year the goal
is the target value. The start is the baseline, except for a figure that accumulates from zero
each year (revenue collected, members admitted): its plan starts on the far side of the
baseline (Q1 planned below a baseline that the target exceeds), and its start is then zero.
When the goal does not lie beyond the start (a target that keeps a level), progress is the
ratio of the figure to the goal instead (goal/actual when lower is better), again as the
engine does.

Status from the progress against the quarter's plan, with the bands of the `reports` rules:
on track at or above `on_track_percent`, at risk at or above `at_risk_percent`, else off track.

Tasks. Done is on track; not done once its due date has passed (by the quarter's end) is off
track; behind schedule, or not started although a milestone was planned by now, is at risk;
otherwise on track.

Forecast of the year-end value from the quarterly trend: the Q4 figure once reported; else a
least-squares line through the reported quarters (`statistics.linear_regression`) read at Q4;
with a single reported quarter, its run rate from the start (start + (actual − start) × 4/q).
"""

from __future__ import annotations

import enum
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
ZERO = Decimal(0)
PLACES = Decimal("0.01")


class Status(enum.StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"


def _round(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def lower_is_better(direction: str | None) -> bool:
    return str(direction or "higher") == "lower"


def start_of(baseline: Decimal | None, target_value: Decimal, first_plan: Decimal | None, direction: str | None) -> Decimal:
    """Where progress is measured from: the baseline, or zero for a figure that accumulates
    from zero each year (its first quarter's plan lies on the other side of the baseline from
    the target)."""
    if baseline is None:
        return ZERO
    if first_plan is not None:
        lower = lower_is_better(direction)
        towards_target = target_value < baseline if lower else target_value > baseline
        plan_behind_baseline = first_plan > baseline if lower else first_plan < baseline
        if towards_target and plan_behind_baseline:
            return ZERO
    return baseline


def progress(actual: Decimal, goal: Decimal, start: Decimal, direction: str | None) -> Decimal:
    """Percent of the way from `start` to `goal` reached by `actual` (uncapped, may be
    negative), rounded to two places."""
    lower = lower_is_better(direction)
    span = start - goal if lower else goal - start
    if span > 0:
        gained = start - actual if lower else actual - start
        return _round(gained * HUNDRED / span)
    # The goal keeps a level: measured against the goal itself.
    if lower:
        if actual > 0:
            return _round(goal * HUNDRED / actual)
        return HUNDRED if actual <= goal else ZERO
    if goal > 0:
        return _round(actual * HUNDRED / goal)
    return HUNDRED if actual >= goal else ZERO


def from_baseline(goal: Decimal | None, start: Decimal, direction: str | None) -> bool:
    """Whether progress towards `goal` is the way gone from a baseline ("tiến độ so với điểm
    xuất phát") rather than the figure's share of the goal ("đạt x% chỉ tiêu"): a share when
    the start is zero (the figure accumulates from nothing) or the goal keeps a level."""
    if goal is None or start == 0:
        return False
    return (start - goal if lower_is_better(direction) else goal - start) > 0


def status_from_progress(percent: Decimal | None, bands: Mapping[str, int | Decimal]) -> Status | None:
    if percent is None:
        return None
    if percent >= Decimal(bands["on_track_percent"]):
        return Status.ON_TRACK
    if percent >= Decimal(bands["at_risk_percent"]):
        return Status.AT_RISK
    return Status.OFF_TRACK


def task_status(milestone: str | None, *, quarter_ends_on: date, due_date: date | None, milestone_planned: bool) -> Status | None:
    """Status of a task at the end of a quarter (None when nothing was reported)."""
    if milestone is None:
        return None
    if milestone == "done":
        return Status.ON_TRACK
    if due_date is not None and due_date <= quarter_ends_on:
        return Status.OFF_TRACK
    if milestone == "behind" or (milestone == "not_started" and milestone_planned):
        return Status.AT_RISK
    return Status.ON_TRACK


def forecast(points: Mapping[int, Decimal], start: Decimal) -> Decimal | None:
    """The year-end value the quarterly figures point to ({quarter: cumulative actual})."""
    if not points:
        return None
    if 4 in points:
        return points[4]
    quarters = sorted(points)
    if len(quarters) == 1:
        q = quarters[0]
        return _round(start + (points[q] - start) * 4 / q)
    slope, intercept = statistics.linear_regression([float(q) for q in quarters], [float(points[q]) for q in quarters])
    return _round(Decimal(repr(slope * 4 + intercept)))


@dataclass(frozen=True)
class QuantitativeProgress:
    start: Decimal
    plan: Decimal | None
    vs_plan: Decimal | None
    vs_target: Decimal | None
    status: Status | None
    plan_from_baseline: bool = False  # vs_plan is the way from the baseline (else a share of the plan)
    target_from_baseline: bool = False  # the same for vs_target


def quantitative(
    actual: Decimal | None,
    *,
    baseline: Decimal | None,
    target_value: Decimal | None,
    plan: Sequence[Decimal | None],
    quarter: int,
    direction: str | None,
    bands: Mapping[str, int | Decimal],
) -> QuantitativeProgress:
    """Everything a page shows for one quantitative target in one quarter."""
    planned = plan[quarter - 1] if len(plan) >= quarter else None
    if target_value is None:
        return QuantitativeProgress(ZERO, planned, None, None, None)
    start = start_of(baseline, target_value, plan[0] if plan else None, direction)
    if actual is None:
        return QuantitativeProgress(start, planned, None, None, None)
    vs_plan = progress(actual, planned, start, direction) if planned is not None else None
    vs_target = progress(actual, target_value, start, direction)
    return QuantitativeProgress(start, planned, vs_plan, vs_target, status_from_progress(vs_plan if vs_plan is not None else vs_target, bands),
                                from_baseline(planned, start, direction), from_baseline(target_value, start, direction))
