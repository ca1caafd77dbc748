"""Running the jobs: one tick as of an instant (`run_tick`), and the long-running process.

A tick first takes or renews the lease (see `lease.py`); a standby's tick stops there. The
leader runs every registered job once as of the tick's time, each in its own `unit_of_work()`,
renewing the lease between jobs, and records a `JobRun` for each.

The process (`serve`) is an APScheduler 3 `BlockingScheduler` with one interval job, the tick:
the first tick runs at start, so whatever fell due while the scheduler was down runs then, once
(jobs are state-based); `coalesce=True` with no misfire limit turns any ticks missed while the
process was busy or suspended into one run rather than one per missed tick.
"""

from __future__ import annotations

import logging
import signal
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app

from scheduler import lease, liveness
from scheduler.models import JobRun, Outcome
from scheduler.registry import Job, jobs
from workflow.core.models import utcnow
from workflow.core.transaction import unit_of_work
from workflow.extensions import db

log = logging.getLogger("scheduler")


@dataclass
class TickResult:
    as_of: datetime
    runs: list[JobRun] = field(default_factory=list)
    lost_lease: bool = False

    @property
    def ok(self) -> bool:
        return all(r.outcome == Outcome.OK for r in self.runs) and not self.lost_lease


def _counts(summary: Any) -> dict[str, int]:
    if summary is None:
        return {}
    return {str(k): int(v) for k, v in dict(summary).items()}


def run_job(job: Job, now: datetime, holder: str) -> JobRun:
    started = utcnow()
    error = ""
    try:
        with unit_of_work():
            counts = _counts(job.run(now))
        outcome = Outcome.OK
    except Exception:
        counts, outcome, error = {}, Outcome.ERROR, traceback.format_exc()[-4000:]
        log.exception("job %s as of %s failed", job.name, now.isoformat())
    run = JobRun(job=job.name, as_of=now, started_at=started, finished_at=utcnow(), outcome=outcome, counts=counts, error=error, holder=holder[:100])
    with unit_of_work():
        db.session.add(run)
    log.info("job %s as of %s: %s: %s (%.2fs)", job.name, now.isoformat(), outcome.value, run.summary, run.seconds)
    return run


def run_tick(now: datetime, *, holder: str, lease_seconds: int | None = None) -> TickResult | None:
    """Run every job once as of `now` if this process holds the lease; None when standing by."""
    if now.tzinfo is None:
        raise ValueError("the tick's time must be aware")
    seconds = lease_seconds or current_app.config["KPI"]["scheduler_lease_seconds"]
    if not lease.acquire(holder, seconds):
        active = lease.current()
        log.info("tick as of %s: standing by (active: %s until %s)", now.isoformat(), active.holder if active else "?", active.expires_at.isoformat() if active else "?")
        return None
    result = TickResult(as_of=now)
    for job in jobs():
        result.runs.append(run_job(job, now, holder))
        if not lease.acquire(holder, seconds):
            result.lost_lease = True
            log.warning("lost the lease to another scheduler; leaving the rest of this tick to it")
            break
    failed = [r.job for r in result.runs if r.outcome != Outcome.OK]
    log.info("tick as of %s: %s jobs run%s", now.isoformat(), len(result.runs), f", failed: {', '.join(failed)}" if failed else "")
    return result


def build(app: Flask, tick: Callable[[], Any], *, scheduler_class: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    """The APScheduler set-up of the process: one interval job, first run now, missed runs
    coalesced into one however late (no misfire limit), never two at once."""
    settings = app.config["KPI"]
    zone = ZoneInfo(settings["timezone"])
    sched = scheduler_class(
        timezone=zone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    sched.add_job(
        tick,
        IntervalTrigger(seconds=settings["scheduler_tick_seconds"], timezone=zone),
        id="tick",
        name="scheduler tick",
        next_run_time=datetime.now(zone),
    )
    return sched


def serve(app: Flask) -> None:
    """`kpi scheduler run`: tick until stopped (SIGTERM or Ctrl-C), then release the lease."""
    settings = app.config["KPI"]
    if settings["scheduler_lease_seconds"] <= settings["scheduler_tick_seconds"]:
        raise ValueError("scheduler_lease_seconds must be longer than scheduler_tick_seconds, or the lease expires between ticks")
    holder = lease.holder_id()

    def tick() -> None:
        role = "error"
        with app.app_context():
            try:
                role = "standby" if run_tick(utcnow(), holder=holder) is None else "active"
            except Exception:
                # The database may be down: log it and try again at the next tick.
                log.exception("tick failed")
                db.session.rollback()
            finally:
                # Alive whatever the tick found: restarting the process would not bring the
                # database back.
                liveness.beat(settings, holder, role)

    sched = build(app, tick)

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    log.info("scheduler %s starting: tick every %ss, lease %ss", holder, settings["scheduler_tick_seconds"], settings["scheduler_lease_seconds"])
    liveness.notify_systemd("READY=1")
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        liveness.notify_systemd("STOPPING=1")
        if sched.running:
            sched.shutdown(wait=True)
        with app.app_context():
            lease.release(holder)
        log.info("scheduler %s stopped", holder)
