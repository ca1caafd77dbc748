"""Dashboard panels: what waits for each role in the target-assignment workflow.

Heads see their registration, its state and what to do next; staff the registrations
awaiting review in the units they follow, with counts by state; the committee the
registrations awaiting its decision, open proposals and amendment requests. Each loader
runs a fixed number of statements.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from workflow.accounts.models import Person, Role
from workflow.cycles.operations import current_cycle
from workflow.dashboard import panel
from workflow.extensions import db
from workflow.targets.models import Registration, RegistrationState
from workflow.targets.queries import open_proposals_total, requested_amendments, state_counts
from workflow.targets.warnings import warnings_for_many
from workflow.units.models import Unit

LIST_LIMIT = 8


def next_step_for_head(registration: Registration | None) -> str:
    if registration is None:
        return gettext("Start your registration: list your targets and tasks for the year.")
    return {
        RegistrationState.DRAFT: gettext("Complete your targets and tasks, check the warnings, then submit."),
        RegistrationState.SUBMITTED: gettext("Submitted: the staff agency is reviewing it."),
        RegistrationState.REVIEWED: gettext("Reviewed: awaiting the standing committee's decision."),
        RegistrationState.RETURNED: gettext("Returned to you: read the reason, adjust and submit again."),
        RegistrationState.ASSIGNED: gettext("Officially assigned. Changes now need an amendment."),
    }[registration.state]


def _waiting(cycle_id: int, state: RegistrationState, *conditions: Any, order: Any) -> tuple[list[tuple[Registration, int]], int]:
    """Registrations of the cycle in `state` (first LIST_LIMIT, with their warning counts) and
    how many there are: four statements however many."""
    stmt = (
        select(Registration)
        .join(Unit, Registration.unit_id == Unit.id)
        .where(Registration.cycle_id == cycle_id, Registration.state == state, *conditions)
        .order_by(order)
    )
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(db.session.scalars(stmt.options(joinedload(Registration.unit), selectinload(Registration.targets), joinedload(Registration.cycle)).limit(LIST_LIMIT)))
    warnings = warnings_for_many(items)
    return [(r, len(warnings[r.id])) for r in items], total


@panel("targets.head", "targets/panel_head.html", roles={Role.HEAD}, order=10)
def head_panel(person: Person) -> dict[str, Any] | None:
    cycle = current_cycle()
    if cycle is None or not person.head_unit_ids:
        return None
    registrations = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.cycle_id == cycle.id, Registration.unit_id.in_(person.head_unit_ids))
            .options(joinedload(Registration.unit), joinedload(Registration.cycle), selectinload(Registration.targets))
        )
    )
    warnings = warnings_for_many(registrations)
    rows = [(r, len(warnings[r.id]), next_step_for_head(r)) for r in registrations]
    return {"cycle": cycle, "rows": rows, "missing": len(person.head_unit_ids) > len(registrations), "start_hint": next_step_for_head(None)}


@panel("targets.staff", "targets/panel_staff.html", roles={Role.STAFF}, order=10)
def staff_panel(person: Person) -> dict[str, Any] | None:
    cycle = current_cycle()
    if cycle is None:
        return None
    rows, total = _waiting(cycle.id, RegistrationState.SUBMITTED, Unit.staff_officer_id == person.id, order=Registration.submitted_at)
    return {"cycle": cycle, "rows": rows, "total": total, "counts": state_counts(cycle.id)}


@panel("targets.committee", "targets/panel_committee.html", roles={Role.COMMITTEE}, order=10)
def committee_panel(person: Person) -> dict[str, Any] | None:
    cycle = current_cycle()
    if cycle is None:
        return None
    rows, total = _waiting(cycle.id, RegistrationState.REVIEWED, order=Unit.name)
    amendments, amendment_total = requested_amendments(LIST_LIMIT)
    return {
        "cycle": cycle,
        "rows": rows,
        "total": total,
        "open_proposals": open_proposals_total(cycle.id),
        "amendments": amendments,
        "amendment_total": amendment_total,
        "counts": state_counts(cycle.id),
    }
