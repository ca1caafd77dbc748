"""Quarterly reports (báo cáo kết quả thực hiện quý) and what hangs on them: one entry per
target in force, evidence files, versions, requests for support (kiến nghị, đề xuất) and the
directions (chỉ đạo) that answer them.

How they relate to targets: a report belongs to a registration (one per quarter); an entry
belongs to a report and names one of the registration's targets. Entries are written when the
head first saves a value for that target, so a target added later by an amendment simply has
no entry yet; targets dropped later keep their entries for the history but are no longer asked
for. The report's version covers its entries: every save bumps it, so a stale form or API
client is refused for the whole report.

What lives elsewhere: the steps (`workflow.py`), who may do what (`workflow.policy`), the
changes themselves (`operations.py`), what the council reads (`facts.py`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.core.models import CreatedAt, JSONType, Versioned, enum_column, utcnow
from workflow.extensions import db
from workflow.targets.models import VALUE

if TYPE_CHECKING:
    from workflow.accounts.models import Person
    from workflow.framework.models import Period
    from workflow.targets.models import Registration, Target


class ReportState(enum.StrEnum):
    DRAFT = "draft"  # the head is writing it (any number of saves)
    SUBMITTED = "submitted"  # awaiting the staff agency
    RETURNED = "returned"  # sent back to the head with a reason (or reopened after acceptance)
    ACCEPTED = "accepted"  # accepted by the staff agency; changes only by reopening


class MilestoneStatus(enum.StrEnum):
    """Where a task (nhiệm vụ) stands at the end of the quarter."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    BEHIND = "behind"  # chậm tiến độ: started, but behind its milestone
    DONE = "done"  # completed, with its product


class RequestKind(enum.StrEnum):
    OBSTACLE = "obstacle"  # khó khăn, vướng mắc
    SUPPORT = "support"  # kiến nghị, đề xuất hỗ trợ


class RequestState(enum.StrEnum):
    OPEN = "open"  # waiting for a direction
    ANSWERED = "answered"  # a direction was given; more may follow
    CLOSED = "closed"


class VersionKind(enum.StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    REOPENED = "reopened"


class QuarterlyReport(CreatedAt, Versioned, db.Model):
    """Báo cáo kỳ: one per registration and period of its track (`period_id`; for the heads track
    the quarters, `quarter` being the period's number).

    `due_on` is copied from the report window when the report is created, so the deadline a
    head saw never moves. Lateness is measured at the *first* submission: a report returned
    for corrections is not made late by the return (`days_late` is set once).
    """

    __tablename__ = "quarterly_report"
    __table_args__ = (
        UniqueConstraint("registration_id", "quarter"),
        # The period's number (a quarter 1–4, a month 1–12): the period itself is `period_id`.
        CheckConstraint("quarter BETWEEN 1 AND 12", name="period_number_range"),
        Index("ix_quarterly_report_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    quarter: Mapped[int] = mapped_column(Integer)
    state: Mapped[ReportState] = mapped_column(enum_column(ReportState), default=ReportState.DRAFT)
    due_on: Mapped[date]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_submitted_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    days_late: Mapped[int] = mapped_column(default=0)  # calendar days after the due date, at first submission
    returned_reason: Mapped[str] = mapped_column(Text, default="")
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    accepted_at: Mapped[datetime | None]
    reopened: Mapped[int] = mapped_column(default=0)  # how many times an accepted report was reopened

    registration: Mapped[Registration] = relationship()
    period: Mapped[Period] = relationship()
    accepted_by: Mapped[Person | None] = relationship(foreign_keys=[accepted_by_id])
    entries: Mapped[list[ReportEntry]] = relationship(back_populates="report", cascade="all, delete-orphan", order_by="ReportEntry.id")

    def touch(self) -> None:
        self.changed_at = utcnow()

    @property
    def ever_submitted(self) -> bool:
        return self.first_submitted_at is not None

    @property
    def is_late(self) -> bool:
        return self.days_late > 0

    def entry_for(self, target_id: int) -> ReportEntry | None:
        return next((e for e in self.entries if e.target_id == target_id), None)

    def __repr__(self) -> str:
        return f"<QuarterlyReport {self.id} registration={self.registration_id} Q{self.quarter} {self.state}>"


class ReportEntry(db.Model):
    """What the head reports on one target for the quarter.

    Quantitative targets: `actual`, the cumulative value at quarter end. Tasks: the milestone
    status and, once done, the product delivered and when. Every target: a short narrative and
    the head's confidence of reaching the year's target. Progress and status are computed on
    read from the target's plan (`progress.py`), and frozen into each version's snapshot.
    """

    __tablename__ = "report_entry"
    __table_args__ = (UniqueConstraint("report_id", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("quarterly_report.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id", ondelete="CASCADE"), index=True)
    actual: Mapped[Decimal | None] = mapped_column(VALUE)
    milestone_status: Mapped[MilestoneStatus | None] = mapped_column(enum_column(MilestoneStatus))
    product_delivered: Mapped[str] = mapped_column(Text, default="")
    delivered_on: Mapped[date | None]
    narrative: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[QuarterlyReport] = relationship(back_populates="entries")
    target: Mapped[Target] = relationship()


class Evidence(db.Model):
    """A file proving what a report says (minh chứng): for the report as a whole or for one
    target. Stored once by content (`upload_dir/ab/cd/<sha256>`); the type is the one detected
    from the content. A removed file stays, marked, because earlier versions may list it."""

    __tablename__ = "report_evidence"
    __table_args__ = (Index("ix_report_evidence_report", "report_id", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("quarterly_report.id", ondelete="CASCADE"))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("target.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    uploaded_by: Mapped[Person] = relationship(foreign_keys=[uploaded_by_id])

    @property
    def storage_path(self) -> str:
        return f"{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}"


class ReportVersion(db.Model):
    """One step of a report (submitted, returned, accepted, reopened) with a full snapshot of
    the report and its entries as they were, who took it, when and why."""

    __tablename__ = "report_version"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("quarterly_report.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    kind: Mapped[VersionKind] = mapped_column(enum_column(VersionKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    actor: Mapped[Person | None] = relationship()


class SupportRequest(CreatedAt, Versioned, db.Model):
    """Kiến nghị, đề xuất: an obstacle or a request for support raised in a report, routed to
    the staff agency and the committee, answered with directions (chỉ đạo)."""

    __tablename__ = "support_request"
    __table_args__ = (Index("ix_support_request_state", "state", "report_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("quarterly_report.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("target.id", ondelete="SET NULL"))
    kind: Mapped[RequestKind] = mapped_column(enum_column(RequestKind))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[RequestState] = mapped_column(enum_column(RequestState), default=RequestState.OPEN)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))

    report: Mapped[QuarterlyReport] = relationship()
    target: Mapped[Target | None] = relationship()
    created_by: Mapped[Person] = relationship(foreign_keys=[created_by_id])
    directions: Mapped[list[SupportDirection]] = relationship(back_populates="request", order_by="SupportDirection.id", cascade="all, delete-orphan")


class SupportDirection(CreatedAt, db.Model):
    """Ý kiến chỉ đạo: the committee's or the staff agency's answer to a request."""

    __tablename__ = "support_direction"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_request.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    body: Mapped[str] = mapped_column(Text)

    request: Mapped[SupportRequest] = relationship(back_populates="directions")
    author: Mapped[Person] = relationship()
