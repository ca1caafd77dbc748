"""A month's lines as the engine's targets, and the figures the engine gives back.

Each product of the month is a task target of the 335 rubric: its weight is the converted
quantity assigned (quantity × conversion coefficient, "đã quy đổi"); the quantity factor is the
share delivered of what was assigned; a product delivered after its due date is a delay (25% of
its timeliness factor), each error found 25% of its quality factor — the rubric's rules, applied
by `workflow.scoring.engine`, never here. The servant's own figures give the self-score; the
manager's give the month's points. The year comes from the approved months by the rubric's
`[periods]` rule.

The rubric is the cycle's snapshot for the civil-servants track (`rubric_of`), taken at the
first assessment, so that a past month never changes when the rubric file does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workflow.core import audit
from workflow.framework.rules import rubric_path
from workflow.monthly.models import MonthlyPlan, PlanLine
from workflow.scoring.engine import HUNDRED, TargetResult, TaskPoints, TaskTarget, YearPoints, target_result, task_points, year_from_points
from workflow.scoring.rubric import Rubric, load_rubric

TRACK = "civil_servants"
SELF = "self"
MANAGER = "manager"


def rubric_of(cycle: Any, track: str = TRACK) -> Rubric:
    """The cycle's rubric for a track (the civil servants' unless another is named): its snapshot
    once something of the track was assessed, else the file."""
    snapshot = ((cycle.rules or {}).get("track_rubrics") or {}).get(track)
    if snapshot is not None:
        return Rubric.from_snapshot(snapshot, source=f"{cycle.name} ({track}, snapshot)")
    return load_rubric(rubric_path(cycle.rules or {}, track))


def snapshot_rubric(cycle: Any, *, actor: Any, track: str = TRACK) -> Rubric:
    """Fix the track's rubric in the cycle at its first assessment (a cycle that has it keeps it)."""
    rubrics = dict((cycle.rules or {}).get("track_rubrics") or {})
    if track in rubrics:
        return rubric_of(cycle, track)
    rubric = load_rubric(rubric_path(cycle.rules or {}, track))
    rubrics[track] = rubric.to_snapshot()
    cycle.rules = {**(cycle.rules or {}), "track_rubrics": rubrics}
    audit.record("cycle.rubric_snapshot", cycle, actor=actor, summary=cycle.name, data={"rubric_version": rubric.version, "track": track})
    return rubric


def line_target(line: PlanLine, by: str) -> TaskTarget:
    """One product as a task target, by the servant's figures (`SELF`) or the manager's."""
    if by == MANAGER:
        delivered, on, errors, delays = line.assessed_quantity, line.assessed_on, line.errors, line.delays
    else:
        delivered, on, errors, delays = line.delivered_quantity, line.delivered_on, 0, 0
    delivered = delivered or Decimal(0)
    done = delivered >= line.quantity
    share = min(delivered / line.quantity * HUNDRED, HUNDRED)
    on_time = on is not None and on <= line.due_on
    days_late = (on - line.due_on).days if on is not None and not on_time else 0
    return TaskTarget(code=str(line.position), weight=line.quantity * line.coefficient, done=done, product_delivered=delivered > 0,
                      on_time=on_time, days_late=days_late, errors=errors, delays=delays, progress_percent=None if done else share)


@dataclass(frozen=True)
class MonthFigures:
    results: tuple[TargetResult, ...]
    points: TaskPoints


def month_figures(lines: Sequence[PlanLine], rubric: Rubric, by: str) -> MonthFigures:
    results = tuple(target_result(line_target(line, by), rubric) for line in lines)
    return MonthFigures(results, task_points(results, rubric))


def year_points(months: Sequence[tuple[str, MonthlyPlan]], rubric: Rubric) -> YearPoints:
    """The year's task-result points from the approved months (`months`: (label, plan), in
    order), by the rubric's [periods] rule."""
    return year_points_of([(label, plan.points) for label, plan in months if plan.points is not None], rubric)


def year_points_of(months: Sequence[tuple[str, Decimal]], rubric: Rubric) -> YearPoints:
    """The same from each approved month's stored points (`months`: (label, points), in order),
    so a year reads one row per month."""
    return year_from_points(tuple(months), rubric)
