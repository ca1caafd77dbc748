"""The e-mail a report's steps cause: returned, reopened, accepted, a direction given; and the
end of a head's reminders once their report is in. Reminders themselves and the escalation
are queued by the scheduler jobs (`jobs.py`), many at once.

Messages go to the unit's current head (the person holding the head role now, who may have
taken over from the one who registered); keys make each event reach each person once.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select

from workflow.accounts.models import Person, Role, RoleGrant
from workflow.extensions import db
from workflow.notifications.keys import event_key
from workflow.notifications.operations import cancel_queued, notify
from workflow.reports.models import QuarterlyReport, SupportDirection, SupportRequest
from workflow.reports.rules import WINDOW_OPEN, reminder_offsets, report_rules


def current_head(unit_id: int, fallback_id: int | None = None) -> Person | None:
    person = db.session.scalar(
        select(Person).join(RoleGrant, RoleGrant.person_id == Person.id).where(RoleGrant.role == Role.HEAD, RoleGrant.unit_id == unit_id)
    )
    if person is None and fallback_id is not None:
        person = db.session.get(Person, fallback_id)
    return person


def report_context(report: QuarterlyReport) -> dict[str, Any]:
    registration = report.registration
    return {
        "report": report,
        "unit": registration.unit,
        "cycle": registration.cycle,
        "quarter": report.quarter,
        "due_on": report.due_on,
        "report_path": f"/reports/{report.id}",
    }


def report_step(report: QuarterlyReport, step: str, number: int) -> bool:
    """Tell the head their report was returned, reopened or accepted."""
    head = current_head(report.registration.unit_id, report.registration.head_id)
    if head is None:
        return False
    kind = {"return": "report_returned", "reopen": "report_reopened", "accept": "report_accepted"}[step]
    template = "report_accepted" if step == "accept" else "report_returned"
    context = {**report_context(report), "reopened": step == "reopen", "reason": report.returned_reason}
    return notify(head, kind, event_key(kind, report.id, number, recipient=head), template, context,
                  cycle=report.registration.cycle_id, quarter=report.quarter)


def direction_given(request: SupportRequest, direction: SupportDirection) -> int:
    """Tell the head (and whoever raised the request, if someone else) about a direction."""
    report = request.report
    people = {p.id: p for p in (current_head(report.registration.unit_id, report.registration.head_id), request.created_by) if p is not None}
    context = {**report_context(report), "request": request, "direction": direction, "author": direction.author}
    queued = 0
    for person in people.values():
        key = event_key("direction_given", direction.id, recipient=person)
        queued += notify(person, "direction_given", key, "direction_given", context, cycle=report.registration.cycle_id, quarter=report.quarter)
    return queued


def reminder_kinds(cycle: Any) -> list[str]:
    return [WINDOW_OPEN, *reminder_offsets(report_rules(cycle))]


def stop_reminders(report: QuarterlyReport, *, actor: Person) -> int:
    """Cancel the reminders still waiting for this quarter, unless the person also heads
    another unit whose report for the quarter is not in yet (reminders are per person)."""
    registration = report.registration
    from workflow.targets.models import Registration

    others = db.session.scalar(
        select(func.count()).select_from(QuarterlyReport).join(Registration, QuarterlyReport.registration_id == Registration.id).where(
            Registration.cycle_id == registration.cycle_id,
            Registration.unit_id.in_(actor.head_unit_ids - {registration.unit_id} or {-1}),
            QuarterlyReport.quarter == report.quarter,
            QuarterlyReport.first_submitted_at.is_(None),
        )
    )
    if others:
        return 0
    return cancel_queued(
        reason=gettext("The report for quarter %(quarter)s was submitted.", quarter=report.quarter),
        actor=actor, recipient=actor, cycle=registration.cycle_id, quarter=report.quarter, kinds=reminder_kinds(registration.cycle),
    )
