"""Report reminders through the real scheduler (`kpi scheduler run-once` over each day of a
year) and a real SMTP server on loopback: the exact set of messages per kind and recipient,
none twice; the SMTP server down for a week loses nothing; a submitted report cancels what
was still waiting; escalation; event mail; and, on PostgreSQL, two scheduler processes
started together over a few simulated days send each message once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

import factories as f
from conftest import database_url, is_postgres
from workflow.accounts.models import Role
from workflow.calendar import WorkingCalendar, calendar_rules
from workflow.extensions import db
from workflow.notifications.models import Notification, State
from workflow.reports import operations as ops
from workflow.reports.jobs import escalate, open_windows, remind, schedule_of
from workflow.reports.models import QuarterlyReport, ReportState
from workflow.reports.rules import WINDOW_OPEN, report_rules

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = Path(__file__).resolve().parent.parent
ALL_REMINDERS = ["report_window_open", "report_due_in_7", "report_due_in_2", "report_due_today", "report_overdue_1", "report_overdue_3"]


def schedules(cycle):
    cal = WorkingCalendar(calendar_rules(cycle))
    return {q: dict(schedule_of(cal, cal.window(cycle.year, q), report_rules(cycle))) for q in (1, 2, 3, 4)}


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), HCM)


def submit(reg, quarter, moment, **kw):
    head = f.head_of(reg)
    report = ops.report_of(reg, quarter) or ops.open_report(reg, quarter, actor=head, now=moment)
    db.session.flush()
    ops.save_entries(report, f.full_entries(reg, **kw), actor=head, version=report.version, now=moment)
    db.session.flush()
    ops.submit(report, actor=head, version=report.version, now=moment)
    db.session.commit()
    return report


def received(smtp) -> Counter:
    return Counter((m.message["X-KPI-Kind"], m.rcpt_tos[0]) for m in smtp.received)


@pytest.fixture
def province():
    """Five heads (C reads English) under two staff officers, all assigned for 2027."""
    s1 = f.person(Role.STAFF, email="s1@vinhphuc.gov.vn", full_name="Nguyễn Thu Trang")
    s2 = f.person(Role.STAFF, email="s2@vinhphuc.gov.vn", full_name="Đỗ Mạnh Cường")
    regs = {}
    for name, officer in (("a", s1), ("b", s1), ("c", s1), ("d", s2), ("e", s2)):
        head = f.person((Role.HEAD, f.unit(staff_officer_id=officer.id)), email=f"{name}@vinhphuc.gov.vn", locale="en" if name == "c" else "vi")
        reg = f.assigned_registration(2027, head=head)
        regs[name] = reg
    db.session.commit()
    return regs, s1, s2


@pytest.mark.slow
def test_a_year_of_reminders_with_the_smtp_server_down_for_a_week(app, smtp, province):
    regs, s1, s2 = province
    cycle = regs["a"].cycle
    sched = schedules(cycle)
    staff, committee = f.person(Role.STAFF), f.person(Role.COMMITTEE)
    db.session.commit()
    actions: dict[date, list] = {}

    def on(day, fn):
        actions.setdefault(day, []).append(fn)

    for q in (1, 2, 3, 4):
        opened = sched[q][WINDOW_OPEN].date()
        for name in ("a", "d", "e"):  # early: the day the window opens
            if not (name == "d" and q == 2):
                on(opened, lambda q=q, name=name: submit(regs[name], q, at(opened, 10)))
        on(sched[q]["report_overdue_1"].date(), lambda q=q: submit(regs["b"], q, at(sched[q]["report_overdue_1"].date(), 10)))
    # D's second quarter: submitted, returned, resubmitted, accepted.
    q2 = sched[2][WINDOW_OPEN].date()

    def d_submits():
        submit(regs["d"], 2, at(q2, 10))

    def staff_returns():
        report = ops.report_of(regs["d"], 2)
        ops.take_step(report, "return", actor=staff, version=report.version, reason="Thiếu số liệu tháng 6")
        db.session.commit()

    def d_resubmits_and_staff_accepts():
        report = ops.report_of(regs["d"], 2)
        ops.submit(report, actor=f.head_of(regs["d"]), version=report.version, now=at(q2 + timedelta(days=2), 10))
        db.session.flush()
        ops.take_step(report, "accept", actor=staff, version=report.version)
        db.session.commit()

    on(q2, d_submits)
    on(q2 + timedelta(days=1), staff_returns)
    on(q2 + timedelta(days=2), d_resubmits_and_staff_accepts)
    # E raises a request in the first quarter; the committee answers it.
    q1 = sched[1][WINDOW_OPEN].date()

    def e_asks():
        report = ops.report_of(regs["e"], 1)
        ops.raise_request(report, "support", "Đề nghị hỗ trợ kinh phí", actor=f.head_of(regs["e"]))
        db.session.commit()

    def committee_directs():
        request = db.session.scalar(select(ops.SupportRequest))
        ops.give_direction(request, "Giao Sở Tài chính bố trí", actor=committee, version=request.version)
        db.session.commit()

    on(q1 + timedelta(days=1), e_asks)
    on(q1 + timedelta(days=3), committee_directs)

    down_from, down_until = sched[2]["report_due_in_7"].date(), sched[2]["report_due_today"].date()
    assert (down_until - down_from).days == 7
    runner = app.test_cli_runner()
    day = date(2027, 3, 25)
    while day <= date(2028, 1, 20):
        if day == down_from:
            before_outage = len(smtp.received)
            smtp.stop()
        if day == down_until:
            assert len(smtp.received) == before_outage  # nothing got through meanwhile …
            waiting = db.session.scalar(select(func.count()).select_from(Notification).where(Notification.state == State.PENDING))
            assert waiting == 4  # … and B's and C's two reminders are waiting, deferred
            smtp.start()
        result = runner.invoke(args=["scheduler", "run-once", "--at", at(day, 9).isoformat()])
        assert result.exit_code == 0, result.output
        for action in actions.get(day, []):
            action()
        day += timedelta(days=1)

    heads = {name: f"{name}@vinhphuc.gov.vn" for name in "abcde"}
    expected = Counter()
    for name in "abcde":
        expected[("registration_assigned", heads[name])] += 1
    # The fourth quarter's window opens after New Year: its week-before reminder would fall on
    # 31 December, before the window opens, so it is not sent (the opening notice gives the date).
    assert "report_due_in_7" not in sched[4] and list(sched[1]) == ALL_REMINDERS
    for q in (1, 2, 3, 4):
        for name in ("a", "d", "e"):
            expected[("report_window_open", heads[name])] += 1
        for kind in ALL_REMINDERS[:5]:
            expected[(kind, heads["b"])] += kind in sched[q]
        for kind in ALL_REMINDERS:
            expected[(kind, heads["c"])] += kind in sched[q]
        expected[("report_escalation", "s1@vinhphuc.gov.vn")] += 1
    expected[("report_returned", heads["d"])] += 1
    expected[("report_accepted", heads["d"])] += 1
    expected[("direction_given", heads["e"])] += 1
    assert received(smtp) == expected
    db.session.expire_all()
    states = dict(db.session.execute(select(Notification.state, func.count()).group_by(Notification.state)).all())
    assert states == {State.SENT: sum(expected.values())}

    # What C (English) read at the last reminder of the first quarter.
    late = next(m.message for m in smtp.received if m.message["X-KPI-Kind"] == "report_overdue_3" and m.rcpt_tos == [heads["c"]])
    assert late["Subject"] == "Your report for quarter 1/2027 is 3 days late"
    text = late.get_body(("plain",)).get_content()
    c_head, c_unit = f.head_of(regs["c"]), regs["c"].unit
    report_c = ops.report_of(regs["c"], 1)
    assert f"Dear {c_head.full_name}," in text and c_unit.name in text and "12/04/2027 17:00" in text  # dd/mm/yyyy HH:MM in English too
    assert f"http://kpi.test/reports/{report_c.id}" in text
    html = late.get_body(("html",)).get_content()
    assert f'href="http://kpi.test/reports/{report_c.id}"' in html
    ics = next(p for p in late.iter_attachments() if p.get_content_type() == "text/calendar")
    event = Calendar.from_ical(ics.get_content()).walk("VEVENT")[0]
    assert str(event["UID"]).startswith(f"kpi-report-2027-q1-{c_head.id}@") and int(event["SEQUENCE"]) == 5
    assert event.decoded("DTEND") == datetime(2027, 4, 12, 17, tzinfo=HCM)
    # The escalation of the first quarter listed C only: B had submitted by then.
    escalation = next(m.message for m in smtp.received if m.message["X-KPI-Kind"] == "report_escalation")
    body = escalation.get_body(("plain",)).get_content()
    assert c_unit.name in body and regs["b"].unit.name not in body and regs["a"].unit.name not in body
    vi = next(m.message for m in smtp.received if m.message["X-KPI-Kind"] == "report_due_in_7" and m.rcpt_tos == [heads["b"]])
    assert str(vi["Subject"]).strip().startswith("Nhắc báo cáo quý 1/2027: còn 7 ngày đến hạn")


def test_a_submitted_report_cancels_the_reminders_still_waiting(app, smtp, province):
    regs, _, _ = province
    sched = schedules(regs["a"].cycle)
    smtp.stop()
    moment = sched[1]["report_due_in_7"] + timedelta(hours=1)
    for job in (open_windows, remind):
        job(moment)
    db.session.commit()
    waiting = db.session.scalars(select(Notification).where(Notification.recipient_id == f.head_of(regs["a"]).id,
                                                            Notification.kind.startswith("report_"))).all()
    assert [(n.kind, n.state) for n in waiting] == [("report_due_in_7", State.PENDING)]
    submit(regs["a"], 1, moment + timedelta(hours=1))
    db.session.expire_all()
    assert waiting[0].state == State.CANCELLED
    # A rerun of the jobs does not queue it again; the others still wait.
    assert remind(moment + timedelta(hours=2)) == {"queued": 0}
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.state == State.PENDING, Notification.kind == "report_due_in_7")) == 4


def test_catching_up_sends_only_the_latest_reminder_and_opens_the_reports(app, province):
    regs, s1, _ = province
    sched = schedules(regs["a"].cycle)
    moment = sched[1]["report_overdue_3"] + timedelta(hours=1)  # the scheduler was down for two weeks
    assert open_windows(moment) == {"opened": 5}
    assert open_windows(moment) == {"opened": 0}
    assert remind(moment) == {"queued": 5}
    assert {n.kind for n in db.session.scalars(select(Notification).where(Notification.kind.startswith("report_")))} == {"report_overdue_3"}
    assert escalate(moment) == {"queued": 2}  # S1 for A, B, C; S2 for D, E
    assert escalate(moment) == {"queued": 0}
    reports = db.session.scalars(select(QuarterlyReport)).all()
    assert len(reports) == 5 and {r.state for r in reports} == {ReportState.DRAFT} and {r.due_on for r in reports} == {date(2027, 4, 12)}


def test_a_head_of_two_units_gets_one_reminder_naming_both(app, province):
    regs, _, _ = province
    head = f.head_of(regs["a"])
    other = f.complete_registration("assigned", cycle=regs["a"].cycle)
    grant = next(g for g in f.head_of(other).roles if g.role == Role.HEAD)
    grant.person_id = head.id
    db.session.commit()
    db.session.expire_all()
    moment = schedules(regs["a"].cycle)[1][WINDOW_OPEN] + timedelta(hours=1)
    open_windows(moment)
    remind(moment)
    mine = db.session.scalars(select(Notification).where(Notification.recipient_id == head.id, Notification.kind.startswith("report_"))).all()
    assert len(mine) == 1 and regs["a"].unit.name in mine[0].body_text and other.unit.name in mine[0].body_text
    assert "http://kpi.test/reports/mine" in mine[0].body_text


# --- two scheduler processes on PostgreSQL ---------------------------------------------------

def _run_once(environ, moment, log):
    kpi = Path(sys.executable).with_name("kpi")
    return subprocess.Popen([str(kpi), "scheduler", "run-once", "--at", moment.isoformat()], cwd=ROOT, env=environ, stdout=log,
                            stderr=subprocess.STDOUT)


@pytest.mark.real_commits
@pytest.mark.slow
@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL only: several scheduler processes on one database; SQLite serves a single process")
def test_two_scheduler_processes_over_a_few_days_send_each_reminder_once(app, smtp, tmp_path):
    s1 = f.person(Role.STAFF, email="s1@vinhphuc.gov.vn")
    regs = []
    for i in range(12):
        head = f.person((Role.HEAD, f.unit(staff_officer_id=s1.id)), email=f"head{i}@vinhphuc.gov.vn")
        regs.append(f.assigned_registration(2027, head=head))
    db.session.commit()
    sched = schedules(regs[0].cycle)
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KPI_")},
        **smtp.environ(),
        "KPI_ENV": "testing",
        "KPI_DATABASE_URL": database_url(tmp_path),
        "KPI_SECRET_KEY": "test-secret-key-that-is-long-enough-to-pass",
        "KPI_BASE_URL": "http://kpi.test",
        "KPI_MAIL_BATCH_SIZE": "5",
    }
    days = [sched[1][kind].date() for kind in ALL_REMINDERS]
    for day in days:
        log = open(tmp_path / f"run-{day}.log", "wb")
        processes = [_run_once(environ, at(day, 9), log) for _ in range(2)]
        codes = [p.wait(60) for p in processes]
        log.close()
        output = (tmp_path / f"run-{day}.log").read_text()
        # One ran the tick; the other either found the lease taken (exit 1) or ran after it, finding nothing to do.
        assert 0 in codes and set(codes) <= {0, 1}, output
        if day == days[1]:
            submit(regs[0], 1, at(day, 10))  # one head reports after the week-before reminder
    expected = Counter()
    for i in range(12):
        kinds = ALL_REMINDERS[:2] if i == 0 else ALL_REMINDERS
        for kind in kinds:
            expected[(kind, f"head{i}@vinhphuc.gov.vn")] += 1
    expected[("report_escalation", "s1@vinhphuc.gov.vn")] += 1
    smtp.wait_for(sum(expected.values()) + 12)
    got = Counter((k, r) for k, r in received(smtp).elements() if k != "registration_assigned")
    assert got == expected
    assert sum(1 for k, _ in received(smtp).elements() if k == "registration_assigned") == 12


def test_the_head_is_told_when_the_registration_is_returned_or_assigned(app):
    returned = f.complete_registration("returned")
    assigned = f.complete_registration("assigned")
    mails = {n.kind: n for n in db.session.scalars(select(Notification).where(Notification.kind.startswith("registration_")))}
    assert set(mails) == {"registration_returned", "registration_assigned"}
    assert mails["registration_returned"].recipient_id == returned.head_id
    assert "Chưa đạt yêu cầu" in mails["registration_returned"].body_text
    assert f"http://kpi.test/registrations/{returned.id}" in mails["registration_returned"].body_text
    assert mails["registration_assigned"].recipient_id == assigned.head_id and "123-QĐ/TU" in mails["registration_assigned"].body_text
