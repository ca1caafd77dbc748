"""The scheduler: the job registry, ticks as of an instant, `run-once --at` over a simulated
year, catching up after downtime, leadership, and two real processes on PostgreSQL."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select, update

import factories as f
from conftest import database_url, is_postgres
from scheduler import job, jobs, lease
from scheduler.models import JobRun, Outcome, SchedulerLease
from scheduler.registry import unregister
from scheduler.runner import build, run_tick
from scheduler.status import scheduler_status
from workflow.accounts.models import Person, Role, RoleGrant
from workflow.calendar import WorkingCalendar, calendar_rules, report_windows
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.notifications.keys import reminder_key
from workflow.notifications.models import Notification, State
from workflow.notifications.operations import notify

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = Path(__file__).resolve().parent.parent


def window_open_reminders(now):
    """A job written to the contract: what is due as of `now`, by query; keyed, so never twice."""
    heads = db.session.scalars(select(Person).join(RoleGrant).where(RoleGrant.role == Role.HEAD)).all()
    queued = 0
    for cycle in db.session.scalars(select(Cycle)):
        cal = WorkingCalendar(calendar_rules(cycle))
        for window in report_windows(cycle):
            if cal.reminder_at(window.opens_on) <= now < window.due_at:
                for head in heads:
                    key = reminder_key(head, cycle, window.quarter, "window_open")
                    context = {"requested_at": now, "settings": {"host": "-", "port": 0, "security": "-", "sender": "-"}}
                    queued += notify(head, "window_open", key, "test_message", context, when=now, cycle=cycle, quarter=window.quarter)
    return {"queued": queued}


@pytest.fixture
def reminder_job():
    job("test.window_open", order=50)(window_open_reminders)
    yield
    unregister("test.window_open")


def runs(**where):
    stmt = select(JobRun).order_by(JobRun.id)
    for k, v in where.items():
        stmt = stmt.where(getattr(JobRun, k) == v)
    return db.session.scalars(stmt).all()


def test_jobs_are_registered_once_and_run_in_order(reminder_job):
    names = [j.name for j in jobs()]
    assert names == ["scheduler.prune_runs", "accounts.prune", "reports.open_windows", "reports.remind", "monthly.remind", "selfscoring.remind", "reports.escalate",
                     "votes.remind_follow_ups", "opinions.remind", "test.window_open", "ratings.remind_cases", "ratings.escalate_cases", "notifications.send"]
    with pytest.raises(ValueError, match="registered twice"):
        job("notifications.send")(lambda now: None)


def test_run_once_simulates_a_year_and_sends_each_reminder_once(app, smtp, reminder_job):
    heads = [f.person(Role.HEAD, email=f"head{i}@vinhphuc.gov.vn") for i in range(3)]
    f.cycle(2027)
    db.session.commit()
    runner = app.test_cli_runner()
    moment = datetime(2027, 1, 4, 9, 0, tzinfo=HCM)  # Mondays at 09:00, a whole year
    ticks = 0
    while moment.year == 2027 or moment < datetime(2028, 1, 11, tzinfo=HCM):
        result = runner.invoke(args=["scheduler", "run-once", "--at", moment.isoformat()])
        assert result.exit_code == 0, result.output
        ticks += 1
        moment += timedelta(days=7)
    assert ticks >= 53
    # Four windows (Q4's opens in January 2028), each announced once to each head.
    received = smtp.recipients()
    assert len(received) == 4 * len(heads)
    assert sorted(set(received)) == sorted(h.email for h in heads)
    assert all(received.count(h.email) == 4 for h in heads)
    assert len(runs(job="notifications.send")) == ticks
    sent = db.session.scalars(select(Notification).order_by(Notification.quarter)).all()
    assert {(n.quarter, n.state) for n in sent} == {(q, State.SENT) for q in (1, 2, 3, 4)}
    # Q1 opened on Thursday 1 April; the first tick after it, Monday 5 April, announced it.
    q1 = db.session.scalar(select(JobRun).where(JobRun.job == "test.window_open", JobRun.counts["queued"].as_integer() > 0).order_by(JobRun.as_of))
    assert q1.as_of == datetime(2027, 4, 5, 9, 0, tzinfo=HCM)


def test_run_once_prints_what_each_job_did_and_refuses_a_time_without_offset(app, reminder_job):
    f.person(Role.HEAD)
    f.cycle(2027)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scheduler", "run-once", "--at", "2027-04-08T09:00+07:00"])
    assert result.exit_code == 0, result.output
    assert "test.window_open: ok: queued=1" in result.output
    assert "notifications.send: ok:" in result.output
    bad = runner.invoke(args=["scheduler", "run-once", "--at", "2027-04-08T09:00"])
    assert bad.exit_code == 2 and "offset" in bad.output
    status = runner.invoke(args=["scheduler", "status"])
    assert "test.window_open: ok as of 2027-04-08T02:00:00+00:00" in status.output
    assert status.exit_code == 0 and "healthy" in status.output


def test_catching_up_after_downtime_runs_each_job_once(app, smtp, reminder_job):
    heads = [f.person(Role.HEAD) for _ in range(2)]
    f.cycle(2027)
    holder = lease.holder_id()
    assert run_tick(datetime(2027, 3, 1, 9, tzinfo=HCM), holder=holder) is not None
    # Down from March to 5 April: Q1 opened meanwhile. The first tick after it catches up once.
    result = run_tick(datetime(2027, 4, 5, 9, tzinfo=HCM), holder=holder)
    assert [r.job for r in result.runs] == [j.name for j in jobs()]
    assert len(runs(as_of=datetime(2027, 4, 5, 2, tzinfo=UTC))) == len(jobs())
    done = {r.job: r.counts for r in result.runs}
    assert done["test.window_open"]["queued"] == 2 and done["notifications.send"]["sent"] == 2
    again = {r.job: r.counts for r in run_tick(datetime(2027, 4, 5, 9, 1, tzinfo=HCM), holder=holder).runs}
    assert again["test.window_open"]["queued"] == 0 and again["notifications.send"]["claimed"] == 0
    assert len(smtp.received) == len(heads)


def test_a_failing_job_is_recorded_rolled_back_and_does_not_stop_the_others(app):
    person = f.person(Role.HEAD)

    def broken(now):
        notify(person, "x", "broken", "test_message", {"requested_at": now, "settings": {}}, when=now)
        raise RuntimeError("boom")

    job("test.broken", order=1)(broken)
    try:
        result = run_tick(datetime(2027, 4, 8, 9, tzinfo=HCM), holder="h:1:a")
    finally:
        unregister("test.broken")
    by_job = {r.job: r for r in result.runs}
    assert by_job["test.broken"].outcome == Outcome.ERROR and "RuntimeError: boom" in by_job["test.broken"].error
    assert by_job["notifications.send"].outcome == Outcome.OK
    assert not result.ok
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_the_lease_excludes_a_second_scheduler_until_it_expires_or_is_released(app):
    a, b = "host-a:1:aaaa", "host-b:2:bbbb"
    assert lease.acquire(a, 60)
    assert not lease.acquire(b, 60)
    assert lease.acquire(a, 60)  # renewal
    assert lease.current().holder == a
    first_acquired = lease.current().acquired_at
    assert run_tick(datetime(2027, 4, 8, 9, tzinfo=HCM), holder=b) is None  # a standby does nothing
    assert runs() == []
    # The active one stops renewing: once expired, the standby takes over, and the old one's
    # renewal fails.
    db.session.execute(update(SchedulerLease).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    db.session.commit()
    assert lease.acquire(b, 60)
    assert not lease.acquire(a, 60)
    assert lease.current().holder == b and lease.current().acquired_at > first_acquired
    lease.release(b)
    assert lease.acquire(a, 60)


def test_run_once_refuses_while_another_scheduler_is_active(app):
    assert lease.acquire("elsewhere:9:zzzz", 60)
    result = app.test_cli_runner().invoke(args=["scheduler", "run-once"])
    assert result.exit_code == 1 and "another scheduler is active (elsewhere:9:zzzz)" in result.output
    assert runs() == []


def test_status_for_health_checks(app):
    settings = app.config["KPI"]
    assert not scheduler_status(settings).healthy
    never = app.test_cli_runner().invoke(args=["scheduler", "status"])
    assert never.exit_code == 1 and "lease: never taken" in never.output and "not running" in never.output
    run_tick(datetime.now(UTC), holder="h:1:a")
    status = scheduler_status(settings)
    assert status.healthy and status.lease.holder == "h:1:a" and status.lease.active
    assert [r.job for r in status.last_runs] == sorted(j.name for j in jobs())


def test_missed_ticks_collapse_into_one_run(app, monkeypatch):
    # The process's own APScheduler set-up, with a background scheduler and a tick that counts.
    monkeypatch.setitem(app.config["KPI"], "scheduler_tick_seconds", 1)
    calls = []
    sched = build(app, lambda: calls.append(time.monotonic()), scheduler_class=BackgroundScheduler)
    sched.start(paused=True)
    try:
        tick = sched.get_job("tick")
        assert tick.coalesce is True and tick.misfire_grace_time is None and tick.max_instances == 1
        first = tick.next_run_time

        def sleep_until(seconds_after_first):
            time.sleep(max(0.0, (first + timedelta(seconds=seconds_after_first) - datetime.now(first.tzinfo)).total_seconds()))

        sleep_until(3.05)  # the first run and three ticks fell due while the scheduler could not run
        sched.resume()
        sleep_until(3.5)
        assert len(calls) == 1
        sleep_until(4.5)
        assert len(calls) == 2  # then the normal rhythm again
    finally:
        sched.shutdown(wait=False)


# --- two real scheduler processes ---------------------------------------------------------

def _start(environ, log_path):
    kpi = Path(sys.executable).with_name("kpi")
    log = open(log_path, "wb")
    return subprocess.Popen([str(kpi), "scheduler", "run"], cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT)


def _queue(heads, tag):
    for head in heads:
        notify(head, "test_message", f"{tag}:{head.id}", "test_message", {"requested_at": datetime.now(UTC), "settings": {}})
    db.session.commit()


@pytest.mark.real_commits
@pytest.mark.slow
@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL only: several scheduler processes on one database; SQLite serves a single process")
def test_two_scheduler_processes_send_each_message_once_and_the_standby_takes_over(app, smtp, tmp_path):
    heads = [f.person(Role.HEAD, email=f"head{i}@vinhphuc.gov.vn") for i in range(40)]
    db.session.commit()
    _queue(heads, "first")
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KPI_")},
        **smtp.environ(),
        "KPI_ENV": "testing",
        "KPI_DATABASE_URL": database_url(tmp_path),
        "KPI_SECRET_KEY": "test-secret-key-that-is-long-enough-to-pass",
        "KPI_BASE_URL": "http://kpi.test",
        "KPI_SCHEDULER_TICK_SECONDS": "1",
        "KPI_SCHEDULER_LEASE_SECONDS": "3",
        "KPI_MAIL_BATCH_SIZE": "7",
    }
    processes = [_start(environ, tmp_path / f"scheduler{i}.log") for i in range(2)]
    try:
        smtp.wait_for(40)
        time.sleep(3)  # several more ticks of both: nothing may go out again
        recipients = smtp.recipients()
        logs = "\n".join(p.read_text() for p in tmp_path.glob("scheduler*.log"))
        assert len(recipients) == 40 and len(set(recipients)) == 40, logs
        db.session.expire_all()
        holders = set(db.session.scalars(select(JobRun.holder)))
        assert len(holders) == 1, f"both schedulers acted: {holders}\n{logs}"
        [active] = holders
        pid = int(active.split(":")[1])
        victim = next(p for p in processes if p.pid == pid)
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        killed_at = time.monotonic()
        _queue(heads[:10], "second")
        smtp.wait_for(50, timeout=20)
        taken_over_in = time.monotonic() - killed_at
        recipients = smtp.recipients()
        assert len(recipients) == 50 and len(set(recipients)) == 40, logs
        assert taken_over_in < 3 + 1 + 3, f"the standby took {taken_over_in:.1f}s"
        # The standby records its runs once each job has finished, just after the mail went out.
        deadline = time.monotonic() + 5
        while True:
            db.session.rollback()
            holders_after = set(db.session.scalars(select(JobRun.holder).where(JobRun.job == "notifications.send"))) - holders
            if holders_after or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert len(holders_after) == 1, logs
        survivor = next(p for p in processes if p is not victim)
        survivor.send_signal(signal.SIGTERM)
        assert survivor.wait(15) == 0
        db.session.expire_all()
        assert lease.current().expires_at <= datetime.now(UTC)  # released on a clean stop
        assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.state != State.SENT)) == 0
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
                p.wait(10)


def test_run_refuses_a_lease_shorter_than_the_tick(app, monkeypatch):
    monkeypatch.setitem(app.config["KPI"], "scheduler_lease_seconds", 30)
    result = app.test_cli_runner().invoke(args=["scheduler", "run"])
    assert result.exit_code == 1 and "scheduler_lease_seconds must be longer" in result.output


def test_old_job_runs_are_pruned(app):
    old = datetime.now(UTC) - timedelta(days=31)
    db.session.add(JobRun(job="x", as_of=old, started_at=old, finished_at=old, outcome=Outcome.OK, counts={}, holder="h"))
    db.session.commit()
    result = run_tick(datetime(2027, 4, 8, 9, tzinfo=HCM), holder="h:1:a")
    assert {r.job: r.counts for r in result.runs}["scheduler.prune_runs"] == {"deleted": 1}
    assert {r.job for r in runs()} == {j.name for j in jobs()}
