"""The province's organisation as its personnel office keeps it.

- `Position` (chức vụ, chức danh): a post people hold, by the code the personnel records use —
  the track its holders are evaluated in (`workflow.framework`), the title whose scoring sheet
  applies, and whether it leads its unit (its holder is the unit's head);
- `DirectoryImport`: one file (or one push through the API) from upload to apply — the content
  kept on the server between the preview and the apply, and what the preview found.

People keep their personnel code, position, direct manager and start date on `Person`; units
their code on `Unit`. What lives elsewhere: reading the files (`reading.py`), comparing them with
the database (`plan.py`), writing the changes (`operations.py`), signing in with the province's
directory (`ldap.py`).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.core.models import CreatedAt, JSONType, Versioned, enum_column
from workflow.extensions import db

if TYPE_CHECKING:
    from workflow.accounts.models import Person
    from workflow.framework.models import Track


class Position(Versioned, db.Model):
    """Chức vụ, chức danh: a post in the personnel records, mapped to a track and a title."""

    __tablename__ = "position"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The track its holders are subjects of (none: a post that is not evaluated here).
    track_id: Mapped[int | None] = mapped_column(ForeignKey("track.id"), index=True)
    # A sheet of the track's rubric (biểu điểm theo chức danh); "" for the track's own.
    title: Mapped[str] = mapped_column(String(32), default="")
    # The holder leads the unit (người đứng đầu): they are given the head role of their unit.
    leads_unit: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    track: Mapped[Track | None] = relationship()


class ImportState(enum.StrEnum):
    PREVIEWED = "previewed"  # read and compared; nothing written yet
    APPLIED = "applied"
    DISCARDED = "discarded"


class DirectoryImport(CreatedAt, db.Model):
    """Một lần nhập dữ liệu tổ chức, cán bộ: a file kept between its preview and its apply."""

    __tablename__ = "directory_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    # "xlsx", "csv" or "json" (a push through the API).
    kind: Mapped[str] = mapped_column(String(8))
    # The file as uploaded, read again when the import is applied (the database may have changed
    # since the preview; what is applied is compared anew).
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    state: Mapped[ImportState] = mapped_column(enum_column(ImportState), default=ImportState.PREVIEWED)
    # What the preview found: counts, the first changes of each kind, every error.
    preview: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    applied_at: Mapped[datetime | None]
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    valid_only: Mapped[bool] = mapped_column(default=False)

    created_by: Mapped[Person | None] = relationship(foreign_keys=[created_by_id])
