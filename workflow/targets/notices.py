"""E-mail to the head when their registration is returned or officially assigned, queued in the
transaction of the step (`operations.take_step`). Each reaches the unit's current head once per
step: the key names the revision the step wrote."""

from __future__ import annotations

from sqlalchemy import select

from workflow.accounts.models import Person, Role, RoleGrant
from workflow.extensions import db
from workflow.notifications.keys import event_key
from workflow.notifications.operations import notify
from workflow.targets.models import Registration


def _head(registration: Registration) -> Person | None:
    person = db.session.scalar(
        select(Person).join(RoleGrant, RoleGrant.person_id == Person.id).where(RoleGrant.role == Role.HEAD, RoleGrant.unit_id == registration.unit_id)
    )
    return person or db.session.get(Person, registration.head_id)


def registration_step(registration: Registration, step: str, revision_number: int) -> bool:
    """Tell the head of a return (with its reason) or of the official assignment."""
    if step not in ("return", "assign"):
        return False
    head = _head(registration)
    if head is None:
        return False
    kind = "registration_returned" if step == "return" else "registration_assigned"
    context = {"registration": registration, "unit": registration.unit, "cycle": registration.cycle,
               "reason": registration.returned_reason, "path": f"/registrations/{registration.id}"}
    return notify(head, kind, event_key(kind, registration.id, revision_number, recipient=head), kind, context, cycle=registration.cycle_id)
