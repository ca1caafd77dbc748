"""The dispatcher against a real SMTP server on loopback: MIME structure, retries with back-off,
an outage of a week, permanent refusals, every security mode, and concurrent dispatchers."""

import threading
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import func, select, text, update

import factories as f
from conftest import is_postgres
from mailserver import MailServer, configure
from workflow.accounts.models import Role
from workflow.extensions import db
from workflow.notifications.dispatch import backoff, claim, claim_parts, send_due
from workflow.notifications.ics import deadline_event
from workflow.notifications.models import Notification, State
from workflow.notifications.operations import notify

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2027, 4, 8, 9, 0, tzinfo=HCM)


def queue(person, key, *, ics=None, when=None):
    context = {"requested_at": T0, "settings": {"host": "mail", "port": 25, "security": "none", "sender": "kpi@x"}}
    return notify(person, "test_message", key, "test_message", context, ics=ics, when=when)


def people(n, **kw):
    return [f.person(Role.HEAD, email=f"head{i}@vinhphuc.gov.vn", **kw) for i in range(n)]


def states():
    return dict(db.session.execute(select(Notification.state, func.count()).group_by(Notification.state)).all())


def test_multipart_message_with_calendar_and_vietnamese_subject(smtp):
    head = f.person(Role.HEAD, full_name="Nguyễn Văn Hùng", email="hung@vinhphuc.gov.vn", locale="vi")
    ics = deadline_event("q1-2027-hung@kpi.test", "Hạn nộp báo cáo quý I", "Báo cáo quý I", datetime(2027, 4, 12, 17, tzinfo=HCM), "http://kpi.test/r/1", "kpi@localhost")
    queue(head, "k", ics=ics)
    report = send_due(T0)
    assert report.sent == 1 and report.batches == 1
    [received] = smtp.received
    assert received.rcpt_tos == ["hung@vinhphuc.gov.vn"] and received.mail_from == "kpi@localhost"
    msg = received.message
    n = db.session.scalar(select(Notification))
    assert n.state == State.SENT and n.sent_at is not None and n.attempts == 1
    assert msg["Message-ID"] == n.message_id and n.message_id.endswith("@localhost>")
    # The subject travels encoded (RFC 2047) and decodes to the Vietnamese text.
    assert "=?utf-8?" in received.data.decode("ascii").split("Subject:")[1].split("\n")[0].lower()
    assert str(make_header(decode_header(msg["Subject"]))) == n.subject
    assert "Nguyễn Văn Hùng" in str(msg["To"]) and msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content_type() == "multipart/mixed"
    alternative, calendar = msg.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, html = alternative.iter_parts()
    assert text.get_content_type() == "text/plain" and text.get_content_charset() == "utf-8"
    assert html.get_content_type() == "text/html"
    assert text.get_content().splitlines() == n.body_text.splitlines()
    assert "Nguyễn Văn Hùng" in html.get_content()
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "PUBLISH"
    assert calendar.get_filename() == "test_message.ics"
    event = Calendar.from_ical(calendar.get_content()).walk("VEVENT")[0]
    assert str(event["UID"]) == "q1-2027-hung@kpi.test"


def test_a_message_without_calendar_is_just_the_alternatives(smtp):
    queue(f.person(Role.HEAD), "k")
    send_due(T0)
    assert smtp.received[0].message.get_content_type() == "multipart/alternative"


def test_nothing_is_sent_before_it_is_due_and_nothing_twice(smtp):
    head = f.person(Role.HEAD)
    queue(head, "later", when=T0 + timedelta(hours=1))
    queue(head, "now")
    assert send_due(T0).sent == 1
    assert send_due(T0).sent == 0
    assert send_due(T0 + timedelta(hours=1)).sent == 1
    assert send_due(T0 + timedelta(days=1)).sent == 0
    assert len(smtp.received) == 2


def test_the_claim_takes_the_never_tried_first_then_the_longest_waiting(app):
    a, b, c, d, e = people(5)
    queue(a, "never-1")
    queue(b, "due-an-hour-ago", when=T0 - timedelta(hours=1))
    queue(c, "due-two-hours-ago", when=T0 - timedelta(hours=2))
    queue(d, "never-2")
    queue(e, "not-yet", when=T0 + timedelta(hours=1))
    order = []
    while taken := claim(T0, 1, "w"):
        order += [n.dedup_key for n in taken]
    assert order == ["never-1", "never-2", "due-two-hours-ago", "due-an-hour-ago"]
    db.session.execute(update(Notification).values(state=State.PENDING, claimed_by=None))
    # A batch takes both never tried and the longest waiting (and lists them by id).
    assert [n.dedup_key for n in claim(T0, 3, "w")] == ["never-1", "due-two-hours-ago", "never-2"]
    assert [n.dedup_key for n in claim(T0, 3, "w")] == ["due-an-hour-ago"]
    assert claim(T0, 3, "w") == []


