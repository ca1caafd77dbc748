"""Tracks, subjects and periods: who is evaluated, in which group, over which spans of time.

- `Track` (nhóm đối tượng đánh giá): a set of positions or titles evaluated together — its rubric,
  its periods, who assesses and its quota scope are rules (`[tracks]` in the rules file,
  snapshotted into each cycle); the row gives the track an identity that plans, reports and
  subjects refer to.
- `Subject` (đối tượng đánh giá): a person in a position in a unit, or a collective (the unit
  itself), in one track. A person may be the subject of several tracks (a director is a head and a
  Party secretary): one row per track.
- `Period` (kỳ đánh giá): a month, a quarter or the year of a cycle, per track; plans, reports,
  assessments and reminders belong to one.

What lives elsewhere: the plans themselves (`workflow.targets`), period reports
(`workflow.reports`), the rules of each track (`workflow.framework.rules`).
"""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.core.models import CreatedAt, Versioned, enum_column
from workflow.extensions import db

if TYPE_CHECKING:
    from workflow.accounts.models import Person
    from workflow.cycles.models import Cycle
    from workflow.units.models import Unit


class SubjectKind(enum.StrEnum):
    PERSON = "person"  # cá nhân: a person in a position
    COLLECTIVE = "collective"  # tập thể: an agency, a unit, a Party organisation


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Track(Versioned, db.Model):
    """Nhóm đối tượng đánh giá. `code` is the key of its entry under `[tracks]` in the rules."""

    __tablename__ = "track"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    subject_kind: Mapped[SubjectKind] = mapped_column(enum_column(SubjectKind))
    position: Mapped[int] = mapped_column(default=0)

    def name(self, locale: str = "vi") -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_vi

    def __repr__(self) -> str:
        return f"<Track {self.code}>"


class Subject(CreatedAt, Versioned, db.Model):
    """Đối tượng đánh giá: a person in a unit (with a title) or the unit itself, in one track.

    A subject that leaves the track is made inactive, never deleted: its plans and results stay.
    """

    __tablename__ = "subject"
    __table_args__ = (
        # One row per person, unit and track; a collective (no person) once per unit and track.
        UniqueConstraint("track_id", "unit_id", "person_id", name="uq_subject_track_unit_person"),
        Index("uq_subject_collective", "track_id", "unit_id", unique=True, sqlite_where=text("person_id IS NULL"),
              postgresql_where=text("person_id IS NULL")),
        CheckConstraint("(kind = 'person') = (person_id IS NOT NULL)", name="person_iff_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"), index=True)
    kind: Mapped[SubjectKind] = mapped_column(enum_column(SubjectKind))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    # The title (chức danh) whose scoring sheet applies, a code of the track's titles; "" for the
    # track's own sheet.
    title: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(default=True)

    track: Mapped[Track] = relationship()
    unit: Mapped[Unit] = relationship()
    person: Mapped[Person | None] = relationship()

    def __repr__(self) -> str:
        return f"<Subject {self.id} track={self.track_id} unit={self.unit_id} person={self.person_id}>"


class Period(db.Model):
    """Kỳ đánh giá: one month, quarter or the year of a cycle, in one track."""

    __tablename__ = "period"
    __table_args__ = (
        UniqueConstraint("cycle_id", "track_id", "kind", "number"),
        CheckConstraint("number BETWEEN 1 AND 12", name="number_range"),
        CheckConstraint("starts_on <= ends_on", name="ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"), index=True)
    kind: Mapped[PeriodKind] = mapped_column(enum_column(PeriodKind))
    number: Mapped[int]  # the month (1–12), the quarter (1–4), 1 for the year
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    due_on: Mapped[date]  # the working day its report or assessment is due

    cycle: Mapped[Cycle] = relationship()
    track: Mapped[Track] = relationship()

    def __repr__(self) -> str:
        return f"<Period {self.cycle_id}/{self.track_id} {self.kind} {self.number}>"
