"""The scheduler jobs of quarterly reports (see `scheduler` for the contract): state-based,
keyed, one transaction each.

- `reports.open_windows`: once a quarter's window is open, a draft report for every officially
  assigned registration of a cycle in execution that has none (one INSERT … SELECT per window;
  ON CONFLICT DO NOTHING, so a head who opened theirs meanwhile is not disturbed).
- `reports.remind`: the reminder due now for each window (the window-open notice, the days
  before the due date, the due day, the days after it; `reports.reminders` in the rules), to the
  current head of every unit whose report for that quarter was never submitted. Only the
  latest reminder due is sent: after downtime the earlier ones are stale. A person heading
  several units gets one message naming them all. Deadline reminders carry an .ics file whose
  event keeps one UID per person and quarter, so each reminder updates the same calendar entry.
- `reports.escalate`: `escalate_after` days after the due date, one message to each staff
  officer listing every report of the units they follow still not submitted. Sent once per
  officer and window: the monitoring page and the staff dashboard keep the list current after
  that, and a second message would say nothing new to the officer who was told.

Reminders are queued many at once (`workflow.notifications.bulk.notify_select`): the message is
rendered once per language and the database writes every person's copy in one INSERT … SELECT,
so a tick that finds every head's reminder due costs a few statements, not one per head.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from flask import current_app
from sqlalchemy import String, and_, case, cast, exists, func, literal, or_, select

from scheduler import job
from workflow.accounts.models import Person, Role, RoleGrant
from workflow.calendar import WorkingCalendar, calendar_rules
from workflow.calendar.days import Window
from workflow.core import audit, formats
from workflow.core.database import conflict_insert
from workflow.core.models import utcnow
from workflow.cycles.models import Cycle, CycleState
from workflow.extensions import db
from workflow.notifications.bulk import notify_select
from workflow.notifications.ics import deadline_event, uid_for
from workflow.notifications.keys import reminder_key
from workflow.notifications.models import Notification
from workflow.notifications.operations import notify
from workflow.framework.models import Period, PeriodKind
from workflow.reports.models import QuarterlyReport, ReportState
from workflow.reports.monitoring import heads_of
from workflow.reports.rules import ESCALATION, WINDOW_OPEN, reminder_offsets, report_rules
from workflow.targets.models import Registration, RegistrationState
from workflow.units.models import Unit

QUARTERS = (1, 2, 3, 4)
PER_PERSON = ("full_name", "units", "path")
ICS_TOKEN = "KPIPERSONID"
ESCALATION_LIST_LIMIT = 200


def cycles_in_execution() -> list[Cycle]:
    return list(db.session.scalars(select(Cycle).where(Cycle.state == CycleState.EXECUTION).order_by(Cycle.year)))


# --- opening the windows ---------------------------------------------------------------------

@job("reports.open_windows", order=20)
def open_windows(now: datetime) -> dict[str, int]:
    """Create the draft report of every assigned registration once its quarter's window opens."""
    opened = 0
    created_at = utcnow()
    for cycle in cycles_in_execution():
        cal = WorkingCalendar(calendar_rules(cycle))
        for q in QUARTERS:
            window = cal.window(cycle.year, q)
            if not window.is_open(now):
                continue
            missing = ~exists().where(QuarterlyReport.registration_id == Registration.id, QuarterlyReport.quarter == q)
            # The period of the registration's track with this number: tracks divided into
            # quarters only (a monthly track's plans are not reported on quarterly).
            period = and_(Period.cycle_id == Registration.cycle_id, Period.track_id == Registration.track_id,
                          Period.kind == PeriodKind.QUARTER, Period.number == q)
            source = select(
                Registration.id, Period.id, literal(q), literal(ReportState.DRAFT.value), literal(window.due_on), literal(created_at), literal(created_at),
                literal(0), literal(""), literal(0), literal(1),
            ).join(Period, period).where(Registration.cycle_id == cycle.id, Registration.state == RegistrationState.ASSIGNED, missing)
            t = QuarterlyReport.__table__
            columns = [t.c.registration_id, t.c.period_id, t.c.quarter, t.c.state, t.c.due_on, t.c.created_at, t.c.changed_at, t.c.days_late,
                       t.c.returned_reason, t.c.reopened, t.c.version]
            stmt = (conflict_insert(db.session, t).from_select(columns, source).on_conflict_do_nothing(index_elements=["registration_id", "quarter"])
                    .returning(t.c.id))
            count = len(db.session.execute(stmt).all())
            if count:
                audit.record("report.open_window", actor=None, object_type="quarterly_report",
                             summary=cycle.name, data={"cycle_id": cycle.id, "quarter": q, "year": cycle.year, "count": count})
            opened += count
    return {"opened": opened}


# --- reminders -------------------------------------------------------------------------------

