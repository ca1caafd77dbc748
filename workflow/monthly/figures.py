"""The figures of the agency and province dashboards of the monthly round, as SQL aggregates (a
fixed number of statements whatever the number of servants; nothing written):

- completion by agency and month: of the agency's servants in the track, how many months are
  assessed by the direct manager or approved by the head of agency;
- the distribution of the year's levels decided, per agency (a histogram);
- leniency: the same per direct manager (the one who scored the general criteria); a manager
  with at least `LENIENT_MIN_TEAM` servants decided, all at the rubric's top level, stands out.

What is read is scoped by the caller: every agency for the province's readers, the head's own
agencies for a head (`units_in_scope`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from workflow.accounts.models import Person, Role
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework.models import Period, PeriodKind, Subject, Track
from workflow.monthly.models import MonthlyPlan, MonthState, YearResult
from workflow.monthly.scoring import TRACK
from workflow.scoring.rubric import Rubric
from workflow.units.models import Unit

DONE = (MonthState.ASSESSED, MonthState.APPROVED)
LENIENT_MIN_TEAM = 2


@dataclass
class UnitMonths:
    unit: Unit
    servants: int
    months: dict[int, dict[str, int]] = field(default_factory=dict)  # number → {"done": n, "approved": n, "opened": n}

    def percent(self, number: int) -> Decimal | None:
        """The share of the agency's servants whose month is assessed or approved."""
        if not self.servants:
            return None
        done = self.months.get(number, {}).get("done", 0)
        return (Decimal(100) * done / self.servants).quantize(Decimal("0.1"))


@dataclass
class Histogram:
    """How many servants of an agency (or of a manager's team) were decided at each level."""

    counts: dict[str, int]
    undecided: int = 0

    @property
    def decided(self) -> int:
        return sum(self.counts.values())

    def percent(self, level: str) -> Decimal:
        return (Decimal(100) * self.counts.get(level, 0) / self.decided).quantize(Decimal("0.1")) if self.decided else Decimal(0)


@dataclass
class ManagerLevels:
    manager: Person
    unit: Unit
    histogram: Histogram
    lenient: bool


def is_province_reader(actor: Any) -> bool:
    return bool(actor.role_set & {Role.STAFF, Role.COMMITTEE, Role.ADMIN})


def units_in_scope(actor: Any) -> list[int] | None:
    """None: every agency (staff, the committee, administrators); else the agencies a head leads."""
    return None if is_province_reader(actor) else sorted(actor.head_unit_ids)


def _scoped(stmt: Any, unit_ids: list[int] | None) -> Any:
    return stmt if unit_ids is None else stmt.where(Subject.unit_id.in_(unit_ids))


def completion(cycle: Cycle, unit_ids: list[int] | None) -> list[UnitMonths]:
    """Each agency with servants in the track, its number of servants and, month by month, the
    months opened, assessed or approved, and approved; three statements."""
    servants = db.session.execute(_scoped(
        select(Subject.unit_id, func.count(Subject.id)).join(Track, Subject.track_id == Track.id)
        .where(Track.code == TRACK, Subject.active.is_(True)).group_by(Subject.unit_id), unit_ids)).all()
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_([u for u, _ in servants])))} if servants else {}
    out = {unit_id: UnitMonths(units[unit_id], count) for unit_id, count in servants}
    rows = db.session.execute(_scoped(
        select(Subject.unit_id, Period.number, MonthlyPlan.state, func.count(MonthlyPlan.id))
        .select_from(MonthlyPlan).join(Subject, MonthlyPlan.subject_id == Subject.id).join(Period, MonthlyPlan.period_id == Period.id)
        .join(Track, Period.track_id == Track.id)
        .where(Track.code == TRACK, Period.cycle_id == cycle.id, Period.kind == PeriodKind.MONTH, Subject.active.is_(True))
        .group_by(Subject.unit_id, Period.number, MonthlyPlan.state), unit_ids)).all()
    for unit_id, number, state, count in rows:
        if unit_id not in out:
            continue
        month = out[unit_id].months.setdefault(number, {"opened": 0, "done": 0, "approved": 0})
        month["opened"] += count
        if state in DONE:
            month["done"] += count
        if state == MonthState.APPROVED:
            month["approved"] += count
    return sorted(out.values(), key=lambda u: u.unit.name)


def levels_by_unit(cycle: Cycle, unit_ids: list[int] | None) -> dict[int, Histogram]:
    """The levels decided in the cycle per agency, with how many servants are not decided yet;
    one statement."""
    rows = db.session.execute(_scoped(
        select(Subject.unit_id, YearResult.level, func.count(Subject.id))
        .select_from(Subject).join(Track, Subject.track_id == Track.id)
        .outerjoin(YearResult, (YearResult.subject_id == Subject.id) & (YearResult.cycle_id == cycle.id))
        .where(Track.code == TRACK, Subject.active.is_(True))
        .group_by(Subject.unit_id, YearResult.level), unit_ids)).all()
    out: dict[int, Histogram] = defaultdict(lambda: Histogram({}))
    for unit_id, level, count in rows:
        if level is None:
            out[unit_id].undecided += count
        else:
            out[unit_id].counts[level] = count
    return dict(out)


def top_level(rubric: Rubric) -> str:
    return max(rubric.levels, key=lambda lv: lv.min_points).code


def levels_by_manager(cycle: Cycle, unit_ids: list[int] | None, rubric: Rubric) -> list[ManagerLevels]:
    """The levels decided per direct manager (who scored the general criteria) and agency, the
    lenient ones first; two statements."""
    rows = db.session.execute(_scoped(
        select(YearResult.assessed_by_id, Subject.unit_id, YearResult.level, func.count(YearResult.id))
        .join(Subject, YearResult.subject_id == Subject.id)
        .where(YearResult.cycle_id == cycle.id, YearResult.level.is_not(None), YearResult.assessed_by_id.is_not(None))
        .group_by(YearResult.assessed_by_id, Subject.unit_id, YearResult.level), unit_ids)).all()
    if not rows:
        return []
    teams: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for manager_id, unit_id, level, count in rows:
        teams[manager_id, unit_id][level] = count
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_({m for m, _ in teams})))}
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_({u for _, u in teams})))}
    top = top_level(rubric)
    out = []
    for (manager_id, unit_id), counts in teams.items():
        histogram = Histogram(counts)
        lenient = histogram.decided >= LENIENT_MIN_TEAM and counts.get(top, 0) == histogram.decided
        out.append(ManagerLevels(people[manager_id], units[unit_id], histogram, lenient))
    return sorted(out, key=lambda m: (not m.lenient, m.unit.name, m.manager.full_name))