def test_the_claim_reads_an_index_without_sorting(app):
    """With a month's reminders waiting, a claim that sorted every pending message took 1.2 s on
    PostgreSQL; each part of the claim is read off an index in its order (SQLite may take
    ix_notification_due for the never tried: its rows sit there in id order too)."""
    for part in claim_parts(T0, 500):
        sql = str(part.compile(db.engine, compile_kwargs={"literal_binds": True}))
        if is_postgres():
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(db.session.scalars(text(f"EXPLAIN {sql}")))
            assert "Index" in plan and "Sort" not in plan, plan
        else:
            plan = "\n".join(row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "INDEX ix_notification_" in plan and "TEMP B-TREE" not in plan, plan
    db.session.rollback()


@pytest.mark.parametrize("connections", [1, 3])
def test_batches_respect_the_limit_over_one_or_several_connections(smtp, app, monkeypatch, connections):
    monkeypatch.setitem(app.config["KPI"], "smtp_connections", connections)
    for p in people(7):
        queue(p, f"k{p.id}")
    report = send_due(T0, batch_size=3, limit=5)
    assert (report.sent, report.batches) == (5, 2)
    assert send_due(T0, batch_size=3).sent == 2
    assert sorted(smtp.recipients()) == sorted(f"head{i}@vinhphuc.gov.vn" for i in range(7))


def test_transient_refusals_back_off_exponentially_then_fail(smtp, app, monkeypatch):
    monkeypatch.setitem(app.config["KPI"], "mail_max_attempts", 4)
    head = f.person(Role.HEAD, email="busy@vinhphuc.gov.vn")
    smtp.refuse("busy@vinhphuc.gov.vn", "451 4.2.0 Mailbox busy, try later")
    queue(head, "k")
    n = db.session.scalar(select(Notification))
    now = T0
    delays, message_ids = [], set()
    for attempt in range(1, 4):
        report = send_due(now)
        assert report.retrying == 1
        db.session.refresh(n)
        assert n.state == State.PENDING and n.attempts == attempt and n.last_error.startswith("451")
        delays.append(n.next_attempt_at - now)
        message_ids.add(n.message_id)
        # Not before the back-off has passed.
        assert send_due(n.next_attempt_at - timedelta(seconds=1)).claimed == 0
        now = n.next_attempt_at
    assert delays == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    assert len(message_ids) == 1 and None not in message_ids  # a message tried again keeps its Message-ID
    assert send_due(now).failed == 1
    db.session.refresh(n)
    assert n.state == State.FAILED and n.attempts == 4 and n.failed_at is not None
    assert send_due(now + timedelta(days=30)).claimed == 0
    assert smtp.received == []


def test_backoff_is_capped(app):
    settings = app.config["KPI"]
    assert backoff(1, settings) == timedelta(seconds=settings["mail_retry_base_seconds"])
    assert backoff(50, settings) == timedelta(seconds=settings["mail_retry_max_seconds"])


def test_a_permanent_refusal_fails_at_once_without_blocking_the_others(smtp):
    good = people(3)
    bad = f.person(Role.HEAD, email="nobody@vinhphuc.gov.vn")
    smtp.refuse("nobody@vinhphuc.gov.vn")
    queue(good[0], "a")
    queue(bad, "b")
    queue(good[1], "c")
    queue(good[2], "d")
    report = send_due(T0)
    assert (report.sent, report.failed, report.batches) == (3, 1, 1)
    failed = db.session.scalar(select(Notification).where(Notification.state == State.FAILED))
    assert failed.to_address == "nobody@vinhphuc.gov.vn" and failed.last_error.startswith("550")
    assert sorted(smtp.recipients()) == sorted(p.email for p in good)


def test_smtp_down_for_a_week_loses_nothing_and_sends_each_once_on_return(smtp):
    for p in people(25):
        queue(p, f"k{p.id}")
    smtp.stop()
    now = T0
    week_later = T0 + timedelta(days=7)
    runs = 0
    while now < week_later:  # a run every half hour
        report = send_due(now, batch_size=10)
        assert report.sent == 0 and report.failed == 0
        runs += 1
        now += timedelta(minutes=30)
    assert runs == 7 * 24 * 2
    assert states() == {State.PENDING: 25}
    waiting = db.session.scalars(select(Notification)).all()
    assert all(n.deferrals > 0 and "Connection refused" in n.last_error for n in waiting), {n.last_error for n in waiting}
    # Back-off capped: everything is due again within mail_retry_max_seconds of any moment.
    assert max(n.next_attempt_at for n in waiting) <= now + timedelta(minutes=15)
    smtp.start()
    later = now + timedelta(minutes=15)
    report = send_due(later, batch_size=10)
    assert report.sent == 25 and report.batches == 3
    assert states() == {State.SENT: 25}
    assert sorted(smtp.recipients()) == sorted(f"head{i}@vinhphuc.gov.vn" for i in range(25))
    assert send_due(later + timedelta(days=1)).claimed == 0
    assert len(smtp.received) == 25


def test_a_server_that_drops_the_connection_mid_batch(smtp, app, monkeypatch):
    # The server answers, then goes away: what was accepted is sent, the rest waits.
    monkeypatch.setitem(app.config["KPI"], "smtp_connections", 1)
    for p in people(3):
        queue(p, f"k{p.id}")

    original = smtp.handler.handle_DATA
    calls = []

    async def handle_data(server, session, envelope):
        calls.append(1)
        if len(calls) == 2:
            server.transport.close()
            return "421 closing"
        return await original(server, session, envelope)

    smtp.handler.handle_DATA = handle_data
    report = send_due(T0)
    assert report.sent == 1 and report.waiting == 2 and report.failed == 0
    smtp.handler.handle_DATA = original
    report = send_due(T0 + timedelta(minutes=5))
    assert report.sent == 2
    assert len(smtp.received) == 3


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["none", "starttls", "ssl"])
def test_security_modes_with_login(security, app, monkeypatch, tmp_path):
    server = MailServer(security, login=True, tls_dir=tmp_path)
    server.start()
    try:
        configure(app, monkeypatch, server)
        queue(f.person(Role.HEAD, email="tls@vinhphuc.gov.vn"), "k")
        report = send_due(T0)
        assert report.sent == 1, db.session.scalar(select(Notification.last_error))
        assert server.recipients() == ["tls@vinhphuc.gov.vn"]
    finally:
        server.stop()