def not_yet_submitted(cycle: Cycle, quarter: int) -> Any:
    """(head, unit, registration, report) of every assigned registration whose report for the
    quarter was never submitted, with the unit's current head."""
    return (
        select(Person.id, Person.full_name, Person.email, Person.locale, Unit.id.label("unit_id"), Unit.name.label("unit_name"),
               Unit.staff_officer_id, Registration.id.label("registration_id"), QuarterlyReport.id.label("report_id"))
        .select_from(Registration)
        .join(Unit, Registration.unit_id == Unit.id)
        .join(RoleGrant, and_(RoleGrant.unit_id == Registration.unit_id, RoleGrant.role == Role.HEAD))
        .join(Person, and_(Person.id == RoleGrant.person_id, Person.active.is_(True)))
        .outerjoin(QuarterlyReport, and_(QuarterlyReport.registration_id == Registration.id, QuarterlyReport.quarter == quarter))
        .where(Registration.cycle_id == cycle.id, Registration.state == RegistrationState.ASSIGNED,
               or_(QuarterlyReport.id.is_(None), QuarterlyReport.first_submitted_at.is_(None)))
    )


def phase_of(kind: str) -> tuple[str, int]:
    """("window_open" | "before" | "due_today" | "overdue", days) of a reminder kind."""
    if kind == WINDOW_OPEN:
        return "window_open", 0
    if kind == "report_due_today":
        return "due_today", 0
    if kind.startswith("report_due_in_"):
        return "before", int(kind.rsplit("_", 1)[1])
    return "overdue", int(kind.rsplit("_", 1)[1])


def reminder_context(cycle: Cycle, window: Window, kind: str) -> dict[str, Any]:
    phase, days = phase_of(kind)
    return {"cycle": cycle, "quarter": window.quarter, "window": window, "due_on": window.due_on, "due_at": window.due_at,
            "phase": phase, "days": days}


def _domain() -> str:
    return parseaddr(current_app.config["KPI"]["mail_from"])[1].rpartition("@")[2] or "localhost"


def deadline_ics(cycle: Cycle, window: Window, sequence: int, stamp: datetime) -> str:
    """The calendar file of a deadline reminder, with ICS_TOKEN where each person's id goes (one
    entry per person and quarter, updated by each later reminder)."""
    from flask_babel import force_locale, gettext

    with force_locale(current_app.config["KPI"]["default_locale"]):
        summary = gettext("Report for quarter %(quarter)s/%(year)s due", quarter=window.quarter, year=cycle.year)
        description = gettext("The quarterly report on your assigned targets and tasks is due by %(when)s.",
                              when=formats.day_time(window.due_at))
    base = current_app.config["KPI"]["base_url"].rstrip("/")
    text = deadline_event(uid_for("kpi-report", cycle.year, f"q{window.quarter}", ICS_TOKEN, domain=_domain()), summary, description,
                          window.due_at, f"{base}/reports/mine", current_app.config["KPI"]["mail_from"], sequence=sequence, stamp=stamp)
    if text.count(ICS_TOKEN) != 1:
        raise ValueError("the calendar file's UID was folded or escaped: cannot be personalised")
    return text


def heads_to_remind(cycle: Cycle, quarter: int, kind: str) -> Any:
    """One row per person to remind (person_id, email, locale, full_name, units, path): the
    current heads of units whose report for the quarter was never submitted, who have not had
    this reminder. A person heading several units gets one row naming them all."""
    already = exists().where(Notification.dedup_key == literal(key_prefix(cycle, quarter, kind)) + cast(Person.id, String))
    due = not_yet_submitted(cycle, quarter).where(~already).subquery()
    single = and_(func.count() == 1, func.max(due.c.report_id).is_not(None))
    # Without a leading slash: `link()` in the template adds it before the placeholder.
    path = case((single, literal("reports/") + cast(func.max(due.c.report_id), String)), else_=literal("reports/mine"))
    return (
        select(due.c.id.label("person_id"), due.c.email, due.c.locale, due.c.full_name,
               func.aggregate_strings(due.c.unit_name, ", ").label("units"), path.label("path"))
        .group_by(due.c.id, due.c.email, due.c.locale, due.c.full_name)
    )


def key_prefix(cycle: Cycle, quarter: int, kind: str) -> str:
    """reminder_key(person, …) without the person's id at its end."""
    return reminder_key(0, cycle, quarter, kind).rsplit(":", 1)[0] + ":"


def queue_reminders(cycle: Cycle, window: Window, kind: str, sequence: int, now: datetime) -> int:
    """The reminder `kind` of `window` to every head who has not reported and has not had it."""
    phase, _ = phase_of(kind)
    ics = deadline_ics(cycle, window, sequence, now) if phase != "window_open" else None
    return notify_select(heads_to_remind(cycle, window.quarter, kind), kind, "report_reminder", reminder_context(cycle, window, kind),
                         fields=PER_PERSON, key_prefix=key_prefix(cycle, window.quarter, kind), when=now, cycle=cycle, quarter=window.quarter,
                         ics=ics, ics_token=ICS_TOKEN, ics_filename=f"han-bao-cao-quy-{window.quarter}-{cycle.year}.ics")


