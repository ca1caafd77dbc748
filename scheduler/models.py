"""What the scheduler records: one `JobRun` per job per tick, and the leadership lease."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.core.models import JSONType, enum_column
from workflow.extensions import db


class Outcome(enum.StrEnum):
    OK = "ok"
    ERROR = "error"


class JobRun(db.Model):
    """One run of one job: as of which instant, when, by which process, and what it did."""

    __tablename__ = "job_run"
    __table_args__ = (Index("ix_job_run_job_started", "job", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(100))
    as_of: Mapped[datetime]
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime]
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome))
    counts: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    holder: Mapped[str] = mapped_column(String(100))

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def summary(self) -> str:
        """"sent=3, failed=1": the counts that are not zero, for logs and the command line."""
        return ", ".join(f"{k}={v}" for k, v in self.counts.items() if v) or "nothing to do"


class SchedulerLease(db.Model):
    """Who is the active scheduler: renewed every tick, taken over by a standby once expired."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))  # host:pid:random
    acquired_at: Mapped[datetime]
    renewed_at: Mapped[datetime]
    expires_at: Mapped[datetime]
