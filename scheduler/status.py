"""What operators and health checks read: who holds the lease and the last run of each job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from scheduler.lease import current
from scheduler.models import JobRun, SchedulerLease
from workflow.core.models import utcnow
from workflow.extensions import db


@dataclass
class LeaseView:
    holder: str
    acquired_at: Any
    renewed_at: Any
    expires_at: Any
    active: bool


@dataclass
class SchedulerStatus:
    lease: LeaseView | None
    last_runs: list[JobRun]
    healthy: bool


def last_runs() -> list[JobRun]:
    """The latest run of each job, in one query."""
    latest = select(JobRun.job, func.max(JobRun.id).label("id")).group_by(JobRun.job).subquery()
    return list(db.session.scalars(select(JobRun).join(latest, JobRun.id == latest.c.id).order_by(JobRun.job)))


def stale_after(settings: dict[str, Any]) -> timedelta:
    """A scheduler whose last tick is older than this is not running."""
    return timedelta(seconds=3 * settings["scheduler_tick_seconds"] + settings["scheduler_lease_seconds"])


def scheduler_status(settings: dict[str, Any]) -> SchedulerStatus:
    now = utcnow()
    held: SchedulerLease | None = current()
    lease = None
    if held is not None:
        lease = LeaseView(held.holder, held.acquired_at, held.renewed_at, held.expires_at, held.expires_at > now)
    runs = last_runs()
    newest = max((r.started_at for r in runs), default=None)
    healthy = newest is not None and now - newest <= stale_after(settings)
    return SchedulerStatus(lease=lease, last_runs=runs, healthy=healthy)
