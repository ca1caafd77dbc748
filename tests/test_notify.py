"""Queueing e-mail: in the transaction of the change, at most once per key, in the person's
language, with a stable calendar entry."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

import factories as f
from workflow.accounts.models import Role
from workflow.core import audit
from workflow.core.transaction import unit_of_work
from workflow.extensions import db
from workflow.notifications.ics import deadline_event, method_of, uid_for
from workflow.notifications.keys import event_key, reminder_key
from workflow.notifications.models import Notification, State
from workflow.notifications.operations import notify, render

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def queue(person, key="k1", **kw):
    return notify(person, "test_message", key, "test_message", {"requested_at": datetime(2027, 4, 8, 2, 0, tzinfo=ZoneInfo("UTC")), "settings": {"host": "mail", "port": 25, "security": "none", "sender": "kpi@x"}}, **kw)


def count(**where):
    stmt = select(func.count()).select_from(Notification)
    for k, v in where.items():
        stmt = stmt.where(getattr(Notification, k) == v)
    return db.session.scalar(stmt)


def test_a_message_commits_with_the_change_that_caused_it():
    head = f.person(Role.HEAD)
    with unit_of_work():
        audit.record("report.submit", head, actor=head, summary="nộp báo cáo")
        assert queue(head)
    assert count() == 1


def test_a_rolled_back_change_sends_nothing():
    head = f.person(Role.HEAD)
    db.session.commit()
    with pytest.raises(RuntimeError), unit_of_work():
        audit.record("report.submit", head, actor=head, summary="nộp báo cáo")
        assert queue(head)
        raise RuntimeError("the change failed after the message was queued")
    assert count() == 0


def test_a_duplicate_key_is_neither_queued_nor_an_error():
    head = f.person(Role.HEAD)
    cycle = f.cycle(2027)
    key = reminder_key(head, cycle, 1, "due_in_7_days")
    assert queue(head, key, cycle=cycle, quarter=1) is True
    audit.record("x.y", actor=head)  # the transaction goes on after the refused duplicate
    assert queue(head, key, cycle=cycle, quarter=1) is False
    db.session.commit()
    assert count(dedup_key=key) == 1
    with unit_of_work():
        assert queue(head, key) is False
    assert count() == 1


def test_keys_read_well_and_refuse_bad_parts():
    head = f.person(Role.HEAD)
    cycle = f.cycle(2027)
    assert reminder_key(head, cycle, 2, "overdue_3") == f"reminder:overdue_3:{cycle.id}:2:{head.id}"
    assert reminder_key(head, cycle, None, "escalation") == f"reminder:escalation:{cycle.id}:-:{head.id}"
    assert event_key("report_returned", 17, 2, recipient=head) == f"event:report_returned:17:2:to:{head.id}"
    with pytest.raises(ValueError):
        event_key("a:b", recipient=head)
    with pytest.raises(ValueError):
        event_key("x", "y" * 300, recipient=head)


def test_the_message_is_in_the_recipients_language():
    vi = f.person(Role.HEAD, full_name="Nguyễn Văn Hùng", locale="vi")
    en = f.person(Role.HEAD, full_name="Trần Thị Hà", locale="en")
    queue(vi, "vi")
    queue(en, "en")
    by_key = {n.dedup_key: n for n in db.session.scalars(select(Notification))}
    assert by_key["vi"].locale == "vi" and by_key["en"].locale == "en"
    assert by_key["vi"].subject == "Thư thử nghiệm từ KPI Workflow"
    assert by_key["en"].subject == "Test message from KPI Workflow"
    assert "Kính gửi đồng chí Nguyễn Văn Hùng" in by_key["vi"].body_text
    assert "Hello Trần Thị Hà" in by_key["en"].body_text
    # The footer says why they receive it; links use KPI_BASE_URL.
    assert "Đồng chí nhận được thư này vì đã yêu cầu thư thử nghiệm" in by_key["vi"].body_text
    assert "http://kpi.test/admin/outbox" in by_key["vi"].body_text
    assert 'href="http://kpi.test/admin/outbox"' in by_key["en"].body_html
    assert by_key["vi"].recipient.unit.name in by_key["vi"].body_html


def test_html_escapes_what_people_typed():
    person = f.person(Role.HEAD, full_name="<b>Lê</b> & co")
    subject, text, html = render("test_message", {"recipient": person, "requested_at": datetime(2027, 1, 1, tzinfo=HCM), "settings": {}}, "vi")
    assert "&lt;b&gt;Lê&lt;/b&gt; &amp; co" in html
    assert "<b>Lê</b> & co" in text


def test_a_person_without_an_address_is_kept_as_failed():
    person = f.person(Role.HEAD, email="")
    assert queue(person)
    n = db.session.scalar(select(Notification))
    assert n.state == State.FAILED and n.last_error == "no e-mail address"


def test_when_holds_a_message_back():
    head = f.person(Role.HEAD)
    when = datetime(2027, 4, 8, 8, 0, tzinfo=HCM)
    queue(head, when=when)
    assert db.session.scalar(select(Notification)).next_attempt_at == when


def test_deadline_event_is_a_stable_calendar_entry_with_an_alarm_the_day_before():
    due = datetime(2027, 4, 12, 17, 0, tzinfo=HCM)
    uid = uid_for("report", 2027, 1, "head", 5, domain="vinhphuc.gov.vn")
    first = deadline_event(uid, "Hạn nộp báo cáo quý I/2027", "Báo cáo kết quả quý I", due, "http://kpi.test/reports/1", "Ban Tổ chức <btc@vinhphuc.gov.vn>")
    later = deadline_event(uid, "Hạn nộp báo cáo quý I/2027", "Còn 2 ngày", due, "http://kpi.test/reports/1", "btc@vinhphuc.gov.vn", sequence=1)
    events = [Calendar.from_ical(text).walk("VEVENT")[0] for text in (first, later)]
    assert events[0]["UID"] == events[1]["UID"] == uid
    assert int(events[1]["SEQUENCE"]) == 1
    event = events[0]
    assert event.decoded("DTEND") == due
    assert str(event["SUMMARY"]) == "Hạn nộp báo cáo quý I/2027"
    assert str(event["ORGANIZER"]) == "mailto:btc@vinhphuc.gov.vn" and event["ORGANIZER"].params["CN"] == "Ban Tổ chức"
    alarm = event.walk("VALARM")[0]
    assert alarm.decoded("TRIGGER").days == -1
    assert "TZID:Asia/Ho_Chi_Minh" in first
    assert method_of(first) == "PUBLISH"
    with pytest.raises(ValueError):
        deadline_event(uid, "x", "y", datetime(2027, 4, 12, 17), "", "a@b")
