"""The admins' outbox page and /api/v1/notifications: access, filters, failed messages first
with a retry, the test message, a fixed number of statements."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

import factories as f
from workflow import policy
from workflow.accounts.models import Role
from workflow.core.audit import AuditEntry
from workflow.extensions import db
from workflow.notifications.dispatch import send_due
from workflow.notifications.ics import deadline_event
from workflow.notifications.models import Notification, State
from workflow.notifications.operations import cancel_queued, notify

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2027, 4, 8, 9, 0, tzinfo=HCM)


def queue(person, key, kind="test_message", **kw):
    return notify(person, kind, key, "test_message", {"requested_at": T0, "settings": {}}, **kw)


def failed(person, key, error="550 5.1.1 No such user"):
    queue(person, key)
    n = db.session.scalar(select(Notification).where(Notification.dedup_key == key))
    n.state, n.last_error, n.attempts, n.failed_at = State.FAILED, error, 1, T0
    db.session.flush()
    return n


@pytest.mark.parametrize(
    "role, allowed",
    [(Role.ADMIN, True), (Role.STAFF, False), (Role.HEAD, False), (Role.COMMITTEE, False), (Role.COUNCIL, False)],
)
def test_policy(role, allowed):
    person = f.person(role)
    for action in ("notifications.view", "notifications.retry", "notifications.cancel", "notifications.test"):
        assert policy.can(person, action) is allowed


def test_only_admins_reach_the_page_and_the_api(as_person, client):
    head = f.person(Role.HEAD)
    queue(head, "k")
    n = db.session.scalar(select(Notification))
    staff = as_person(f.person(Role.STAFF))
    for url in ("/admin/outbox", f"/admin/outbox/{n.id}", f"/admin/outbox/{n.id}/html", "/api/v1/notifications", f"/api/v1/notifications/{n.id}", "/api/v1/notifications/summary"):
        assert staff.get(url).status_code == 403, url
    assert staff.post(f"/api/v1/notifications/{n.id}/cancel", json={}).status_code == 403
    assert staff.post("/admin/outbox/test").status_code == 403
    assert client.get("/api/v1/notifications").status_code == 401
    admin = as_person(f.person(Role.ADMIN))
    assert admin.get("/admin/outbox").status_code == 200
    assert admin.get("/api/v1/notifications").status_code == 200
    assert "Hộp thư đi" in admin.get("/").get_data(as_text=True)  # the navigation entry
    assert "Hộp thư đi" not in staff.get("/").get_data(as_text=True)


def test_failed_messages_come_first_and_can_be_sent_again(as_person, smtp):
    admin = f.person(Role.ADMIN)
    head = f.person(Role.HEAD, email="sai-dia-chi@vinhphuc.gov.vn")
    for i in range(3):
        queue(f.person(Role.HEAD), f"ok{i}")
    bad = failed(head, "bad")
    c = as_person(admin)
    page = c.get("/admin/outbox").get_data(as_text=True)
    assert "1 thư không gửi được." in page
    first_row = page.split("<tbody>")[1].split("</tr>")[0]
    assert "sai-dia-chi@vinhphuc.gov.vn" in first_row and "Gửi lại" in first_row and "550 5.1.1" in first_row
    response = c.post(f"/admin/outbox/{bad.id}/step", data={"step": "retry", "next": "/admin/outbox?state=failed"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/outbox?state=failed"
    db.session.refresh(bad)
    assert bad.state == State.PENDING and bad.attempts == 0 and bad.next_attempt_at is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "notifications.retry"))
    assert entry.actor_id == admin.id and entry.object_id == bad.id
    assert send_due(T0).sent == 4
    assert "sai-dia-chi@vinhphuc.gov.vn" in smtp.recipients()
    # Only a failed message can be retried.
    assert c.post(f"/admin/outbox/{bad.id}/step", data={"step": "retry"}).status_code == 409


def test_send_all_failed_again(as_person):
    admin = f.person(Role.ADMIN)
    for i in range(3):
        failed(f.person(Role.HEAD), f"bad{i}")
    c = as_person(admin)
    assert c.post("/admin/outbox/retry-failed").status_code == 302
    assert {n.state for n in db.session.scalars(select(Notification))} == {State.PENDING}
    assert c.post("/api/v1/notifications/retry-failed").get_json() == {"count": 0}


def test_filters_and_bad_values(as_person):
    admin = f.person(Role.ADMIN)
    hung = f.person(Role.HEAD, full_name="Nguyễn Văn Hùng", username="gd.hung", email="hung@vinhphuc.gov.vn")
    lan = f.person(Role.HEAD, full_name="Đỗ Thị Lan", email="lan@vinhphuc.gov.vn")
    queue(hung, "a", kind="window_open")
    queue(lan, "b", kind="due_in_7_days")
    failed(lan, "c")
    c = as_person(admin)

    def shown(query):
        return {n["dedup_key"] for n in c.get(f"/api/v1/notifications?{query}").get_json()["items"]}

    assert shown("") == {"a", "b", "c"}
    assert shown("state=failed") == {"c"}
    assert shown("kind=window_open") == {"a"}
    assert shown("recipient=hung") == {"a"}
    assert shown("recipient=Th%E1%BB%8B%20Lan") == {"b", "c"}
    assert shown("recipient=lan@") == {"b", "c"}
    assert c.get("/api/v1/notifications?state=lost").status_code == 422
    page = c.get("/admin/outbox?kind=due_in_7_days").get_data(as_text=True)
    assert "lan@vinhphuc.gov.vn" in page and "hung@vinhphuc.gov.vn" not in page.split("<tbody>")[1]
    for query in ["state=lost", "page=-1", "per_page=100000", "recipient=%25_%25", "kind=" + "x" * 5000]:
        assert c.get(f"/admin/outbox?{query}").status_code == 200, query


def test_the_outbox_page_runs_a_fixed_number_of_statements(as_person, count_statements):
    admin = f.person(Role.ADMIN)
    people = [f.person(Role.HEAD) for _ in range(5)]
    c = as_person(admin)
    made = 0

    def statements(n):
        nonlocal made
        for i in range(n):
            queue(people[i % 5], f"k{made}", kind=f"kind{made % 3}")
            made += 1
        db.session.commit()
        counts = []
        for url in ("/admin/outbox?per_page=100", "/api/v1/notifications?per_page=100"):
            with count_statements() as counter:
                assert c.get(url).status_code == 200
            counts.append(counter.count)
        return counts

    assert statements(5) == statements(150)


def test_detail_html_and_calendar_parts(as_person):
    admin = f.person(Role.ADMIN)
    ics = deadline_event("u@kpi.test", "Hạn nộp", "Mô tả", datetime(2027, 4, 12, 17, tzinfo=HCM), "", "kpi@localhost")
    queue(f.person(Role.HEAD, full_name="Lê <i>Minh</i>"), "k", ics=ics, ics_filename="han-nop-q1.ics")
    n = db.session.scalar(select(Notification))
    c = as_person(admin)
    page = c.get(f"/admin/outbox/{n.id}").get_data(as_text=True)
    assert n.subject in page and "Lê &lt;i&gt;Minh&lt;/i&gt;" in page and "han-nop-q1.ics" in page
    assert "Hủy" in page  # a waiting message can be cancelled
    html = c.get(f"/admin/outbox/{n.id}/html")
    assert "sandbox" in html.headers["Content-Security-Policy"] and html.get_data(as_text=True) == n.body_html
    part = c.get(f"/admin/outbox/{n.id}/ics")
    assert part.mimetype == "text/calendar" and "han-nop-q1.ics" in part.headers["Content-Disposition"]
    assert part.get_data(as_text=True) == ics
    assert c.get("/admin/outbox/999999").status_code == 404
    response = c.post(f"/admin/outbox/{n.id}/step", data={"step": "cancel", "reason": "Đã nộp báo cáo"})
    assert response.status_code == 302
    db.session.refresh(n)
    assert n.state == State.CANCELLED
    assert c.post(f"/admin/outbox/{n.id}/step", data={"step": "fly"}).status_code == 409


def test_send_a_test_message_to_myself(as_person, smtp):
    admin = f.person(Role.ADMIN, email="quantri@vinhphuc.gov.vn", full_name="Quản trị")
    c = as_person(admin)
    response = c.post("/admin/outbox/test")
    assert response.status_code == 302
    n = db.session.scalar(select(Notification))
    assert response.headers["Location"] == f"/admin/outbox/{n.id}"
    assert n.kind == "test_message" and n.to_address == "quantri@vinhphuc.gov.vn"
    assert "127.0.0.1" in n.body_text  # it says which server it was meant to go through
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == n.id)) == "notifications.test"
    assert c.post("/api/v1/notifications/test").status_code == 201  # a second test is a new message
    assert send_due(T0).sent == 2
    assert smtp.recipients() == ["quantri@vinhphuc.gov.vn"] * 2


def test_api_detail_cancel_retry_and_summary(as_person):
    admin = f.person(Role.ADMIN)
    head = f.person(Role.HEAD)
    queue(head, "waiting")
    bad = failed(head, "bad")
    waiting = db.session.scalar(select(Notification).where(Notification.dedup_key == "waiting"))
    c = as_person(admin)
    body = c.get(f"/api/v1/notifications/{waiting.id}").get_json()
    assert body["state"] == "pending" and body["body_text"] == waiting.body_text and body["has_ics"] is False
    assert c.post(f"/api/v1/notifications/{waiting.id}/cancel", json={"reason": "x" * 501}).status_code == 422
    assert c.post(f"/api/v1/notifications/{waiting.id}/cancel", json={"reason": "đã nộp"}).get_json()["state"] == "cancelled"
    assert c.post(f"/api/v1/notifications/{waiting.id}/cancel", json={}).status_code == 409
    assert c.post(f"/api/v1/notifications/{bad.id}/retry").get_json()["state"] == "pending"
    summary = c.get("/api/v1/notifications/summary").get_json()
    assert summary["counts"] == {"pending": 1, "sending": 0, "sent": 0, "failed": 0, "cancelled": 1}
    assert summary["scheduler"]["healthy"] is False and summary["scheduler"]["last_runs"] == []


def test_cancel_queued_stops_a_heads_reminders():
    head, other = f.person(Role.HEAD), f.person(Role.HEAD)
    cycle = f.cycle(2027)
    queue(head, "r1", kind="due_in_2_days", cycle=cycle, quarter=1)
    queue(head, "r2", kind="due_in_2_days", cycle=cycle, quarter=2)
    queue(other, "r3", kind="due_in_2_days", cycle=cycle, quarter=1)
    assert cancel_queued(reason="Báo cáo quý 1 đã nộp", recipient=head, cycle=cycle, quarter=1) == 1
    states = {n.dedup_key: n.state for n in db.session.scalars(select(Notification).execution_options(populate_existing=True))}
    assert states == {"r1": State.CANCELLED, "r2": State.PENDING, "r3": State.PENDING}


def test_admins_see_failed_mail_on_their_home_page(as_person):
    admin = f.person(Role.ADMIN)
    failed(f.person(Role.HEAD), "bad")
    page = as_person(admin).get("/").get_data(as_text=True)
    assert "Thư điện tử và bộ lập lịch" in page and "Bộ lập lịch không hoạt động" in page
    assert "/admin/outbox?state=failed" in page
    assert "Thư điện tử và bộ lập lịch" not in as_person(f.person(Role.STAFF)).get("/").get_data(as_text=True)


def test_the_api_is_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/notifications", "/api/v1/notifications/summary", "/api/v1/notifications/{notification_id}",
                 "/api/v1/notifications/{notification_id}/retry", "/api/v1/notifications/{notification_id}/cancel",
                 "/api/v1/notifications/retry-failed", "/api/v1/notifications/test"):
        assert path in paths, path
