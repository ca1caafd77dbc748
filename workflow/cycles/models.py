"""The evaluation cycle and its snapshot of the rules.

`rules` is a copy of the validated rules file taken when the cycle is created (and, for the
rubric, when scoring opens), so that changing `config/rules/` never changes a past result.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.core.models import CreatedAt, JSONType, Versioned, enum_column
from workflow.extensions import db

if TYPE_CHECKING:
    from workflow.accounts.models import Person


class CycleState(enum.StrEnum):
    REGISTRATION = "registration"  # heads register, staff review, committee assigns
    EXECUTION = "execution"  # quarterly reports
    SCORING = "scoring"  # council scores, committee decides
    CLOSED = "closed"


class Cycle(CreatedAt, Versioned, db.Model):
    __tablename__ = "cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    state: Mapped[CycleState] = mapped_column(enum_column(CycleState), default=CycleState.REGISTRATION)
    rules_version: Mapped[str] = mapped_column(String(64))
    rules: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # Scoring opens once the fourth quarter's reports are due; an administrator may open it
    # earlier with a written reason, which the council sees on its pages.
    scoring_opened_at: Mapped[datetime | None]
    early_scoring_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    early_scoring_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    early_scoring_by: Mapped[Person | None] = relationship()

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def rule(self, section: str) -> dict[str, Any]:
        return self.rules[section]
