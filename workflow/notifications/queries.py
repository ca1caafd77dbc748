"""Reading the outbox for the admin page and the API: the same filters, a fixed number of
statements whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from workflow.accounts.models import Person
from workflow.extensions import db
from workflow.notifications.models import Notification, State


@dataclass
class OutboxFilters:
    state: State | None = None
    kind: str = ""
    recipient: str = ""  # part of the username, name or address

    @classmethod
    def from_args(cls, args: Any) -> OutboxFilters:
        """From a query string, never failing: unknown values are ignored."""
        raw_state = (args.get("state") or "").strip()
        state = State(raw_state) if raw_state in {s.value for s in State} else None
        return cls(state=state, kind=(args.get("kind") or "").strip()[:64], recipient=(args.get("recipient") or "").strip()[:100])

    def as_args(self) -> dict[str, str]:
        return {"state": self.state.value if self.state else "", "kind": self.kind, "recipient": self.recipient}


def outbox_query(filters: OutboxFilters) -> Select[Any]:
    """Failed messages first (they need someone), then the newest."""
    stmt = select(Notification).options(joinedload(Notification.recipient))
    if filters.state is not None:
        stmt = stmt.where(Notification.state == filters.state)
    if filters.kind:
        stmt = stmt.where(Notification.kind == filters.kind)
    if filters.recipient:
        needle = filters.recipient
        people = select(Person.id).where(
            or_(Person.username.contains(needle.lower(), autoescape=True), Person.full_name.contains(needle, autoescape=True))
        )
        stmt = stmt.where(or_(Notification.to_address.contains(needle, autoescape=True), Notification.recipient_id.in_(people)))
    failed_first = (Notification.state == State.FAILED).desc()
    return stmt.order_by(failed_first, Notification.id.desc())


def state_counts() -> dict[str, int]:
    rows = db.session.execute(select(Notification.state, func.count()).group_by(Notification.state))
    counts = {s.value: 0 for s in State}
    counts.update({state.value: n for state, n in rows})
    return counts


def kinds() -> list[str]:
    return list(db.session.scalars(select(Notification.kind).distinct().order_by(Notification.kind)))
