"""The scheduler job of the monthly round (see `scheduler` for the contract): state-based,
keyed, one transaction.

- `monthly.remind`: on the last two working days of a month, each servant whose products are
  assigned and who has not submitted a self-assessment; from the month's assessment due day
  (the track's `due_working_day` of the next month), each direct manager with members of the
  team still not assessed, in one message naming them. Each message is keyed by the month and
  the person (`event_key`), so it is queued once however often the job runs.
- the escalation: `escalate_after_days` working days (the track's rule, 2 by default) after the
  assessment's due day, the head of each agency whose direct managers have still not assessed
  some months gets one message listing those managers and their servants (never about the months
  the head assesses themself), once per month, in the head's language.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select

from scheduler import job
from workflow.accounts.models import Person, Role, RoleGrant
from workflow.calendar import WorkingCalendar, calendar_rules
from workflow.core import formats
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework.models import Period, PeriodKind, Subject, Track
from workflow.framework.rules import tracks_of
from workflow.monthly.models import MonthlyPlan, MonthState, PlanLine
from workflow.monthly.scoring import TRACK
from workflow.notifications.keys import event_key
from workflow.notifications.operations import notify

WAITING_FOR_MANAGER = (MonthState.AGREED, MonthState.SELF_ASSESSED, MonthState.RETURNED)
NAMES_LIMIT = 50


def _months(today) -> list[Period]:
    """The months whose self-assessment days or assessment due day may have come: those that
    ended at most a month ago or end within a few days."""
    return list(db.session.scalars(
        select(Period).join(Track, Period.track_id == Track.id).join(Cycle, Period.cycle_id == Cycle.id)
        .where(Track.code == TRACK, Period.kind == PeriodKind.MONTH, Period.ends_on >= today - timedelta(days=45),
               Period.starts_on <= today)))


def _last_working_days(cal: WorkingCalendar, period: Period, count: int = 2):
    day = period.ends_on if cal.is_working_day(period.ends_on) else cal.previous_working_day(period.ends_on)
    for _ in range(count - 1):
        day = cal.previous_working_day(day - timedelta(days=1))
    return day


def month_name(period: Period) -> str:
    return f"{period.number:02d}/{period.cycle.year}"


@job("monthly.remind", order=35)
def remind(now: datetime) -> dict[str, int]:
    servants = managers = escalated = 0
    for period in _months(formats.local(now).date()):
        cal = WorkingCalendar(calendar_rules(period.cycle))
        today = cal.local_date(now)
        if _last_working_days(cal, period) <= today <= period.ends_on:
            servants += _remind_servants(period, now)
        if period.due_on <= today:
            managers += _remind_managers(period, now)
        if escalation_day(cal, period) <= today:
            escalated += _escalate_to_heads(period, now)
    return {"servants": servants, "managers": managers, "escalated": escalated}


DEFAULT_ESCALATION_DAYS = 2


def escalation_day(cal: WorkingCalendar, period: Period) -> date:
    """The `escalate_after_days`-th working day after the month's assessment is due (a cycle
    whose rules predate the setting: 2)."""
    days = tracks_of(period.cycle.rules).get(TRACK, {}).get("escalate_after_days", DEFAULT_ESCALATION_DAYS)
    day = period.due_on
    for _ in range(days):
        day = cal.next_working_day(day + timedelta(days=1))
    return day


def _remind_servants(period: Period, now: datetime) -> int:
    rows = db.session.execute(
        select(Person, MonthlyPlan.id, func.count(PlanLine.id))
        .join(Subject, Subject.person_id == Person.id).join(MonthlyPlan, MonthlyPlan.subject_id == Subject.id)
        .join(PlanLine, PlanLine.plan_id == MonthlyPlan.id)
        .where(MonthlyPlan.period_id == period.id, MonthlyPlan.state == MonthState.AGREED, Person.active.is_(True))
        .group_by(Person.id, MonthlyPlan.id)).all()
    queued = 0
    for person, plan_id, count in rows:
        queued += notify(person, "monthly_self_reminder", event_key("monthly_self", period, recipient=person), "monthly_self_reminder",
                         {"month": month_name(period), "ends_on": period.ends_on, "count": count, "path": f"/monthly/months/{plan_id}"},
                         when=now, cycle=period.cycle_id)
    return queued


def _remind_managers(period: Period, now: datetime) -> int:
    head = RoleGrant.__table__.alias("head")
    servant = Person.__table__.alias("servant")
    manager_id = func.coalesce(servant.c.manager_id, head.c.person_id)
    rows = db.session.execute(
        select(manager_id, servant.c.full_name)
        .select_from(MonthlyPlan).join(Subject, MonthlyPlan.subject_id == Subject.id).join(servant, servant.c.id == Subject.person_id)
        .outerjoin(head, and_(head.c.role == Role.HEAD.value, head.c.unit_id == Subject.unit_id))
        .where(MonthlyPlan.period_id == period.id, MonthlyPlan.state.in_(WAITING_FOR_MANAGER))
        .order_by(servant.c.full_name)).all()
    team: dict[int, list[str]] = defaultdict(list)
    for manager, name in rows:
        if manager is not None:
            team[manager].append(name)
    if not team:
        return 0
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(team), Person.active.is_(True)))}
    queued = 0
    for manager, names in team.items():
        if manager in people:
            person = people[manager]
            queued += notify(person, "monthly_assess_reminder", event_key("monthly_assess", period, recipient=person), "monthly_assess_reminder",
                             {"month": month_name(period), "due_on": period.due_on, "names": names[:NAMES_LIMIT], "total": len(names),
                              "path": f"/monthly/team?period_id={period.id}"}, when=now, cycle=period.cycle_id)
    return queued


def _escalate_to_heads(period: Period, now: datetime) -> int:
    """One message to each head of agency listing the direct managers of the agency still late
    with the month's assessments and their servants waiting; two statements."""
    head = RoleGrant.__table__.alias("head")
    servant = Person.__table__.alias("servant")
    manager_id = func.coalesce(servant.c.manager_id, head.c.person_id)
    rows = db.session.execute(
        select(head.c.person_id, manager_id, servant.c.full_name)
        .select_from(MonthlyPlan).join(Subject, MonthlyPlan.subject_id == Subject.id).join(servant, servant.c.id == Subject.person_id)
        .join(head, and_(head.c.role == Role.HEAD.value, head.c.unit_id == Subject.unit_id))
        .where(MonthlyPlan.period_id == period.id, MonthlyPlan.state.in_(WAITING_FOR_MANAGER),
               manager_id != head.c.person_id, servant.c.id != head.c.person_id)
        .order_by(servant.c.full_name)).all()
    late: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for head_id, manager, name in rows:
        late[head_id][manager].append(name)
    if not late:
        return 0
    wanted = set(late) | {m for managers in late.values() for m in managers}
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(wanted)))}
    queued = 0
    for head_id, managers in late.items():
        person = people[head_id]
        if not person.active:
            continue
        listed = sorted(({"name": people[m].full_name, "servants": names[:NAMES_LIMIT], "count": len(names)} for m, names in managers.items()),
                        key=lambda item: item["name"])
        queued += notify(person, "monthly_escalation", event_key("monthly_escalation", period, recipient=person), "monthly_escalation",
                         {"month": month_name(period), "due_on": period.due_on, "managers": listed[:NAMES_LIMIT], "total_managers": len(listed),
                          "total": sum(item["count"] for item in listed), "path": f"/monthly/team?period_id={period.id}"},
                         when=now, cycle=period.cycle_id)
    return queued
