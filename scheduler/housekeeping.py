"""The scheduler's own housekeeping job: forget old job runs, so the table stays small."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete

from scheduler.models import JobRun
from scheduler.registry import job
from workflow.core.models import utcnow
from workflow.extensions import db


@job("scheduler.prune_runs", order=5)
def prune_runs(now: datetime) -> dict[str, int]:
    """Delete job runs older than scheduler_keep_runs_days (by the real clock: it is about the
    table's size, not about the business calendar)."""
    cutoff = utcnow() - timedelta(days=current_app.config["KPI"]["scheduler_keep_runs_days"])
    result = db.session.execute(delete(JobRun).where(JobRun.started_at < cutoff).execution_options(synchronize_session=False))
    return {"deleted": result.rowcount}
