"""The evaluation cycle and its snapshot of the rules.

`rules` is a copy of the validated rules file taken when the cycle is created (and, for the
rubric, when scoring opens), so that changing `config/rules/` never changes a past result.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.core.models import CreatedAt, JSONType, Versioned, enum_column
from workflow.extensions import db


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

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def rule(self, section: str) -> dict[str, Any]:
        return self.rules[section]
