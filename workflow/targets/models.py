"""Registrations of targets and tasks (bản đăng ký chỉ tiêu, nhiệm vụ) and everything that
changes them: targets, revisions with their snapshots, staff proposals, comments and
amendments after the official assignment.

What lives elsewhere: the states and steps (`workflow.py`), who may do what
(`workflow.policy`), the changes themselves (`operations.py`), warnings (`warnings.py`).

Numbers are `Numeric`: exact on PostgreSQL; SQLite (development and tests) keeps them as
floating point, which is exact for the magnitudes used in practice (15 significant digits).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.core.models import CreatedAt, JSONType, Versioned, enum_column, utcnow
from workflow.extensions import db

if TYPE_CHECKING:
    from workflow.accounts.models import Person
    from workflow.cycles.models import Cycle
    from workflow.framework.models import Subject, Track
    from workflow.units.models import Unit

# ±1e15 with four decimals: 20 digits.
VALUE = Numeric(20, 4)
WEIGHT = Numeric(6, 2)


class RegistrationState(enum.StrEnum):
    DRAFT = "draft"  # the head is writing it
    SUBMITTED = "submitted"  # awaiting the staff agency's review
    REVIEWED = "reviewed"  # forwarded by staff to the committee
    RETURNED = "returned"  # sent back to the head with a reason
    ASSIGNED = "assigned"  # officially assigned (giao chính thức) by the committee


class TargetKind(enum.StrEnum):
    QUANTITATIVE = "quantitative"  # chỉ tiêu: baseline → target value
    TASK = "task"  # nhiệm vụ: done or not, with a product and a deadline


class Direction(enum.StrEnum):
    HIGHER = "higher"  # higher is better
    LOWER = "lower"  # lower is better


class TargetOrigin(enum.StrEnum):
    REGISTERED = "registered"  # written by the head
    SUPPLEMENTARY = "supplementary"  # giao bổ sung by the committee
    PROPOSAL = "proposal"  # added by accepting a staff proposal
    AMENDMENT = "amendment"  # added by an approved amendment


class ChangeKind(enum.StrEnum):
    """What a proposal or an amendment item does to the set of targets."""

    ADD = "add"
    CHANGE = "change"
    DROP = "drop"


class ProposalState(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class AmendmentState(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class RevisionKind(enum.StrEnum):
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"
    RETURNED = "returned"
    EDITED = "edited"
    SUPPLEMENTED = "supplemented"
    PROPOSAL_ACCEPTED = "proposal_accepted"
    ASSIGNED = "assigned"
    AMENDED = "amended"


class Registration(CreatedAt, Versioned, db.Model):
    """Bản đăng ký chỉ tiêu, nhiệm vụ: a subject's plan for a cycle in a track, one per cycle,
    track and subject (`workflow.framework`). The heads track's subject is the head of `unit`.

    `changed_at` moves whenever a target changes, so the registration's version (and ETag)
    covers its targets: a step taken on a stale view of the targets is refused.
    """

    __tablename__ = "registration"
    __table_args__ = (UniqueConstraint("cycle_id", "track_id", "subject_id"), Index("ix_registration_state", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    head_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    state: Mapped[RegistrationState] = mapped_column(enum_column(RegistrationState), default=RegistrationState.DRAFT)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    returned_reason: Mapped[str] = mapped_column(Text, default="")
    assigned_at: Mapped[datetime | None]
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # The assignment decision (quyết định giao chỉ tiêu, nhiệm vụ)
    decision_number: Mapped[str] = mapped_column(String(100), default="")
    decision_date: Mapped[date | None]
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    cycle: Mapped[Cycle] = relationship()
    track: Mapped[Track] = relationship()
    subject: Mapped[Subject] = relationship()
    unit: Mapped[Unit] = relationship()
    head: Mapped[Person] = relationship(foreign_keys=[head_id])
    assigned_by: Mapped[Person | None] = relationship(foreign_keys=[assigned_by_id])
    signer: Mapped[Person | None] = relationship(foreign_keys=[signer_id])
    targets: Mapped[list[Target]] = relationship(
        back_populates="registration", order_by="Target.position", cascade="all, delete-orphan"
    )

    def touch(self) -> None:
        self.changed_at = utcnow()

    @property
    def ever_submitted(self) -> bool:
        return self.submitted_at is not None

    def __repr__(self) -> str:
        return f"<Registration {self.id} cycle={self.cycle_id} unit={self.unit_id} {self.state}>"


class Target(CreatedAt, Versioned, db.Model):
    """One chỉ tiêu or nhiệm vụ of a registration. Dropped targets stay for the history."""

    __tablename__ = "target"
    __table_args__ = (
        CheckConstraint("weight > 0 AND weight <= 100", name="weight_range"),
        Index("ix_target_registration_position", "registration_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[TargetKind] = mapped_column(enum_column(TargetKind))
    title: Mapped[str] = mapped_column(String(300))
    field: Mapped[str] = mapped_column(String(200), default="")  # lĩnh vực
    measure: Mapped[str] = mapped_column(String(100), default="")  # đơn vị tính
    baseline: Mapped[Decimal | None] = mapped_column(VALUE)
    target_value: Mapped[Decimal | None] = mapped_column(VALUE)
    direction: Mapped[Direction | None] = mapped_column(enum_column(Direction))
    weight: Mapped[Decimal] = mapped_column(WEIGHT)
    # Planned cumulative value at the end of each quarter (quantitative targets)
    plan_q1: Mapped[Decimal | None] = mapped_column(VALUE)
    plan_q2: Mapped[Decimal | None] = mapped_column(VALUE)
    plan_q3: Mapped[Decimal | None] = mapped_column(VALUE)
    plan_q4: Mapped[Decimal | None] = mapped_column(VALUE)
    # Tasks: the product that proves it is done, the deadline and the quarterly milestones
    product: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date | None]
    milestone_q1: Mapped[str] = mapped_column(Text, default="")
    milestone_q2: Mapped[str] = mapped_column(Text, default="")
    milestone_q3: Mapped[str] = mapped_column(Text, default="")
    milestone_q4: Mapped[str] = mapped_column(Text, default="")
    is_new: Mapped[bool] = mapped_column(default=False)  # việc mới
    is_difficult: Mapped[bool] = mapped_column(default=False)  # việc khó
    is_focal: Mapped[bool] = mapped_column(default=False)  # trọng điểm
    is_bottleneck: Mapped[bool] = mapped_column(default=False)  # điểm nghẽn
    origin: Mapped[TargetOrigin] = mapped_column(enum_column(TargetOrigin), default=TargetOrigin.REGISTERED)
    previous_target_id: Mapped[int | None] = mapped_column(ForeignKey("target.id", ondelete="SET NULL"), index=True)
    dropped: Mapped[bool] = mapped_column(default=False)

    registration: Mapped[Registration] = relationship(back_populates="targets")
    previous_target: Mapped[Target | None] = relationship(remote_side=[id])

    @property
    def quarter_plan(self) -> list[Decimal | None]:
        return [self.plan_q1, self.plan_q2, self.plan_q3, self.plan_q4]

    @property
    def milestones(self) -> list[str]:
        return [self.milestone_q1, self.milestone_q2, self.milestone_q3, self.milestone_q4]


class Revision(db.Model):
    """One change to a registration after its first submission, or one of its steps.

    `changes` lists field-level changes [{target_id, title, field, before, after}];
    `snapshot` is the whole set of targets in force after the revision. Revision 1 is the
    registration as submitted ("as registered"); the assignment writes "as assigned".
    """

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("registration_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    kind: Mapped[RevisionKind] = mapped_column(enum_column(RevisionKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    snapshot: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)

    actor: Mapped[Person | None] = relationship()


class Proposal(CreatedAt, Versioned, db.Model):
    """Đề xuất điều chỉnh: a staff officer's proposal to add, change or drop a target."""

    __tablename__ = "proposal"
    __table_args__ = (Index("ix_proposal_registration_state", "registration_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    kind: Mapped[ChangeKind] = mapped_column(enum_column(ChangeKind))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("target.id"), index=True)
    # Proposed values, as the target schema loads them (JSON-safe: decimals and dates as text)
    values: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # A change: the values it replaces, as they stood when it was proposed (shown before → after);
    # None for proposals made before this was recorded.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[ProposalState] = mapped_column(enum_column(ProposalState), default=ProposalState.OPEN)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")

    registration: Mapped[Registration] = relationship()
    target: Mapped[Target | None] = relationship()
    author: Mapped[Person] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])


class Comment(CreatedAt, db.Model):
    """Ý kiến on a registration or on one of its targets."""

    __tablename__ = "registration_comment"
    __table_args__ = (Index("ix_registration_comment_registration", "registration_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    # A target removed before the first submission is deleted; its comments stay, unattached.
    target_id: Mapped[int | None] = mapped_column(ForeignKey("target.id", ondelete="SET NULL"))
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[Person] = relationship()
    target: Mapped[Target | None] = relationship()


class Amendment(CreatedAt, Versioned, db.Model):
    """Đề nghị điều chỉnh chỉ tiêu đã giao: after the official assignment, the only way to
    change targets. `items` has the shape of proposals: [{kind, target_id, values}]."""

    __tablename__ = "amendment"
    __table_args__ = (Index("ix_amendment_registration_state", "registration_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    state: Mapped[AmendmentState] = mapped_column(enum_column(AmendmentState), default=AmendmentState.REQUESTED)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decision_number: Mapped[str] = mapped_column(String(100), default="")
    decision_date: Mapped[date | None]

    registration: Mapped[Registration] = relationship()
    requested_by: Mapped[Person] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])
