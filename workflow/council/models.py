"""The advisory council (Hội đồng tư vấn đánh giá và đề xuất xếp loại cán bộ) of a cycle and
everything it and the standing committee record about each head.

- `CouncilMember`: who sits on the council of a cycle, with their position (chair, secretary,
  member); `ConflictDeclaration`: a member's declared conflict of interest with a head, which
  recuses them from scoring that head.
- `Scorecard` (phiếu chấm điểm): one member's scores for one head (the registration evaluated):
  the general criteria, their judgements of each target (errors, delays, quality, changed
  figures with reasons), and the total and implied level stored when submitted.
- `SelfAssessment`: the head's own assessment of the year, with the level they propose;
  `DisciplineRecord`: the head was disciplined in the year (a fact the levels look at).
- `CouncilSession` (phiên họp): the council's meeting, attendance and quorum, the proposal list
  frozen when the chair finalises it (`LevelProposal`), and, once the committee publishes,
  the objection window.
- `Decision` (quyết định xếp loại): the committee's level for a head, versioned: each change is
  a new row, never an update; `Objection` (kiến nghị): a head's objection to a published decision
  and its outcome.
- `QuotaException` (ngoại lệ về tỷ lệ): the committee's recorded exception, with its reason and
  legal basis, for deciding more heads at the quota's level in one scope than the quota allows.

What lives elsewhere: the steps (`workflow.py`), who may do what (`workflow.policy`), the
changes themselves (`operations.py`), the computations (`workflow.scoring`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.core.models import CreatedAt, JSONType, Versioned, enum_column, utcnow
from workflow.extensions import db

if TYPE_CHECKING:
    from workflow.accounts.models import Person
    from workflow.cycles.models import Cycle
    from workflow.targets.models import Registration

POINTS = Numeric(7, 2)


class Position(enum.StrEnum):
    CHAIR = "chair"  # chủ tịch hội đồng
    SECRETARY = "secretary"  # thư ký
    MEMBER = "member"  # thành viên


class CouncilMember(CreatedAt, db.Model):
    """A person on the council of one cycle. One chair and one secretary per cycle (the
    database keeps it so against two appointments at the same moment)."""

    __tablename__ = "council_member"
    __table_args__ = (
        UniqueConstraint("cycle_id", "person_id"),
        Index(
            "uq_council_member_one_per_position",
            "cycle_id",
            "position",
            unique=True,
            sqlite_where=text("position IN ('chair', 'secretary')"),
            postgresql_where=text("position IN ('chair', 'secretary')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    position: Mapped[Position] = mapped_column(enum_column(Position), default=Position.MEMBER)

    cycle: Mapped[Cycle] = relationship()
    person: Mapped[Person] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<CouncilMember {self.id} cycle={self.cycle_id} person={self.person_id} {self.position}>"


class ConflictDeclaration(db.Model):
    """Kê khai xung đột lợi ích: a member declares a conflict with a head and is recused from
    scoring them. Recorded once, with its reason, and audited; never edited."""

    __tablename__ = "council_conflict"
    __table_args__ = (UniqueConstraint("member_id", "head_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("council_member.id", ondelete="CASCADE"), index=True)
    head_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[CouncilMember] = relationship()
    head: Mapped[Person] = relationship()


class ScorecardState(enum.StrEnum):
    DRAFT = "draft"  # being filled in; saved automatically
    SUBMITTED = "submitted"  # locked; counts in the panel score
    REOPENED = "reopened"  # opened again by the secretary, with a reason; does not count until resubmitted


class Scorecard(CreatedAt, Versioned, db.Model):
    """Phiếu chấm điểm: one member's scores for one head.

    `general` is {criterion code: points as text}; `judgements` is {target id (text): {"errors":
    n, "delays": n, "quality_percent": "…", "exceeded": bool, "overrides": [{"figure", "value",
    "reason", "by", "at"}]}}. The total, task points, level and the counts the levels' conditions
    look at are computed by the engine and stored at each submission, so the panel reads them
    without recomputing 70,000 cards.
    """

    __tablename__ = "scorecard"
    __table_args__ = (
        UniqueConstraint("member_id", "registration_id"),
        Index("ix_scorecard_cycle_state", "cycle_id", "state"),
        Index("ix_scorecard_registration", "registration_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("council_member.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"))
    state: Mapped[ScorecardState] = mapped_column(enum_column(ScorecardState), default=ScorecardState.DRAFT)
    general: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    judgements: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    # Computed at submission
    total: Mapped[Decimal | None] = mapped_column(POINTS)
    task_points: Mapped[Decimal | None] = mapped_column(POINTS)
    general_points: Mapped[Decimal | None] = mapped_column(POINTS)
    level: Mapped[str | None] = mapped_column(String(32))
    n_targets: Mapped[int] = mapped_column(default=0)
    n_done: Mapped[int] = mapped_column(default=0)
    n_on_time: Mapped[int] = mapped_column(default=0)
    n_exceeded: Mapped[int] = mapped_column(default=0)
    n_late: Mapped[int] = mapped_column(default=0)

    member: Mapped[CouncilMember] = relationship()
    registration: Mapped[Registration] = relationship()

    @property
    def counts(self) -> bool:
        return self.state == ScorecardState.SUBMITTED


class SelfAssessmentState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class SelfAssessment(CreatedAt, Versioned, db.Model):
    """Bản tự đánh giá: the head's own account of the year, filed at its end, with the level
    they propose for themselves. The council reads it on the scoring page."""

    __tablename__ = "self_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    shortcomings: Mapped[str] = mapped_column(Text, default="")
    proposed_level: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[SelfAssessmentState] = mapped_column(enum_column(SelfAssessmentState), default=SelfAssessmentState.DRAFT)
    submitted_at: Mapped[datetime | None]

    registration: Mapped[Registration] = relationship()


class DisciplineCategory(enum.StrEnum):
    """The regimes' cases of "không hoàn thành nhiệm vụ" that a record can be (Nghị định 335/2025
    Điều 20 k4 b–d; Quy định 366-QĐ/TW Điều 11 k4 điểm 4.2; Nghị định 90/2020 Điều 2 k5 as
    amended by 48/2023 for cán bộ)."""

    DISCIPLINE = "discipline"  # a disciplinary decision (kỷ luật đảng hoặc hành chính)
    DEGRADATION = "degradation"  # a competent body's conclusion of degradation (kết luận suy thoái)
    CORRUPTION_IN_AGENCY = "corruption_in_agency"  # the agency led dealt with for tham ô, tham nhũng, lãng phí


class DisciplineForm(enum.StrEnum):
    """The form of a disciplinary decision, lightest first (every one is "từ khiển trách trở lên")."""

    REPRIMAND = "reprimand"  # khiển trách
    WARNING = "warning"  # cảnh cáo
    SALARY_DOWNGRADE = "salary_downgrade"  # hạ bậc lương
    DEMOTION = "demotion"  # giáng chức
    DISMISSAL = "dismissal"  # cách chức
    FORCED_RESIGNATION = "forced_resignation"  # buộc thôi việc
    EXPULSION = "expulsion"  # khai trừ (Party)


class DisciplineRecord(CreatedAt, db.Model):
    """What the council's secretary recorded, from its decision, that bears on the head's level
    in the year: a disciplinary decision (its form, and whether the violation was related to
    duty), a conclusion of degradation, or the head's agency dealt with for corruption or waste
    (`category`). The rubric decides what each does under its regime (`workflow.council.proposals`
    gives them to the engine as facts)."""

    __tablename__ = "discipline_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    reference: Mapped[str] = mapped_column(String(200))  # the disciplinary decision's number and date
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    category: Mapped[DisciplineCategory] = mapped_column(enum_column(DisciplineCategory), default=DisciplineCategory.DISCIPLINE,
                                                         server_default=DisciplineCategory.DISCIPLINE.value)
    form: Mapped[DisciplineForm | None] = mapped_column(enum_column(DisciplineForm), nullable=True)  # for a disciplinary decision
    duty_related: Mapped[bool] = mapped_column(default=False, server_default=false())  # liên quan đến hoạt động công vụ

    registration: Mapped[Registration] = relationship()
    recorded_by: Mapped[Person] = relationship()


class SessionState(enum.StrEnum):
    OPEN = "open"  # the council meets; proposals move with the scores
    FINALISED = "finalised"  # the chair froze the proposal list; the committee decides
    PUBLISHED = "published"  # the committee published its decisions; objections may be filed


session_attendance = Table(
    "council_attendance",
    db.metadata,
    Column("session_id", ForeignKey("council_session.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("council_member.id", ondelete="CASCADE"), primary_key=True),
)


class CouncilSession(CreatedAt, Versioned, db.Model):
    """Phiên họp Hội đồng: one per cycle. Records the date and attendance; the chair finalises
    the proposal list (refused without quorum), which freezes it into `LevelProposal` rows of a
    new round; the committee then decides and publishes."""

    __tablename__ = "council_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), unique=True)
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[SessionState] = mapped_column(enum_column(SessionState), default=SessionState.OPEN)
    round: Mapped[int] = mapped_column(default=0)  # how many times the list was finalised
    finalised_at: Mapped[datetime | None]
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    objection_deadline: Mapped[date | None]

    cycle: Mapped[Cycle] = relationship()
    attendees: Mapped[list[CouncilMember]] = relationship(secondary=session_attendance, order_by="CouncilMember.id")
    finalised_by: Mapped[Person | None] = relationship(foreign_keys=[finalised_by_id])
    published_by: Mapped[Person | None] = relationship(foreign_keys=[published_by_id])


class LevelProposal(db.Model):
    """Đề xuất xếp loại: one head's line of the proposal list as the chair finalised it, with
    everything that explains it (panel score, spread, flags, the level's checks, the quota).
    Notes and checks are stored as codes and figures, so they read in either language."""

    __tablename__ = "council_proposal"
    __table_args__ = (UniqueConstraint("session_id", "round", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("council_session.id", ondelete="CASCADE"), index=True)
    round: Mapped[int]
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    panel_score: Mapped[Decimal | None] = mapped_column(POINTS)
    method: Mapped[str] = mapped_column(String(32))
    ratings: Mapped[int] = mapped_column(default=0)
    stdev: Mapped[Decimal | None] = mapped_column(POINTS)
    spread: Mapped[Decimal | None] = mapped_column(POINTS)  # highest − lowest
    level: Mapped[str | None] = mapped_column(String(32))  # None: tie at the quota's cut, or unrated
    classified_level: Mapped[str | None] = mapped_column(String(32))  # before the quota
    quota_status: Mapped[str] = mapped_column(String(32))
    options: Mapped[list[str]] = mapped_column(JSONType, default=list)  # a tie: the levels to choose from
    flags: Mapped[list[str]] = mapped_column(JSONType, default=list)  # disagreement, too_few, tie, unrated
    notes: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    facts: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    registration: Mapped[Registration] = relationship()


class Decision(db.Model):
    """Quyết định xếp loại of the standing committee for one head. Versioned by rows: a change
    is a new row with the next `number`; a row is never updated or deleted (see the listeners
    below). The latest number is the decision in force."""

    __tablename__ = "council_decision"
    __table_args__ = (UniqueConstraint("registration_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    number: Mapped[int]
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("council_proposal.id"))
    level: Mapped[str] = mapped_column(String(32))
    follows_proposal: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    objection_id: Mapped[int | None] = mapped_column(ForeignKey("objection.id", use_alter=True))

    registration: Mapped[Registration] = relationship()
    proposal: Mapped[LevelProposal | None] = relationship()
    decided_by: Mapped[Person] = relationship()


class QuotaException(CreatedAt, db.Model):
    """Ngoại lệ về tỷ lệ: the standing committee decides, in one scope of the quota (a group of
    units, or every head of the cycle when the quota is not counted by group), more heads at the
    quota's level than it allows, and records why and on which legal basis. It covers `heads`
    heads at that level; one more needs a new exception (a new row: rows are never changed)."""

    __tablename__ = "quota_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("council_session.id", ondelete="CASCADE"), index=True)
    # The track whose quota it is (the heads' for the exceptions recorded before tracks existed).
    track: Mapped[str] = mapped_column(String(32), default="heads", server_default="heads")
    group_id: Mapped[int | None] = mapped_column(ForeignKey("unit_group.id"))  # None: the whole cycle
    level: Mapped[str] = mapped_column(String(32))
    heads: Mapped[int]  # heads at `level` the exception covers
    base: Mapped[int]  # the quota's base and allowance when it was recorded
    allowance: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))

    recorded_by: Mapped[Person] = relationship()


class ImmutableRow(RuntimeError):
    """A decision row was about to be changed or deleted: decisions are new rows only."""


@event.listens_for(Decision, "before_update")
def _refuse_update(mapper: Any, connection: Any, target: Decision) -> None:
    raise ImmutableRow(f"decision {target.id} cannot be changed; record a new version instead")


@event.listens_for(Decision, "before_delete")
def _refuse_delete(mapper: Any, connection: Any, target: Decision) -> None:
    raise ImmutableRow(f"decision {target.id} cannot be deleted")


class ObjectionState(enum.StrEnum):
    FILED = "filed"  # waiting for the committee
    UPHELD = "upheld"  # accepted: a new decision version was recorded
    REJECTED = "rejected"  # the decision stands


class Objection(CreatedAt, Versioned, db.Model):
    """Đơn kiến nghị: a head's objection to their published decision, filed within the window;
    the committee records the outcome (upholding it records a new decision version)."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("council_decision.id"))
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[ObjectionState] = mapped_column(enum_column(ObjectionState), default=ObjectionState.FILED)
    outcome: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None]

    registration: Mapped[Registration] = relationship()
    decision: Mapped[Decision] = relationship(foreign_keys=[decision_id])
    filed_by: Mapped[Person] = relationship(foreign_keys=[filed_by_id])
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])


