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

A civil service has hundreds of thousands of servants: the messages are queued many at once
(`workflow.notifications.bulk.notify_select`), rendered once per language and written by one
INSERT … SELECT each, so a tick that finds every servant due costs a few statements.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, exists, func, literal, select

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
from workflow.notifications.bulk import notify_select
from workflow.notifications.keys import event_key
from workflow.notifications.models import Notification
from workflow.notifications.operations import notify

WAITING_FOR_MANAGER = (MonthState.AGREED, MonthState.SELF_ASSESSED, MonthState.RETURNED)
NAMES_LIMIT = 50
SERVANT_FIELDS = ("full_name", "count", "path")
MANAGER_FIELDS = ("full_name", "total", "names_lines", "names_list")


def _months(today) -> list[Period]:
    """The months whose self-assessment days or assessment due day may have come: those that
    ended at most a month ago or end within a few days."""
    return list(db.session.scalars(
        select(Period).join(Track, Period.track_id == Track.id).join(Cycle, Period.cycle_id == Cycle.id)
        .where(Track.code == TRACK, Period.kind == PeriodKind.MONTH, Period.ends_on >= today - timedelta(days=45),
               Period.starts_on <= today)))


def month_name(period: Period) -> str:
    return f"{period.number:02d}/{period.cycle.year}"


@job("monthly.remind", order=35)
def remind(now: datetime) -> dict[str, int]:
    servants = managers = escalated = 0
    for period in _months(formats.local(now).date()):
        cal = WorkingCalendar(calendar_rules(period.cycle))
        today = cal.local_date(now)
        if cal.last_working_days(period.ends_on) <= today <= period.ends_on:
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


def key_prefix(kind: str, period: Period) -> str:
    """event_key(kind, period, recipient=…) without the person's id at its end."""
    return event_key(kind, period, recipient=0)[:-1]


def _not_told(prefix: str, person_id: Any) -> Any:
    """The person has not had this month's message yet (so their copy is not even built)."""
    return ~exists().where(Notification.dedup_key == literal(prefix) + cast(person_id, String))


def servants_to_remind(period: Period, prefix: str) -> Any:
    """One row per active servant whose month is assigned and not self-assessed, not yet
    reminded: person_id, email, locale, full_name, count (of products), path (to the month).
    A servant evaluated in two units is reminded once, of the first month opened."""
    plans = (select(Subject.person_id.label("person_id"), MonthlyPlan.id.label("plan_id"), func.count(PlanLine.id).label("count"),
                    func.row_number().over(partition_by=Subject.person_id, order_by=MonthlyPlan.id).label("nth"))
             .join(Subject, MonthlyPlan.subject_id == Subject.id).join(PlanLine, PlanLine.plan_id == MonthlyPlan.id)
             .where(MonthlyPlan.period_id == period.id, MonthlyPlan.state == MonthState.AGREED)
             .group_by(Subject.person_id, MonthlyPlan.id).subquery("plans"))
    # Without a leading slash: `link()` in the template adds it before the placeholder.
    return (select(Person.id.label("person_id"), Person.email, Person.locale, Person.full_name,
                   cast(plans.c.count, String).label("count"), (literal("monthly/months/") + cast(plans.c.plan_id, String)).label("path"))
            .join(plans, plans.c.person_id == Person.id)
            .where(plans.c.nth == 1, Person.active.is_(True), _not_told(prefix, Person.id)))


def _remind_servants(period: Period, now: datetime) -> int:
    prefix = key_prefix("monthly_self", period)
    return notify_select(servants_to_remind(period, prefix), "monthly_self_reminder", "monthly_self_reminder",
                         {"month": month_name(period), "ends_on": period.ends_on}, fields=SERVANT_FIELDS, key_prefix=prefix,
                         when=now, cycle=period.cycle_id)


def _names(column: Any, separator: str, order: Any) -> Any:
    """The names in `order`: PostgreSQL orders inside the aggregate; SQLite (before 3.44 it
    cannot) joins them in the order of the subquery, which is already sorted."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.aggregate_strings(column, separator).aggregate_order_by(order)
    return func.aggregate_strings(column, separator)


def managers_to_remind(period: Period, prefix: str) -> Any:
    """One row per active direct manager with members whose month waits for the assessment,
    not yet reminded: person_id, email, locale, full_name, total (waiting), and the first
    NAMES_LIMIT names by name, as lines for the text and as a list for the HTML."""
    head = RoleGrant.__table__.alias("head")
    servant = Person.__table__.alias("servant")
    manager_id = func.coalesce(servant.c.manager_id, head.c.person_id)
    waiting = (select(manager_id.label("manager_id"), servant.c.full_name.label("name"),
                      func.row_number().over(partition_by=manager_id, order_by=(servant.c.full_name, servant.c.id)).label("nth"),
                      func.count().over(partition_by=manager_id).label("total"))
               .select_from(MonthlyPlan).join(Subject, MonthlyPlan.subject_id == Subject.id).join(servant, servant.c.id == Subject.person_id)
               .outerjoin(head, and_(head.c.role == Role.HEAD.value, head.c.unit_id == Subject.unit_id))
               .where(MonthlyPlan.period_id == period.id, MonthlyPlan.state.in_(WAITING_FOR_MANAGER), manager_id.is_not(None))
               .subquery("waiting"))
    listed = (select(waiting).where(waiting.c.nth <= NAMES_LIMIT, _not_told(prefix, waiting.c.manager_id))
              .order_by(waiting.c.manager_id, waiting.c.nth).subquery("listed"))
    # Grouped on their own, then joined: SQLite's group_concat keeps the subquery's order only so.
    team = (select(listed.c.manager_id, func.max(listed.c.total).label("total"),
                   _names(listed.c.name, "\n- ", listed.c.nth).label("lines"), _names(listed.c.name, ", ", listed.c.nth).label("list"))
            .group_by(listed.c.manager_id).subquery("team"))
    return (select(Person.id.label("person_id"), Person.email, Person.locale, Person.full_name, cast(team.c.total, String).label("total"),
                   (literal("- ") + team.c.lines).label("names_lines"), team.c.list.label("names_list"))
            .join(team, team.c.manager_id == Person.id)
            .where(Person.active.is_(True)))


def _remind_managers(period: Period, now: datetime) -> int:
    prefix = key_prefix("monthly_assess", period)
    return notify_select(managers_to_remind(period, prefix), "monthly_assess_reminder", "monthly_assess_reminder",
                         {"month": month_name(period), "due_on": period.due_on, "path": f"/monthly/team?period_id={period.id}"},
                         fields=MANAGER_FIELDS, key_prefix=prefix, when=now, cycle=period.cycle_id)


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
                          "total": sum(item["count"] for item in listed), "path": f"/monthly/agency?period_id={period.id}"},
                         when=now, cycle=period.cycle_id)
    return queued
