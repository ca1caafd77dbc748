"""The scheduler jobs of the unsatisfied cases (see `scheduler` for the contract).

- `ratings.remind_cases`: `remind_before_days` working days before an open case is due, the head
  of its unit is reminded, once (`reminded_at`, and the message's key);
- `ratings.escalate_cases`: `escalate_after_days` working days after the due date of a case still
  open, the head of the parent unit (else the staff officer following the unit) is told, once
  (`escalated_at`). A case about the head of the unit themself goes there too: a head does not
  answer about themself.

The rules in force are read (cases are not tied to a cycle); each case's dates are computed on
the working calendar.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import select

from scheduler import job
from workflow.accounts.models import Person
from workflow.calendar import WorkingCalendar
from workflow.extensions import db
from workflow.notifications.keys import event_key
from workflow.notifications.operations import notify
from workflow.ratings import rules as rating_rules
from workflow.ratings.models import CaseState, RatingCase
from workflow.ratings.operations import head_of
from workflow.units.models import Unit

LOOK_AHEAD_DAYS = 31  # further than any reminder goes before a due date


def _shift(calendar: WorkingCalendar, day: date, working_days: int) -> date:
    step = 1 if working_days >= 0 else -1
    for _ in range(abs(working_days)):
        day += timedelta(days=step)
        while not calendar.is_working_day(day):
            day += timedelta(days=step)
    return day


def _tell(now: datetime, stamp: str, offset_key: str, kind: str, recipient_of: Callable[[RatingCase], Person | None], *due: object) -> int:
    """For every open case not yet `stamp`ed whose day (its due date moved by the rules'
    `offset_key` working days) has come: stamp it, and tell the person `recipient_of` names."""
    rules = rating_rules.in_force()
    calendar = WorkingCalendar(rules["calendar"])
    today = calendar.local_date(now)
    offset = rules["ratings"][offset_key] * (-1 if offset_key == "remind_before_days" else 1)
    stamped = getattr(RatingCase, stamp)
    cases = db.session.scalars(select(RatingCase).where(RatingCase.state == CaseState.OPEN, stamped.is_(None), *due).order_by(RatingCase.id))
    told = 0
    for case in list(cases):
        if _shift(calendar, case.due_on, offset) > today:
            continue
        setattr(case, stamp, now)
        recipient = recipient_of(case)
        if recipient is not None and recipient.id != case.official_id:
            told += notify(recipient, kind, event_key(kind, case, recipient=recipient), "rating_case",
                           {"case": case, "stage": kind.removeprefix("rating_case_")}, when=now)
    return told


@job("ratings.remind_cases", order=60)
def remind_cases(now: datetime) -> dict[str, int]:
    """Remind the head of a unit of a case about to fall due."""
    horizon = RatingCase.due_on <= now.date() + timedelta(days=LOOK_AHEAD_DAYS)
    return {"reminded": _tell(now, "reminded_at", "remind_before_days", "rating_case_reminder", lambda case: head_of(case.unit_id), horizon)}


def escalation_recipient(case: RatingCase) -> Person | None:
    unit = db.session.get(Unit, case.unit_id)
    if unit is None:
        return None
    above = head_of(unit.parent_id) if unit.parent_id else None
    return above or unit.staff_officer


@job("ratings.escalate_cases", order=61)
def escalate_cases(now: datetime) -> dict[str, int]:
    """Tell the head of the parent unit of a case not answered in time."""
    return {"escalated": _tell(now, "escalated_at", "escalate_after_days", "rating_case_escalated", escalation_recipient,
                               RatingCase.due_on < now.date() + timedelta(days=1))}
