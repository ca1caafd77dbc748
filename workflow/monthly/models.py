"""The tables of the monthly evaluation of civil servants (Nghị định 335/2025/NĐ-CP).

- `Product` (sản phẩm trong danh mục): a standard product of an agency's positions, with its unit
  of measure and conversion coefficient, in a group the agency chooses; a product of no unit is
  a shared template every agency may plan from.
- `MonthlyPlan` (kế hoạch và kết quả tháng): one subject's month in the civil-servants track —
  the products assigned, the self-assessment, the direct manager's assessment and the head of
  agency's approval, as one workflow (`workflow.monthly.workflow.MONTH`).
- `PlanLine` (sản phẩm của tháng): one product of the month, from the catalogue or ad hoc, with
  what the servant says was delivered and what the manager judged.
- `YearResult` (kết quả năm): one subject's year in a track the direct manager assesses (civil
  servants; deputies and public employees too) — the general criteria the direct manager scores
  once at the year's end (and, where the year has no monthly plans, the task results), a case of "không hoàn thành" the head of agency records (Nghị định
  335/2025 Điều 20 k4 b–d), and the head of agency's decision on the level, with the engine's
  figures frozen at the decision (`workflow.monthly.year`).
- `YearObjection` (kiến nghị): the servant's objection to that decision, within the track's
  `objection_days`, and the head of agency's answer.

The direct manager of a person is `Person.manager_id` (else the head of the person's unit:
`workflow.monthly.queries.direct_manager`). Points come from the engine, never from here.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.core.models import CreatedAt, JSONType, Versioned, enum_column
from workflow.extensions import db

if TYPE_CHECKING:
    from workflow.cycles.models import Cycle
    from workflow.framework.models import Period, Subject
    from workflow.units.models import Unit

COEFFICIENT = Numeric(6, 2)
QUANTITY = Numeric(10, 2)
POINTS = Numeric(6, 2)


class Product(CreatedAt, Versioned, db.Model):
    """Sản phẩm trong danh mục: one appraisal dossier (hồ sơ) = 1.0, one inspection report = 3.0 …"""

    __tablename__ = "monthly_product"
    __table_args__ = (
        UniqueConstraint("unit_id", "code"),
        # A shared template (no unit) once per code.
        Index("uq_monthly_product_template_code", "code", unique=True, sqlite_where=text("unit_id IS NULL"),
              postgresql_where=text("unit_id IS NULL")),
        CheckConstraint("coefficient > 0", name="coefficient_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)  # None: a shared template
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    measure: Mapped[str] = mapped_column(String(50))  # đơn vị tính: hồ sơ, báo cáo, văn bản …
    coefficient: Mapped[Decimal] = mapped_column(COEFFICIENT, default=Decimal(1))  # hệ số quy đổi
    group: Mapped[str] = mapped_column("group_name", String(200), default="")  # nhóm, as the agency groups them
    active: Mapped[bool] = mapped_column(default=True)

    unit: Mapped[Unit | None] = relationship()

    def __repr__(self) -> str:
        return f"<Product {self.unit_id}/{self.code}>"


class MonthState(enum.StrEnum):
    DRAFT = "draft"  # the plan is being written (by the manager, or proposed by the servant)
    PROPOSED = "proposed"  # the servant proposed it; the manager approves or returns it
    AGREED = "agreed"  # assigned: the month's products in force
    SELF_ASSESSED = "self_assessed"  # the servant recorded what was delivered
    ASSESSED = "assessed"  # the direct manager scored the month
    RETURNED = "returned"  # the head of agency returned the assessment, with a reason
    APPROVED = "approved"  # the head of agency approved the month


class LineOrigin(enum.StrEnum):
    ASSIGNED = "assigned"  # written by the direct manager
    PROPOSED = "proposed"  # proposed by the servant
    CARRIED = "carried"  # carried over from last month (recurring work)
    IMPORTED = "imported"  # delivered as another system records it, with no line of the plan to match


class MonthlyPlan(CreatedAt, Versioned, db.Model):
    """Kế hoạch và kết quả tháng of one subject of the civil-servants track."""

    __tablename__ = "monthly_plan"
    __table_args__ = (UniqueConstraint("subject_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"), index=True)
    state: Mapped[MonthState] = mapped_column(enum_column(MonthState), default=MonthState.DRAFT, index=True)
    agreed_at: Mapped[datetime | None]
    self_assessed_at: Mapped[datetime | None]
    self_note: Mapped[str] = mapped_column(Text, default="")
    assessed_at: Mapped[datetime | None]
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    manager_note: Mapped[str] = mapped_column(Text, default="")
    # Assessed by the manager alone: the servant had not self-assessed (shown as a flag).
    without_self_assessment: Mapped[bool] = mapped_column(default=False)
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    returned_reason: Mapped[str] = mapped_column(Text, default="")
    # The engine's figures, kept with the rubric version they came from (a past month never
    # changes when the rubric file does).
    self_points: Mapped[Decimal | None] = mapped_column(POINTS)
    points: Mapped[Decimal | None] = mapped_column(POINTS)
    rubric_version: Mapped[str] = mapped_column(String(64), default="")

    subject: Mapped[Subject] = relationship()
    period: Mapped[Period] = relationship()
    lines: Mapped[list[PlanLine]] = relationship(back_populates="plan", cascade="all, delete-orphan", order_by="PlanLine.position")

    def __repr__(self) -> str:
        return f"<MonthlyPlan {self.id} subject={self.subject_id} period={self.period_id} {self.state}>"


class PlanLine(db.Model):
    """Sản phẩm của tháng: what was assigned, what the servant delivered, what the manager judged."""

    __tablename__ = "monthly_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("coefficient > 0", name="coefficient_positive"),
        CheckConstraint("errors >= 0 AND delays >= 0", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("monthly_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("monthly_product.id"), index=True)  # None: ad hoc
    origin: Mapped[LineOrigin] = mapped_column(enum_column(LineOrigin), default=LineOrigin.ASSIGNED)
    name: Mapped[str] = mapped_column(String(300))
    measure: Mapped[str] = mapped_column(String(50), default="")
    coefficient: Mapped[Decimal] = mapped_column(COEFFICIENT, default=Decimal(1))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    quality_standard: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date]
    recurring: Mapped[bool] = mapped_column(default=False)
    # The self-assessment (tự đánh giá).
    delivered_quantity: Mapped[Decimal | None] = mapped_column(QUANTITY)
    delivered_on: Mapped[date | None]
    evidence_link: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # Where the delivered figures came from when imported: the source system (its saved column
    # mapping's name) and the row keys of the file; "" when the servant typed them.
    source: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # The direct manager's assessment: what counts, when it was delivered, errors and delays.
    assessed_quantity: Mapped[Decimal | None] = mapped_column(QUANTITY)
    assessed_on: Mapped[date | None]
    errors: Mapped[int] = mapped_column(default=0)  # lần đánh giá chưa đạt chất lượng
    delays: Mapped[int] = mapped_column(default=0)  # lần chậm tiến độ
    result_percent: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))

    plan: Mapped[MonthlyPlan] = relationship(back_populates="lines")
    product: Mapped[Product | None] = relationship()

    @property
    def converted_quantity(self) -> Decimal:
        """Số lượng đã quy đổi: quantity × conversion coefficient."""
        return self.quantity * self.coefficient

    def __repr__(self) -> str:
        return f"<PlanLine {self.id} {self.name!r}>"


class YearCase(enum.StrEnum):
    """The cases in which a civil servant is "không hoàn thành nhiệm vụ" whatever the points
    (Nghị định 335/2025 Điều 20 k4 b–d), as the head of agency records them with their decision."""

    DEGRADATION = "degradation"  # k4 b: kết luận có biểu hiện suy thoái
    DUTY_DISCIPLINE = "duty_discipline"  # k4 c: kỷ luật từ khiển trách trở lên, vi phạm liên quan đến công vụ
    CORRUPTION_IN_AGENCY = "corruption_in_agency"  # k4 d: cơ quan do mình phụ trách bị xử lý về tham nhũng, lãng phí


class YearResult(CreatedAt, Versioned, db.Model):
    """Kết quả năm of one subject of a manager-assessed track in one cycle."""

    __tablename__ = "monthly_year"
    __table_args__ = (UniqueConstraint("subject_id", "cycle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    # The general criteria (tiêu chí chung), scored once by the direct manager: {code: "points"}.
    general: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    general_note: Mapped[str] = mapped_column(Text, default="")
    # For a track whose year is not made of monthly plans (deputies, public employees): the task
    # results as the direct manager assessed them — {"points": "…", "targets": n, "done": n,
    # "on_time": n, "exceeded": n} — the counts the levels' conditions look at.
    tasks: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    assessed_at: Mapped[datetime | None]
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # A case of "không hoàn thành" (Điều 20 k4 b–d), with the decision or conclusion it rests on.
    case: Mapped[YearCase | None] = mapped_column(enum_column(YearCase), nullable=True)
    case_reference: Mapped[str] = mapped_column(String(200), default="")
    # The head of agency's decision, with the engine's figures as they stood then.
    level: Mapped[str | None] = mapped_column(String(32))
    proposed_level: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")  # when the decision departs from the proposal
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    task_points: Mapped[Decimal | None] = mapped_column(POINTS)
    total: Mapped[Decimal | None] = mapped_column(POINTS)
    trace: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # checks, quota note, facts
    rubric_version: Mapped[str] = mapped_column(String(64), default="")

    subject: Mapped[Subject] = relationship()
    cycle: Mapped[Cycle] = relationship()

    @property
    def decided(self) -> bool:
        return self.level is not None

    def __repr__(self) -> str:
        return f"<YearResult {self.id} subject={self.subject_id} cycle={self.cycle_id} {self.level}>"


class ObjectionState(enum.StrEnum):
    FILED = "filed"  # waiting for the head of agency
    UPHELD = "upheld"  # accepted: the level was changed
    REJECTED = "rejected"  # the decision stands


class YearObjection(CreatedAt, Versioned, db.Model):
    """Kiến nghị: a servant's objection to the level of their year the head of agency decided,
    filed within the track's `objection_days`; the head of agency answers it, upholding it with
    another level or rejecting it. The level objected to and the level after are kept."""

    __tablename__ = "monthly_year_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("monthly_year.id", ondelete="CASCADE"), index=True)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime]
    level_before: Mapped[str] = mapped_column(String(32))
    state: Mapped[ObjectionState] = mapped_column(enum_column(ObjectionState), default=ObjectionState.FILED, index=True)
    outcome: Mapped[str] = mapped_column(Text, default="")
    level_after: Mapped[str | None] = mapped_column(String(32))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None]

    result: Mapped[YearResult] = relationship()
    filed_by: Mapped[Any] = relationship("Person", foreign_keys=[filed_by_id])
    decided_by: Mapped[Any] = relationship("Person", foreign_keys=[decided_by_id])

    def __repr__(self) -> str:
        return f"<YearObjection {self.id} result={self.result_id} {self.state}>"
