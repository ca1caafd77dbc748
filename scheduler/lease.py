"""Leadership: only one scheduler acts at a time, and a standby takes over when it dies.

The active scheduler holds a row in `scheduler_lease` and renews it at the start of every tick
and after every job; a standby tries the same each tick and wins only once the lease has expired
(`scheduler_lease_seconds` without renewal). Taking and renewing is one conditional UPDATE
(`… WHERE holder = me OR expires_at < now`), so of two contenders exactly one succeeds: on
PostgreSQL the second waits for the first's row lock and then finds the condition false.

Why a lease row rather than `pg_try_advisory_lock`: it works the same on SQLite and PostgreSQL,
so one mechanism is tested everywhere; operators can see who is active and since when (`kpi
scheduler status`, the outbox page); and it does not tie leadership to one database connection,
which a connection pool's reconnects or a transaction-mode pooler (PgBouncer) would silently
break. The price is that a standby waits for the lease to expire after a crash (a clean stop
releases it at once). Leadership avoids doing the work twice; it is not what keeps mail from
going out twice: unique keys and the dispatcher's row claims do that even with two leaders.

Lease times are the real clock (not a job's as-of time): they are about processes. On
PostgreSQL they are the database server's clock, so schedulers on hosts whose clocks disagree
still agree on when a lease expires.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import case, func, literal, or_, select, update

from scheduler.models import SchedulerLease
from workflow.core.database import insert_ignoring_conflict
from workflow.core.models import UTCDateTime, utcnow
from workflow.extensions import db

LEASE = "scheduler"


def holder_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def clock() -> datetime:
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.scalar(select(func.clock_timestamp()))
    return utcnow()


def acquire(holder: str, seconds: int, *, name: str = LEASE) -> bool:
    """Take or renew the lease for `seconds`; False while another holder's lease is valid.

    Commits: the lease must be visible to the other schedulers at once.
    """
    now = clock()
    expires = now + timedelta(seconds=seconds)
    try:
        taken = db.session.execute(
            update(SchedulerLease)
            .where(SchedulerLease.name == name, or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now))
            .values(
                holder=holder,
                acquired_at=case((SchedulerLease.holder == holder, SchedulerLease.acquired_at), else_=literal(now, UTCDateTime())),
                renewed_at=now,
                expires_at=expires,
            )
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if not taken:
            taken = insert_ignoring_conflict(
                db.session,
                SchedulerLease.__table__,
                {"name": name, "holder": holder, "acquired_at": now, "renewed_at": now, "expires_at": expires},
                ["name"],
            )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return taken


def release(holder: str, *, name: str = LEASE) -> None:
    """Give the lease up (on a clean stop), so a standby need not wait for it to expire."""
    db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(expires_at=clock() - timedelta(seconds=1))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def current(name: str = LEASE) -> SchedulerLease | None:
    return db.session.scalar(select(SchedulerLease).where(SchedulerLease.name == name).execution_options(populate_existing=True))
