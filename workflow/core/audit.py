"""The audit log: one entry per change of state, written in the same transaction as the change.

Operations call `record`; nothing else writes here, and entries are never updated or deleted.
The admin page in `workflow.admin` browses and filters them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.core.models import JSONType, utcnow
from workflow.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_object", "object_type", "object_id"),
        Index("ix_audit_entry_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    # e.g. "registration.submit", "account.login_failed": the policy action where there is one
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(500), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    ip: Mapped[str] = mapped_column(String(45), default="")
    request_id: Mapped[str] = mapped_column(String(64), default="")

    actor = relationship("Person")


def apply_changes(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the given attributes on `obj` and return what actually changed, {name: [old, new]},
    ready for an audit entry's data. Values are compared as stored (enums by value)."""
    changed: dict[str, list[Any]] = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            setattr(obj, name, new)
            changed[name] = [getattr(old, "value", old), getattr(new, "value", new)]
    return changed


def record(
    action: str,
    obj: Any = None,
    *,
    actor: Any,
    summary: str = "",
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
) -> AuditEntry:
    """Add an audit entry to the current session (it commits with the change it describes)."""
    if obj is not None:
        object_type = object_type or getattr(obj, "__tablename__", type(obj).__name__.lower())
        if object_id is None:
            if getattr(obj, "id", None) is None:
                db.session.flush()
            object_id = obj.id
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        summary=summary[:500],
        reason=reason or "",
        data=data or {},
    )
    if has_request_context():
        entry.ip = (request.remote_addr or "")[:45]
        entry.request_id = getattr(g, "request_id", "")[:64]
    db.session.add(entry)
    return entry