def schedule_of(cal: WorkingCalendar, window: Window, rules: dict[str, Any]) -> list[tuple[str, datetime]]:
    """(kind, when) of the reminders about `window`. A reminder that would go out before the
    window opens (the week-before reminder of a window opening after a long holiday) is
    dropped: the opening notice, sent later, already gives the due date."""
    opens = cal.reminder_at(cal.next_working_day(window.opens_on))
    schedule = cal.reminder_schedule(window, reminder_offsets(rules), on_opening=WINDOW_OPEN if rules["reminders"]["window_open"] else None)
    return [(kind, when) for kind, when in schedule if kind == WINDOW_OPEN or when >= opens]


@job("reports.remind", order=30)
def remind(now: datetime) -> dict[str, int]:
    """Remind the heads whose quarterly report is not in: the reminder due now for each window."""
    queued = 0
    for cycle in cycles_in_execution():
        rules = report_rules(cycle)
        cal = WorkingCalendar(calendar_rules(cycle))
        for q in QUARTERS:
            window = cal.window(cycle.year, q)
            if not window.is_open(now):
                continue
            schedule = schedule_of(cal, window, rules)
            kind = cal.latest_reminder(schedule, now)
            if kind is None:
                continue
            sequence = [k for k, _ in schedule].index(kind)
            queued += queue_reminders(cycle, window, kind, sequence, now)
    return {"queued": queued}


# --- escalation ------------------------------------------------------------------------------

def escalation_at(cal: WorkingCalendar, window: Window, days: int) -> datetime:
    return cal.reminder_at(cal.next_working_day(window.due_on + timedelta(days=days)))


@job("reports.escalate", order=40)
def escalate(now: datetime) -> dict[str, int]:
    """Tell each staff officer, once per window, which reports of their units are still missing."""
    queued = 0
    for cycle in cycles_in_execution():
        days = report_rules(cycle)["reminders"]["escalate_after"]
        if not days:
            continue
        cal = WorkingCalendar(calendar_rules(cycle))
        for q in QUARTERS:
            window = cal.window(cycle.year, q)
            if now < escalation_at(cal, window, days):
                continue
            queued += escalate_window(cycle, cal, window, now)
    return {"queued": queued}


def escalate_window(cycle: Cycle, cal: WorkingCalendar, window: Window, now: datetime) -> int:
    officer = Person.__table__.alias("officer")
    already = exists().where(Notification.dedup_key == literal(key_prefix(cycle, window.quarter, ESCALATION)) + cast(Unit.staff_officer_id, String))
    late = db.session.execute(
        select(Unit.staff_officer_id, Unit.id.label("unit_id"), Unit.name, QuarterlyReport.id.label("report_id"))
        .select_from(Registration)
        .join(Unit, Registration.unit_id == Unit.id)
        .join(officer, and_(officer.c.id == Unit.staff_officer_id, officer.c.active.is_(True)))
        .outerjoin(QuarterlyReport, and_(QuarterlyReport.registration_id == Registration.id, QuarterlyReport.quarter == window.quarter))
        .where(Registration.cycle_id == cycle.id, Registration.state == RegistrationState.ASSIGNED,
               or_(QuarterlyReport.id.is_(None), QuarterlyReport.first_submitted_at.is_(None)), ~already)
        .order_by(Unit.staff_officer_id, Unit.name)
    ).all()
    if not late:
        return 0
    by_officer: dict[int, list[Any]] = defaultdict(list)
    for row in late:
        by_officer[row.staff_officer_id].append(row)
    officers = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(by_officer)))}
    heads = heads_of([r.unit_id for r in late])
    days_late = max(0, (cal.local_date(now) - window.due_on).days)
    queued = 0
    for officer_id, rows in by_officer.items():
        person = officers[officer_id]
        items = [{"unit": r.name, "head": heads[r.unit_id].full_name if r.unit_id in heads else "", "path": f"/reports/{r.report_id}" if r.report_id else None}
                 for r in rows]
        context = {"cycle": cycle, "quarter": window.quarter, "due_on": window.due_on, "days_late": days_late,
                   "items": items[:ESCALATION_LIST_LIMIT], "total": len(items),
                   "monitor_path": f"/reports/monitor?staff_id={officer_id}&quarter={window.quarter}&state=late"}
        queued += notify(person, ESCALATION, reminder_key(person, cycle, window.quarter, ESCALATION), "report_escalation", context,
                         when=now, cycle=cycle, quarter=window.quarter)
    return queued

