"""The outbox: every e-mail the service sends, written in the transaction of the change that
caused it and sent afterwards by the dispatcher (`dispatch.py`). Rows are never deleted; a
message that cannot be delivered ends as `failed` and stays listed for admins.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.core.models import CreatedAt, enum_column
from workflow.extensions import db

if TYPE_CHECKING:
    from workflow.accounts.models import Person


class State(enum.StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by a dispatcher for the batch it is sending now
    SENT = "sent"
    FAILED = "failed"  # refused for good, or too many times; an admin may retry it
    CANCELLED = "cancelled"  # no longer wanted (e.g. the report was submitted meanwhile)


STATE_LABELS = {
    State.PENDING: _l("Waiting"),
    State.SENDING: _l("Sending"),
    State.SENT: _l("Sent"),
    State.FAILED: _l("Failed"),
    State.CANCELLED: _l("Cancelled"),
}
STATE_TONES = {
    State.PENDING: "info",
    State.SENDING: "primary",
    State.SENT: "success",
    State.FAILED: "danger",
    State.CANCELLED: "secondary",
}


class Notification(CreatedAt, db.Model):
    """One e-mail to one person (thông báo, nhắc việc)."""

    __tablename__ = "notification"
    __table_args__ = (
        # The dispatcher's query: what is due, oldest first.
        Index("ix_notification_due", "state", "next_attempt_at"),
        Index("ix_notification_claim", "claimed_by"),
        # The claim reads its batch off the pending messages alone — the never tried by id, then
        # the due retries by when they fell due — instead of sorting every pending row (a month's
        # reminders are 340,000 messages at the scale of a civil service).
        Index("ix_notification_pending", "next_attempt_at", "id", postgresql_where=text("state = 'pending'"),
              sqlite_where=text("state = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(64), index=True)
    # What makes this message unique: a rerun, a restart or a second scheduler that tries to
    # queue it again is refused by the database. See `keys.py`.
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id"), index=True)
    quarter: Mapped[int | None]
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    ics: Mapped[str | None] = mapped_column(Text)
    ics_filename: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[State] = mapped_column(enum_column(State), default=State.PENDING)
    # Tries the server answered about this message (a refusal counts), and tries that found
    # the server unreachable or unusable (those never make a message fail).
    attempts: Mapped[int] = mapped_column(default=0)
    deferrals: Mapped[int] = mapped_column(default=0)
    # Not before this instant; None: as soon as possible.
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(255))

    recipient: Mapped[Person | None] = relationship()

    @property
    def tries(self) -> int:
        return self.attempts + self.deferrals

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def state_tone(self) -> str:
        return STATE_TONES[self.state]

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} {self.state.value}>"
