"""Reading the catalogue, the months and the teams (no writes). Every list runs a fixed number
of statements whatever its length."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, or_, select, union_all
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from workflow.accounts.models import Person, Role, RoleGrant
from workflow.cycles.models import Cycle
from workflow.core.web import one_or_404
from workflow.extensions import db
from workflow.framework.models import Period, PeriodKind, Subject, Track
from workflow.monthly.models import MonthlyPlan, ObjectionState, PlanLine, Product, YearObjection, YearResult
from workflow.monthly.scoring import TRACK


# --- the catalogue -----------------------------------------------------------------------------

def products(unit_id: int | None, *, with_templates: bool = False, active: bool | None = None) -> Select[tuple[Product]]:
    """An agency's catalogue (None: the shared templates); `with_templates` adds the templates
    an agency may plan from."""
    scope = Product.unit_id.is_(None) if unit_id is None else (
        or_(Product.unit_id == unit_id, Product.unit_id.is_(None)) if with_templates else Product.unit_id == unit_id)
    stmt = select(Product).where(scope)
    if active is not None:
        stmt = stmt.where(Product.active.is_(active))
    return stmt.order_by(Product.unit_id.is_(None), Product.group, Product.code)


def product_codes(unit_id: int | None) -> dict[str, Product]:
    return {p.code: p for p in db.session.scalars(products(unit_id))}


# --- people and months ---------------------------------------------------------------------------

def direct_manager(person: Person, unit_id: int) -> Person | None:
    """The person's manager, else the head of the unit (never the person themself)."""
    if person.manager_id is not None:
        return db.session.get(Person, person.manager_id)
    head = db.session.scalar(select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
                             .where(RoleGrant.role == Role.HEAD, RoleGrant.unit_id == unit_id))
    return head if head is not None and head.id != person.id else None


def track_id() -> int | None:
    return db.session.scalar(select(Track.id).where(Track.code == TRACK))


def subjects_of(person_id: int) -> list[Subject]:
    """The person's subjects in the civil-servants track (one per unit they work in)."""
    return list(db.session.scalars(select(Subject).join(Track, Subject.track_id == Track.id)
                                   .where(Track.code == TRACK, Subject.person_id == person_id, Subject.active.is_(True))
                                   .options(joinedload(Subject.unit), joinedload(Subject.person))))


def month_period(cycle_id: int, number: int) -> Period | None:
    return db.session.scalar(select(Period).join(Track, Period.track_id == Track.id)
                             .where(Track.code == TRACK, Period.cycle_id == cycle_id, Period.kind == PeriodKind.MONTH,
                                    Period.number == number))


def month_periods(cycle_id: int) -> list[Period]:
    return list(db.session.scalars(select(Period).join(Track, Period.track_id == Track.id)
                                   .where(Track.code == TRACK, Period.cycle_id == cycle_id, Period.kind == PeriodKind.MONTH)
                                   .order_by(Period.number)))


def plan_of(subject_id: int, period_id: int) -> MonthlyPlan | None:
    return db.session.scalar(select(MonthlyPlan).where(MonthlyPlan.subject_id == subject_id, MonthlyPlan.period_id == period_id))


def load_plan(plan_id: int) -> MonthlyPlan:
    """The month with its subject, period and lines; NotFound when there is none."""
    return one_or_404(select(MonthlyPlan).where(MonthlyPlan.id == plan_id).options(
        joinedload(MonthlyPlan.subject).joinedload(Subject.person), joinedload(MonthlyPlan.subject).joinedload(Subject.unit),
        joinedload(MonthlyPlan.period).joinedload(Period.cycle), selectinload(MonthlyPlan.lines)))


def previous_plan(plan: MonthlyPlan) -> MonthlyPlan | None:
    """The same subject's month before (December of the year before for January)."""
    period = plan.period
    year, number = period.cycle.year, period.number - 1
    if number == 0:
        year, number = year - 1, 12
    return db.session.scalar(
        select(MonthlyPlan).join(Period, MonthlyPlan.period_id == Period.id).join(Cycle, Period.cycle_id == Cycle.id)
        .where(MonthlyPlan.subject_id == plan.subject_id, Cycle.year == year, Period.kind == PeriodKind.MONTH, Period.number == number)
        .options(selectinload(MonthlyPlan.lines)))


def team_condition(manager: Any) -> Any:
    """The subjects whose direct manager is `manager`: their manager, or the head of their unit
    when they have none. Two indexed reads (people by manager, subjects by unit), so a manager's
    team is found without reading every servant of the province."""
    managed = select(Subject.id).join(Person, Subject.person_id == Person.id).where(Person.manager_id == manager.id)
    heads = sorted(getattr(manager, "head_unit_ids", set()))
    if heads:
        managed = union_all(managed, select(Subject.id).join(Person, Subject.person_id == Person.id)
                            .where(Subject.unit_id.in_(heads), Person.manager_id.is_(None)))
    return and_(Subject.person_id != manager.id, Subject.id.in_(managed))


