"""The e-mail a month's steps cause: submitted (to those who recognise it), recognised or
returned (to the collective's head). Queued in the step's transaction; a key per month, step
number and person makes each reach each person once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from workflow.accounts.models import Person, Role, RoleGrant
from workflow.accounts.queries import heads_of
from workflow.extensions import db
from workflow.notifications.keys import event_key
from workflow.notifications.operations import notify
from workflow.selfscoring.models import CollectiveSelfScore

KINDS = {"submit": "self_score_submitted", "recognise": "self_score_recognised", "return": "self_score_returned",
         "withdraw": "self_score_returned"}


def recognisers(row: CollectiveSelfScore) -> list[Person]:
    """Who recognises the month: the parent unit's head, or the standing committee."""
    unit = row.subject.unit
    if unit.parent_id is not None:
        return heads_of([unit.parent_id])
    return list(db.session.scalars(select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
                                   .where(RoleGrant.role == Role.COMMITTEE, Person.active.is_(True)).distinct().order_by(Person.id)))


def _context(row: CollectiveSelfScore) -> dict[str, Any]:
    return {"row": row, "unit": row.subject.unit, "cycle": row.cycle, "month": row.month,
            "month_path": f"/self-scoring/months/{row.id}", "waiting_path": "/self-scoring/waiting"}


def month_step(row: CollectiveSelfScore, step: str, number: int) -> int:
    """Tell the other party: a submitted month to its recognisers, a recognised or returned one
    to the collective's head(s). Returns how many messages were queued."""
    people = recognisers(row) if step == "submit" else heads_of([row.subject.unit_id])
    kind = KINDS[step]
    queued = 0
    for person in people:
        queued += notify(person, kind, event_key(kind, row.id, number, recipient=person), kind, {**_context(row), "step": step},
                         cycle=row.cycle_id)
    return queued
