"""The form drafts table: one row per person and form."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.core.models import JSONType, Versioned, utcnow
from workflow.extensions import db


class FormDraft(Versioned, db.Model):
    """What `person` typed in the form at `form` (its address, e.g.
    /registrations/5/targets/new) and has not saved through it yet: {input name: value, or a
    list of values for a repeated input}. Only its owner ever reads it."""

    __tablename__ = "form_draft"
    __table_args__ = (UniqueConstraint("person_id", "form"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    form: Mapped[str] = mapped_column(String(300))
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<FormDraft {self.id} person={self.person_id} {self.form}>"