def team(manager: Any, period: Period) -> list[tuple[Subject, MonthlyPlan | None]]:
    """The manager's team in the track, each with their month (None: not opened), ordered by
    unit and name; two statements (the months' lines in one more). The members' roles are not
    read (a page of the team never asks them)."""
    rows = db.session.execute(
        select(Subject, MonthlyPlan)
        .join(Person, Subject.person_id == Person.id)
        .outerjoin(MonthlyPlan, and_(MonthlyPlan.subject_id == Subject.id, MonthlyPlan.period_id == period.id))
        .where(Subject.track_id == period.track_id, Subject.active.is_(True), team_condition(manager))
        .options(contains_eager(Subject.person).lazyload(Person.roles), joinedload(Subject.unit))
        .order_by(Subject.unit_id, Person.full_name, Subject.id)
    ).all()
    plans = [p for _, p in rows if p is not None]
    _load_lines(plans)
    return [(s, p) for s, p in rows]


def agency_months(unit_ids: Sequence[int], period: Period) -> list[MonthlyPlan]:
    """The months of an agency's servants in one period (for its head's approval), without
    their lines."""
    if not unit_ids:
        return []
    return list(db.session.scalars(
        select(MonthlyPlan).join(Subject, MonthlyPlan.subject_id == Subject.id).join(Person, Subject.person_id == Person.id)
        .where(MonthlyPlan.period_id == period.id, Subject.unit_id.in_(unit_ids))
        .options(contains_eager(MonthlyPlan.subject).contains_eager(Subject.person).lazyload(Person.roles),
                 contains_eager(MonthlyPlan.subject).joinedload(Subject.unit))
        .order_by(Subject.unit_id, Person.full_name)))


def _load_lines(plans: Sequence[MonthlyPlan]) -> None:
    if plans:
        db.session.scalars(select(MonthlyPlan).where(MonthlyPlan.id.in_([p.id for p in plans])).options(selectinload(MonthlyPlan.lines))).all()


def year_months(subject_id: int, cycle_id: int) -> list[tuple[Period, MonthlyPlan | None]]:
    """Each month of the cycle with the subject's plan, in one statement."""
    rows = db.session.execute(
        select(Period, MonthlyPlan).join(Track, Period.track_id == Track.id)
        .outerjoin(MonthlyPlan, and_(MonthlyPlan.period_id == Period.id, MonthlyPlan.subject_id == subject_id))
        .where(Track.code == TRACK, Period.cycle_id == cycle_id, Period.kind == PeriodKind.MONTH).order_by(Period.number)).all()
    return [(period, plan) for period, plan in rows]


def line_of(plan: MonthlyPlan, line_id: int) -> PlanLine | None:
    return next((ln for ln in plan.lines if ln.id == line_id), None)


def current_month(today: Any) -> Period | None:
    """This month's period of the track (None: no cycle holds today)."""
    return db.session.scalar(select(Period).join(Track, Period.track_id == Track.id)
                             .where(Track.code == TRACK, Period.kind == PeriodKind.MONTH, Period.starts_on <= today, Period.ends_on >= today))


def manages_anyone(person: Any) -> bool:
    return db.session.scalar(select(Subject.id).join(Person, Subject.person_id == Person.id).join(Track, Subject.track_id == Track.id)
                             .where(Track.code == TRACK, Subject.active.is_(True), team_condition(person)).limit(1)) is not None


def manager_options(person: Any) -> list[tuple[int, str]]:
    """Who may be the person's direct manager: the active colleagues of their unit."""
    rows = db.session.execute(select(Person.id, Person.full_name).where(
        Person.unit_id == person.unit_id, Person.id != person.id, Person.active.is_(True)).order_by(Person.full_name))
    return [(ident, name) for ident, name in rows]


def unit_months(unit_id: int, period: Period) -> list[tuple[Subject, MonthlyPlan | None]]:
    """Every servant of the agency in the track with their month (None: not opened) and its
    lines, ordered by name; three statements whatever the agency's size."""
    rows = db.session.execute(
        select(Subject, MonthlyPlan)
        .join(Person, Subject.person_id == Person.id)
        .outerjoin(MonthlyPlan, and_(MonthlyPlan.subject_id == Subject.id, MonthlyPlan.period_id == period.id))
        .where(Subject.track_id == period.track_id, Subject.active.is_(True), Subject.unit_id == unit_id)
        .options(contains_eager(Subject.person), joinedload(Subject.unit))
        .order_by(Person.full_name, Subject.id)
    ).all()
    _load_lines([p for _, p in rows if p is not None])
    return [(s, p) for s, p in rows]


def waiting_objections(cycle_id: int, unit_ids: Sequence[int]) -> list[tuple[int, str, Any]]:
    """The objections to the year's level waiting for an answer in the units: (subject id, the
    servant's name, when filed), oldest first; one statement."""
    return [tuple(row) for row in db.session.execute(
        select(Subject.id, Person.full_name, YearObjection.filed_at)
        .join(YearResult, YearObjection.result_id == YearResult.id).join(Subject, YearResult.subject_id == Subject.id)
        .join(Person, Subject.person_id == Person.id)
        .where(YearResult.cycle_id == cycle_id, Subject.unit_id.in_(unit_ids), YearObjection.state == ObjectionState.FILED)
        .order_by(YearObjection.filed_at, YearObjection.id))]
