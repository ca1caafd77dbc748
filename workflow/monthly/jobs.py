"""The scheduler job of the monthly round (see `scheduler` for the contract): state-based,
keyed, one transaction.

- `monthly.remind`: on the last two working days of a month, each servant whose products are
  assigned and who has not submitted a self-assessment; from the month's assessment due day
  (the track's `due_working_day` of the next month), each direct manager with members of the
  team still not assessed, in one message naming them. Each message is keyed by the month and
  the person (`event_key`), so it is queued once however often the job runs.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from scheduler import job
from workflow.accounts.models import Person, Role, RoleGrant
from workflow.calendar import WorkingCalendar, calendar_rules
from workflow.core import formats
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework.models import Period, PeriodKind, Subject, Track
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
    servants = managers = 0
    for period in _months(formats.local(now).date()):
        cal = WorkingCalendar(calendar_rules(period.cycle))
        today = cal.local_date(now)
        if _last_working_days(cal, period) <= today <= period.ends_on:
            servants += _remind_servants(period, now)
        if period.due_on <= today:
            managers += _remind_managers(period, now)
    return {"servants": servants, "managers": managers}


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
