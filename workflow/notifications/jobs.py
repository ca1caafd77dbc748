"""The dispatcher as a scheduled job: every tick sends what is due (last, after the other jobs
have queued theirs)."""

from __future__ import annotations

from datetime import datetime

from scheduler import job
from workflow.notifications.dispatch import send_due


@job("notifications.send", order=1000)
def send(now: datetime) -> dict[str, int]:
    """Send the e-mail that is due."""
    return send_due(now).as_dict()
