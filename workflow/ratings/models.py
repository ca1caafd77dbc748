"""Citizens' ratings of the service at the one-stop counter (đánh giá sự hài lòng tại bộ phận
một cửa): counters, the devices bound to them, the ratings, and the cases a "không hài lòng"
opens for the official's manager.

- `Counter` (quầy): a counter of a unit's one-stop section, with the official on duty;
- `Device` (thiết bị): a kiosk or tablet bound to one counter, or a machine client of another
  system (the one-stop software) bound to a unit; each with its own credential, kept hashed;
- `Rating` (lượt đánh giá): one per dossier (hồ sơ), anonymous; the criteria and the verdict;
- `RatingCase` (vụ việc không hài lòng): the manager's answer to an unsatisfied rating;
- `ImportMapping`: which column of another system's export holds what, saved by name;
- `PersonPhoto` (ảnh cán bộ): the photo of an official the kiosk shows beside their name.

A rating names the official who was on duty at the counter when it was given, never a person
signed in: the device is bound to the counter, so the official cannot rate themself. Ratings are
not written to the audit log (they are anonymous and many); the changes made by people are.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.core.models import CreatedAt, JSONType, Versioned, enum_column, utcnow
from workflow.extensions import db

if TYPE_CHECKING:
    from workflow.accounts.models import Person
    from workflow.units.models import Unit


class Verdict(enum.StrEnum):
    VERY_SATISFIED = "very_satisfied"  # rất hài lòng
    SATISFIED = "satisfied"  # hài lòng
    UNSATISFIED = "unsatisfied"  # không hài lòng


SATISFIED = (Verdict.VERY_SATISFIED, Verdict.SATISFIED)


class Channel(enum.StrEnum):
    KIOSK = "kiosk"  # the tablet or kiosk at the counter
    QR = "qr"  # the citizen's phone, from the QR code on the receipt
    IMPORT = "import"  # a CSV or Excel file from the one-stop system
    API = "api"  # a machine client


class DeviceKind(enum.StrEnum):
    KIOSK = "kiosk"  # bound to a counter
    CLIENT = "client"  # another system, bound to a unit


class CaseState(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class Counter(CreatedAt, Versioned, db.Model):
    """Quầy tiếp nhận và trả kết quả of a unit, with the official on duty (may be nobody)."""

    __tablename__ = "rating_counter"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    official_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    unit: Mapped[Unit] = relationship()
    official: Mapped[Person | None] = relationship()

    def __repr__(self) -> str:
        return f"<Counter {self.id} {self.name}>"


class Device(CreatedAt, Versioned, db.Model):
    """A kiosk bound to a counter, or a machine client bound to a unit. Only the SHA-256 of its
    token is kept (the token is shown once, when it is made)."""

    __tablename__ = "rating_device"
    __table_args__ = (CheckConstraint("(kind = 'kiosk') = (counter_id IS NOT NULL)", name="kiosk_iff_counter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DeviceKind] = mapped_column(enum_column(DeviceKind))
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("rating_counter.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_hint: Mapped[str] = mapped_column(String(8))  # the first characters, to tell tokens apart
    active: Mapped[bool] = mapped_column(default=True)
    last_seen_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship()
    counter: Mapped[Counter | None] = relationship()

    def __repr__(self) -> str:
        return f"<Device {self.id} {self.kind} {self.name}>"


class Rating(db.Model):
    """Lượt đánh giá: one per dossier, sent once whatever the retries (`key` is the client's
    idempotency key). `month` (yyyymm, local time) is what the dashboards and the evidence group by."""

    __tablename__ = "rating"
    __table_args__ = (
        Index("ix_rating_unit_month", "unit_id", "month"),
        Index("ix_rating_official_month", "official_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    dossier: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("rating_counter.id"), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("rating_device.id"), index=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    verdict: Mapped[Verdict] = mapped_column(enum_column(Verdict))
    scores: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # criterion code → verdict
    comment: Mapped[str] = mapped_column(Text, default="")
    # Given only for a call back about an unsatisfied rating; erased when its case is answered.
    phone: Mapped[str] = mapped_column(String(20), default="")
    rated_at: Mapped[datetime]
    month: Mapped[int]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    counter: Mapped[Counter | None] = relationship()
    official: Mapped[Person | None] = relationship()
    unit: Mapped[Unit] = relationship()

    @property
    def satisfied(self) -> bool:
        return self.verdict in SATISFIED


class RatingCase(CreatedAt, Versioned, db.Model):
    """Vụ việc "không hài lòng": the official's manager (the head of the counter's unit) finds
    whether the official's handling was justified and says what was done, within the working days
    the rules give; reminded before the due date, escalated to the head of the parent unit after."""

    __tablename__ = "rating_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("rating.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    state: Mapped[CaseState] = mapped_column(enum_column(CaseState), default=CaseState.OPEN, index=True)
    due_on: Mapped[date]
    # The manager's finding: was the official's handling justified (đúng quy định)? An
    # unjustified case counts against the official as the rubric says.
    justified: Mapped[bool | None]
    action: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    answered_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]

    rating: Mapped[Rating] = relationship()
    unit: Mapped[Unit] = relationship()
    official: Mapped[Person | None] = relationship(foreign_keys=[official_id])
    answered_by: Mapped[Person | None] = relationship(foreign_keys=[answered_by_id])


class ImportMapping(CreatedAt, Versioned, db.Model):
    """A saved column mapping for imports ({field: column heading}), by name (one per system
    whose exports are imported) and purpose: "ratings" (the one-stop system's ratings, here) or
    "monthly" (products delivered, `workflow.monthly.deliveries`)."""

    __tablename__ = "rating_import_mapping"
    __table_args__ = (UniqueConstraint("purpose", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32), default="ratings", server_default="ratings")
    name: Mapped[str] = mapped_column(String(100))
    columns: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class _MonthFigures:
    """The counts kept per month, maintained in the transaction that changes them: ratings and
    those satisfied (at each batch received), cases opened (the same), answered and found
    unjustified (at each answer). The dashboards and the evidence read these, never the ratings
    themselves: a year of a province is a few thousand rows, whatever the millions of ratings."""

    month: Mapped[int] = mapped_column(primary_key=True)  # yyyymm, local time, as Rating.month
    total: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)
    cases: Mapped[int] = mapped_column(default=0)
    answered: Mapped[int] = mapped_column(default=0)
    unjustified: Mapped[int] = mapped_column(default=0)


class UnitMonth(_MonthFigures, db.Model):
    """A unit's ratings of one month (every rating at its counters, whoever was on duty)."""

    __tablename__ = "rating_unit_month"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)


class OfficialMonth(_MonthFigures, db.Model):
    """An official's ratings of one month at one unit's counters (a rating with nobody on duty
    counts for the unit only)."""

    __tablename__ = "rating_official_month"
    __table_args__ = (Index("ix_rating_official_month_unit_month", "unit_id", "month"),)

    official_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)


class PersonPhoto(db.Model):
    """Ảnh cán bộ: the photo of an official that the kiosk at their counter shows beside their
    name and title. One per person, replaced whole; the content is loaded only when served.
    `sha256` names this content (the ETag the kiosk revalidates with)."""

    __tablename__ = "person_photo"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    media_type: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
