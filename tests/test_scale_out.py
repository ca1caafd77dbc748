"""Scaled out on PostgreSQL: two `kpi serve` instances and two `kpi scheduler run` processes on
one database, a real SMTP server on loopback, and the load client of `bench/load.py` (50
people for 60 seconds, each request to the next instance) signing in, reading and saving
drafts: heads and staff officers at their quarterly reports, civil servants saving this month's
self-assessment and their direct manager assessing the months waiting for it. No server error,
no request left unanswered, every acknowledged save in the database, and every notification
that fell due meanwhile delivered exactly once. Prints requests per second and the p50/p95
latency (figures, not assertions).

KPI_LOAD_USERS and KPI_LOAD_SECONDS change the size of the run for a quick local try."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

import factories as f
from conftest import database_url, is_postgres
from workflow.accounts.models import Role
from workflow.extensions import db
from workflow.notifications.models import Notification, State
from workflow.reports.models import QuarterlyReport, ReportEntry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402
from mailserver import free_port  # noqa: E402

HEADS = 20  # 50 users take the 27 logins in turn: one or two people at once as each head, whose saves conflict
OFFICERS = 2
SERVANTS = 4  # with a login, saving their month; their manager (one more login) assesses WAITING others
WAITING = 6
USERS = int(os.environ.get("KPI_LOAD_USERS", "50"))
SECONDS = float(os.environ.get("KPI_LOAD_SECONDS", "60"))


@pytest.fixture
def province():
    """Heads with an assigned registration of a cycle whose four report windows have all closed
    (two years back, whatever today is), so every reminder and escalation is due at once; the
    four draft reports of each; staff officers following the units. Every login has a password."""
    year = date.today().year - 2
    password_hash = PasswordHasher().hash(f.PASSWORD)  # as in production, not the tests' cheap profile
    officers = [f.person(Role.STAFF, username=f"chuyenvien{i}", email=f"chuyenvien{i}@vinhphuc.gov.vn",
                         password_hash=password_hash) for i in range(OFFICERS)]
    heads = []
    for i in range(HEADS):
        unit = f.unit(staff_officer_id=officers[i % OFFICERS].id)
        head = f.person((Role.HEAD, unit), username=f"thutruong{i}", email=f"thutruong{i}@vinhphuc.gov.vn",
                        password_hash=password_hash)
        reg = f.assigned_registration(year, head=head)
        for quarter in (1, 2, 3, 4):
            f.report(reg, quarter)
        heads.append(head)
    db.session.commit()
    return heads, officers


@pytest.fixture
def monthly_team(province):
    """An agency in this year's cycle: a team leader, the direct manager of SERVANTS civil
    servants whose month is assigned (three products each, to self-assess) and of WAITING more
    whose month is self-assessed (to assess). Bulk rows, as the directory import makes them."""
    from bulk import insert_rows
    from workflow import policy
    from workflow.core import formats
    from workflow.core.models import utcnow
    from workflow.cycles.operations import create_cycle
    from workflow.framework import queries as framework
    from workflow.framework.models import Subject, SubjectKind
    from workflow.monthly.models import LineOrigin, MonthlyPlan, MonthState, PlanLine
    from workflow.monthly.queries import current_month

    password_hash = PasswordHasher().hash(f.PASSWORD)
    create_cycle(date.today().year, actor=policy.SYSTEM)
    db.session.flush()
    period = current_month(formats.local(utcnow()).date())
    unit = f.unit()
    f.person((Role.HEAD, unit), username="thutruong-so", password_hash=password_hash)
    leader = f.person(username="truongphong", email="truongphong@vinhphuc.gov.vn", unit=unit, password_hash=password_hash)
    people = [f.person(username=f"congchuc{i}", email=f"congchuc{i}@vinhphuc.gov.vn", unit=unit, manager_id=leader.id,
                       password_hash=password_hash if i < SERVANTS else "") for i in range(SERVANTS + WAITING)]
    track = framework.track("civil_servants")
    subjects = insert_rows(Subject, [{"track_id": track.id, "kind": SubjectKind.PERSON, "unit_id": unit.id, "person_id": p.id, "title": "",
                                      "active": True} for p in people], ids=True)
    plans = insert_rows(MonthlyPlan, [{"subject_id": s, "period_id": period.id, "state": MonthState.AGREED if i < SERVANTS else MonthState.SELF_ASSESSED,
                                       "self_note": "", "manager_note": "", "returned_reason": "", "rubric_version": "",
                                       "without_self_assessment": False} for i, s in enumerate(subjects)], ids=True)
    insert_rows(PlanLine, [{"plan_id": plan, "position": n, "origin": LineOrigin.ASSIGNED, "name": f"Sản phẩm {n}", "measure": "hồ sơ",
                            "coefficient": Decimal(n), "quantity": Decimal(4), "quality_standard": "", "due_on": period.ends_on, "recurring": False,
                            "evidence_link": "", "note": "", "errors": 0, "delays": 0,
                            "delivered_quantity": Decimal(4) if i >= SERVANTS else None, "delivered_on": period.starts_on if i >= SERVANTS else None}
                           for i, plan in enumerate(plans) for n in (1, 2, 3)])
    db.session.commit()
    return people[:SERVANTS], leader, period


def _start(args: list[str], environ: dict[str, str], log: Path) -> subprocess.Popen:
    kpi = Path(sys.executable).with_name("kpi")
    with open(log, "wb") as out:
        return subprocess.Popen([str(kpi), *args], cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)


def _wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{url} did not become ready:\n{log.read_text()}")
        time.sleep(0.2)


def _stop(processes: list[subprocess.Popen]) -> None:
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in processes:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(10)


def _drained(smtp, expected: int) -> bool:
    db.session.rollback()
    waiting = db.session.scalar(select(func.count()).select_from(Notification).where(Notification.state != State.SENT))
    return waiting == 0 and len(smtp.received) >= expected


def _no_month_save_lost(acks: list[load.MonthAck]) -> None:
    """Each month's version is the last one acknowledged, only one save acknowledged per
    version, and each product holds the figure of its last acknowledged save."""
    from workflow.monthly.models import MonthlyPlan, PlanLine

    assert [key for key, n in Counter((a.plan_id, a.version) for a in acks).items() if n > 1] == []
    last_version: dict[int, int] = {}
    last_value: dict[tuple[int, int, str], load.MonthAck] = {}
    for ack in acks:
        last_version[ack.plan_id] = max(last_version.get(ack.plan_id, 0), ack.version)
        known = last_value.get((ack.plan_id, ack.line_id, ack.field))
        if known is None or ack.version > known.version:
            last_value[(ack.plan_id, ack.line_id, ack.field)] = ack
    db.session.rollback()
    versions = dict(db.session.execute(select(MonthlyPlan.id, MonthlyPlan.version).where(MonthlyPlan.id.in_(last_version))).all())
    assert versions == last_version
    lines = {ln.id: ln for ln in db.session.scalars(select(PlanLine).where(PlanLine.plan_id.in_(last_version)))}
    lost = {key: (ack.value, getattr(lines[ack.line_id], ack.field)) for key, ack in last_value.items()
            if getattr(lines[ack.line_id], ack.field) != Decimal(ack.value)}
    assert lost == {}


def _errors_logged(tmp_path: Path) -> str:
    """What the web instances logged as errors, for the message of a failed assertion."""
    lines = [line for log in sorted(tmp_path.glob("web*.log")) for line in log.read_text().splitlines()
             if "ERROR" in line or not line.startswith("{")]
    return "\n".join(lines[-80:])


@pytest.mark.real_commits
@pytest.mark.slow
@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL only: several web and scheduler processes on one database; SQLite serves a single process")
def test_two_web_instances_and_two_schedulers_under_load(app, smtp, province, monthly_team, tmp_path, capsys, record_property):
    heads, officers = province
    servants, manager, period = monthly_team
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KPI_")},
        **smtp.environ(),
        "KPI_ENV": "production",
        "KPI_DATABASE_URL": database_url(tmp_path),
        "KPI_SECRET_KEY": "test-secret-key-that-is-long-enough-to-pass",
        "KPI_BASE_URL": "http://kpi.test",
        "KPI_UPLOAD_DIR": str(tmp_path / "uploads"),
        "KPI_WEB_WORKERS": "2",
        "KPI_WEB_THREADS": "4",
        "KPI_SCHEDULER_TICK_SECONDS": "1",
        "KPI_SCHEDULER_LEASE_SECONDS": "3",
        "KPI_MAIL_BATCH_SIZE": "10",
    }
    urls = []
    processes: list[subprocess.Popen] = []
    try:
        for i in range(2):
            port = free_port()
            urls.append(f"http://127.0.0.1:{port}")
            log = tmp_path / f"web{i}.log"
            processes.append(_start(["serve"], {**environ, "KPI_WEB_BIND": f"127.0.0.1:{port}"}, log))
        for i in range(2):
            processes.append(_start(["scheduler", "run"], environ, tmp_path / f"scheduler{i}.log"))
        for i, url in enumerate(urls):
            _wait_ready(url, processes[i], tmp_path / f"web{i}.log")

        logins: list[tuple[str, ...]] = [(p.username, f.PASSWORD) for p in heads + officers]
        logins += [(p.username, f.PASSWORD, "servant") for p in servants]
        logins.append((manager.username, f.PASSWORD, "manager", f"/monthly/team?period_id={period.id}"))
        # A generous wait for each answer: a slow machine makes slow answers, not failures (the
        # figures printed say how slow).
        results = load.run(urls, logins, users=USERS, seconds=SECONDS, timeout=60)
        with capsys.disabled():
            print(f"\nscale-out load ({USERS} users, {SECONDS:.0f} s, {len(urls)} web instances): {results.summary()}")
            print(results.routes())
        record_property("requests", results.requests)
        record_property("requests_per_second", round(results.requests / results.seconds, 1))
        record_property("p50_ms", round(results.percentile(50) * 1000))
        record_property("p95_ms", round(results.percentile(95) * 1000))

        assert results.server_errors == [], "\n".join(results.server_errors[:20]) + "\n" + _errors_logged(tmp_path)
        assert results.failures == [], results.failures[:20]
        assert results.acks, "no save was acknowledged"
        kinds = Counter(a.field for a in results.month_acks)
        assert kinds["delivered_quantity"] and kinds["assessed_quantity"], f"no self-assessment or no assessment acknowledged: {kinds}"

        # No lost write: each report's version is the last one acknowledged, and each target
        # holds the value of its last acknowledged save.
        db.session.rollback()
        last_version: dict[int, int] = {}
        last_value: dict[tuple[int, int], load.Ack] = {}
        for ack in results.acks:
            last_version[ack.report_id] = max(last_version.get(ack.report_id, 0), ack.version)
            known = last_value.get((ack.report_id, ack.target_id))
            if known is None or ack.version > known.version:
                last_value[(ack.report_id, ack.target_id)] = ack
        # Two saves based on one version would both claim the next: only one may be acknowledged.
        assert [key for key, n in Counter((a.report_id, a.version) for a in results.acks).items() if n > 1] == []
        versions = dict(db.session.execute(select(QuarterlyReport.id, QuarterlyReport.version).where(QuarterlyReport.id.in_(last_version))).all())
        assert versions == last_version
        stored = {(e.report_id, e.target_id): e.actual for e in db.session.scalars(select(ReportEntry).where(ReportEntry.report_id.in_(last_version)))}
        lost = {key: (ack.value, stored.get(key)) for key, ack in last_value.items() if stored.get(key) != Decimal(ack.value)}
        assert lost == {}
        _no_month_save_lost(results.month_acks)

        # Every notification due was delivered exactly once: each head was told of the
        # assignment and reminded once per quarter, each officer had one escalation per quarter.
        expected = Counter()
        for head in heads:
            expected[("registration_assigned", head.email)] += 1
            expected[("report_overdue_3", head.email)] += 4
        for officer in officers:
            expected[("report_escalation", officer.email)] += 4
        # The monthly reminders that fell due today, if any (the last working days of a month,
        # the assessment's due day): each once, like every other message.
        for kind, address in db.session.execute(select(Notification.kind, Notification.to_address).where(Notification.kind.like("monthly_%"))):
            expected[(kind, address)] += 1
        deadline = time.monotonic() + 60
        while not _drained(smtp, sum(expected.values())) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # several more ticks of both schedulers: nothing may go out again
        db.session.rollback()
        rows = db.session.scalars(select(Notification)).all()
        received = smtp.received
        message_ids = Counter(m.message["Message-ID"] for m in received)
        assert [mid for mid, n in message_ids.items() if n > 1] == []
        assert {n.state for n in rows} == {State.SENT}
        assert set(message_ids) == {n.message_id for n in rows} and len(received) == len(rows)
        assert Counter((m.message["X-KPI-Kind"], m.rcpt_tos[0]) for m in received) == expected
        assert len({(n.recipient_id, n.kind, n.cycle_id, n.quarter) for n in rows}) == len(rows)
        with capsys.disabled():
            print(f"scale-out load: {len(results.acks)} report saves and {len(results.month_acks)} month saves checked in the database, "
                  f"{len(received)} messages delivered once each")
    finally:
        _stop(processes)
