"""`kpi scheduler run | run-once | status | alive`."""

from __future__ import annotations

import logging
import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from scheduler import lease, liveness
from scheduler.models import Outcome
from scheduler.registry import jobs
from scheduler.runner import run_tick, serve
from scheduler.status import scheduler_status
from workflow.core.models import utcnow


def _logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def parse_instant(raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise click.BadParameter(f"{raw!r} is not an ISO 8601 date and time (e.g. 2027-04-08T09:00+07:00)") from None
    if value.tzinfo is None:
        raise click.BadParameter("give the offset too, e.g. 2027-04-08T09:00+07:00")
    return value


@click.group()
def scheduler() -> None:
    """The scheduler process: report windows, reminders, the outbox."""


@scheduler.command("run")
@with_appcontext
def run() -> None:
    """Run the scheduler until stopped. Start a second one on another host as a standby."""
    _logging()
    try:
        serve(current_app._get_current_object())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


@scheduler.command("run-once")
@click.option("--at", "at", default=None, metavar="ISO-8601", help="Run as of this instant, with its offset (default: now).")
@with_appcontext
def run_once(at: str | None) -> None:
    """Run every job once as of an instant, then exit (to catch up by hand, or to simulate)."""
    _logging()
    now = parse_instant(at) if at else utcnow()
    holder = lease.holder_id()
    try:
        result = run_tick(now, holder=holder)
    finally:
        lease.release(holder)
    if result is None:
        active = lease.current()
        raise click.ClickException(
            f"another scheduler is active ({active.holder if active else '?'}); stop it, or wait until its lease expires"
        )
    for r in result.runs:
        click.echo(f"{r.job}: {r.outcome.value}: {r.summary}")
    if not result.ok:
        raise SystemExit(1)


@scheduler.command("status")
@with_appcontext
def status() -> None:
    """Who is active, and the last run of every job. Exits 1 when no scheduler has ticked
    lately or a job's last run failed (for health checks)."""
    report = scheduler_status(current_app.config["KPI"])
    held = lease.current()
    now = utcnow()
    if held is None:
        click.echo("lease: never taken (no scheduler has run)")
    else:
        state = "active" if held.expires_at > now else "expired"
        click.echo(f"lease: {state}, held by {held.holder} since {held.acquired_at.isoformat()}, renewed {held.renewed_at.isoformat()}")
    runs = {r.job: r for r in report.last_runs}
    for job in jobs():
        r = runs.get(job.name)
        if r is None:
            click.echo(f"{job.name}: never run")
        else:
            counts = ", ".join(f"{k}={v}" for k, v in r.counts.items()) or "nothing to do"
            click.echo(f"{job.name}: {r.outcome.value} as of {r.as_of.isoformat()} at {r.started_at.isoformat()}: {counts}")
    click.echo("healthy" if report.healthy else "not running: no tick lately")
    if not report.healthy or any(r.outcome == Outcome.ERROR for r in runs.values()):
        raise SystemExit(1)


@scheduler.command("alive")
@with_appcontext
def alive() -> None:
    """Whether this host's scheduler process is alive, from its heartbeat file (for a container's
    or a monitor's health check). Exits 1 when it has not beaten lately. Reads no database."""
    settings = current_app.config["KPI"]
    if not settings["scheduler_heartbeat_file"]:
        raise click.ClickException("no heartbeat file is configured (set KPI_SCHEDULER_HEARTBEAT_FILE for kpi scheduler run and here)")
    age, beat = liveness.heartbeat_age(settings)
    limit = liveness.alive_within(settings)
    if age is None:
        click.echo(f"not alive: no heartbeat in {settings['scheduler_heartbeat_file']}")
        raise SystemExit(1)
    click.echo(f"{'alive' if age <= limit else 'not alive'}: last beat {age:.0f} s ago ({beat.get('role', '?')}, {beat.get('holder', '?')})")
    if age > limit:
        raise SystemExit(1)