class CollectiveWaiver(CreatedAt, db.Model):
    """Miễn chờ kết quả tập thể: the standing committee decides the leaders of a collective before
    the collective itself ("kiểm điểm tập thể trước, cá nhân sau" is the rule; the committee may
    depart from it, with a reason). One per collective and cycle; rows are never changed."""

    __tablename__ = "collective_waiver"
    __table_args__ = (UniqueConstraint("cycle_id", "collective_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    collective_id: Mapped[int] = mapped_column(ForeignKey("registration.id"))  # the collective's plan
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))

    collective: Mapped[Registration] = relationship()
    recorded_by: Mapped[Person] = relationship()


class LeaderRecheck(CreatedAt, db.Model):
    """Cần quyết định lại: a collective's decision came or changed after one of its leaders was
    scored (frozen in the proposal list) or decided. The leader's result is recomputed with the
    collective's new level (`recomputed_level`, what the council's proposal becomes) and waits for
    the committee's new decision, which clears it (`cleared_by_id`)."""

    __tablename__ = "leader_recheck"
    __table_args__ = (Index("ix_leader_recheck_open", "cycle_id", "registration_id", "cleared_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)  # the leader's plan
    collective_decision_id: Mapped[int] = mapped_column(ForeignKey("council_decision.id"))
    collective_level: Mapped[str] = mapped_column(String(32))
    previous_collective_level: Mapped[str | None] = mapped_column(String(32))
    proposed_level: Mapped[str | None] = mapped_column(String(32))  # the frozen proposal's
    recomputed_level: Mapped[str | None] = mapped_column(String(32))
    decided_level: Mapped[str | None] = mapped_column(String(32))  # the leader's decision in force then
    cleared_at: Mapped[datetime | None]
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("council_decision.id"))

    registration: Mapped[Registration] = relationship()
    collective_decision: Mapped[Decision] = relationship(foreign_keys=[collective_decision_id])
