"""Tự chấm điểm hằng tháng của tập thể: a collective's self-score for each month of a cycle, and
the recognition (công nhận) of that month by the committee above.

One row per collective subject, cycle and month (1–12), made when the collective's head first
saves the month. What lives elsewhere: who may do what (`workflow.policy`, `selfscoring.*`), the
steps (`workflow.py`), what the months mean at the year's end (`standing.py`).
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.core.models import CreatedAt, Versioned, enum_column
from workflow.extensions import db

if TYPE_CHECKING:
    from workflow.accounts.models import Person
    from workflow.cycles.models import Cycle
    from workflow.framework.models import Subject

POINTS = Numeric(5, 2)


class SelfScoreState(enum.StrEnum):
    DRAFT = "draft"  # being written by the collective's head
    SUBMITTED = "submitted"  # đã gửi: waiting for the committee above
    RECOGNISED = "recognised"  # được cấp ủy công nhận
    RETURNED = "returned"  # trả lại, with the reason: corrected and submitted again


class CollectiveSelfScore(CreatedAt, Versioned, db.Model):
    """Kết quả tự chấm điểm tháng của một tập thể, and whether the committee above recognised it."""

    __tablename__ = "collective_self_score"
    __table_args__ = (
        UniqueConstraint("subject_id", "cycle_id", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        CheckConstraint("points IS NULL OR (points >= 0 AND points <= 100)", name="points_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    month: Mapped[int]
    state: Mapped[SelfScoreState] = mapped_column(enum_column(SelfScoreState), default=SelfScoreState.DRAFT, index=True)
    points: Mapped[Decimal | None] = mapped_column(POINTS)  # điểm tự chấm, 0–100; empty in a draft
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # Who recognised or returned the month, and when (the last of these steps).
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    returned_reason: Mapped[str] = mapped_column(Text, default="")

    subject: Mapped[Subject] = relationship()
    cycle: Mapped[Cycle] = relationship()
    submitted_by: Mapped[Person | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[Person | None] = relationship(foreign_keys=[reviewed_by_id])

    def __repr__(self) -> str:
        return f"<CollectiveSelfScore {self.id} subject={self.subject_id} cycle={self.cycle_id} month={self.month} {self.state}>"