def test_a_wrong_password_or_an_untrusted_certificate_waits_instead_of_failing(app, monkeypatch, tmp_path):
    server = MailServer("starttls", login=True, tls_dir=tmp_path)
    server.start()
    try:
        configure(app, monkeypatch, server)
        queue(f.person(Role.HEAD), "k")
        monkeypatch.setitem(app.config["KPI"], "smtp_password", "sai-mat-khau")
        assert send_due(T0).waiting == 1
        n = db.session.scalar(select(Notification))
        assert n.state == State.PENDING and n.last_error.startswith("535")
        monkeypatch.setitem(app.config["KPI"], "smtp_password", server.settings()["smtp_password"])
        monkeypatch.setitem(app.config["KPI"], "smtp_ca_file", "")
        assert send_due(T0 + timedelta(hours=1)).waiting == 1
        db.session.refresh(n)
        assert "CERTIFICATE_VERIFY_FAILED" in n.last_error
        monkeypatch.setitem(app.config["KPI"], "smtp_ca_file", server.ca_file)
        assert send_due(T0 + timedelta(hours=2)).sent == 1
    finally:
        server.stop()


def test_a_dispatcher_that_died_mid_batch_has_its_claim_put_back(smtp, app):
    head = f.person(Role.HEAD)
    queue(head, "k")
    n = db.session.scalar(select(Notification))
    n.state, n.claimed_by, n.claimed_at = State.SENDING, "dead:1:x", datetime.now(UTC) - timedelta(hours=2)
    db.session.commit()
    report = send_due(T0)
    assert report.released == 1 and report.sent == 1


@pytest.mark.real_commits
@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL only: concurrent dispatchers need row locks (SKIP LOCKED); SQLite serves a single process")
def test_concurrent_dispatchers_send_each_message_exactly_once(smtp, app):
    for p in people(120):
        queue(p, f"k{p.id}")
    db.session.commit()
    reports, errors = [], []

    def dispatcher():
        with app.app_context():
            try:
                reports.append(send_due(T0, batch_size=7))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

    threads = [threading.Thread(target=dispatcher) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(r.sent for r in reports) == 120
    assert sum(1 for r in reports if r.sent) > 1, "the dispatchers should have shared the work"
    recipients = smtp.recipients()
    assert len(recipients) == 120 and len(set(recipients)) == 120
    assert states() == {State.SENT: 120}
