"""The reports API: the same actions as the pages, with ETag/If-Match, 428 and 412, field
errors for bad input, evidence upload and download, requests, directions and versions."""

import io

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

import factories as f
import files
from workflow.accounts.models import Role
from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.notifications.models import Notification
from workflow.reports.models import QuarterlyReport

PAST = utcnow().year - 2


@pytest.fixture
def reg():
    return f.assigned_registration(PAST)


@pytest.fixture
def head_api(reg, client):
    return client, f.api_headers(f.head_of(reg))


def opened(client, headers, reg):
    response = client.post("/api/v1/reports", json={"registration_id": reg.id, "quarter": 1}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response


def entries_json(reg):
    out = []
    for e in f.full_entries(reg):
        e = dict(e)
        if "actual" in e:
            e["actual"] = str(e["actual"])
        out.append(e)
    return out


def test_open_save_submit_with_etags(reg, head_api):
    client, headers = head_api
    body = opened(client, headers, reg).get_json()
    report_id, etag = body["id"], opened(client, headers, reg).headers["ETag"]
    assert body["state"] == "draft" and len(body["lines"]) == 3 and body["lines"][0]["plan"] == "300.0000"
    assert set(body["missing"]) == {str(t.id) for t in reg.targets}
    url = f"/api/v1/reports/{report_id}"
    assert client.patch(f"{url}/entries", json={"entries": entries_json(reg)}, headers=headers).status_code == 428
    saved = client.patch(f"{url}/entries", json={"entries": entries_json(reg)}, headers={**headers, "If-Match": etag})
    assert saved.status_code == 200, saved.get_json()
    line = saved.get_json()["lines"][0]
    assert (line["actual"], line["progress_vs_plan"], line["status"]) == ("310.0000", "103.33", "on_track")
    stale = client.patch(f"{url}/entries", json={"entries": entries_json(reg)}, headers={**headers, "If-Match": etag})
    assert stale.status_code == 412
    new_etag = saved.headers["ETag"]
    submitted = client.post(f"{url}/transitions", json={"step": "submit"}, headers={**headers, "If-Match": new_etag})
    assert submitted.status_code == 200 and submitted.get_json()["state"] == "submitted" and submitted.get_json()["days_late"] > 0
    again = client.post(f"{url}/transitions", json={"step": "submit", "version": submitted.get_json()["version"]}, headers=headers)
    assert again.status_code == 409 and "đã được gửi" in again.get_json()["message"]


def test_bad_input_gets_field_errors(reg, head_api):
    client, headers = head_api
    body = opened(client, headers, reg).get_json()
    url = f"/api/v1/reports/{body['id']}"
    revenue, task, _ = reg.targets
    wrong_type = client.patch(f"{url}/entries", json={"version": body["version"], "entries": [
        {"target_id": revenue.id, "actual": "ba trăm", "confidence": "cao"}, {"target_id": task.id, "delivered_on": "31/9/2027"}]}, headers=headers)
    assert wrong_type.status_code == 422
    errors = wrong_type.get_json()["errors"]["json"]
    assert set(errors) == {"entries.0.actual", "entries.0.confidence", "entries.1.delivered_on"}
    not_in_force = client.patch(f"{url}/entries", json={"version": body["version"], "entries": [{"target_id": 999999, "actual": "1"}]}, headers=headers)
    assert not_in_force.status_code == 422 and "entries.0.target_id" in not_in_force.get_json()["errors"]["json"]
    unknown = client.patch(f"{url}/entries", json={"version": body["version"], "entries": [{"target_id": revenue.id, "actaul": "1"}]}, headers=headers)
    assert unknown.status_code == 422
    empty = client.post(f"{url}/transitions", json={"step": "submit", "version": body["version"]}, headers=headers)
    assert empty.status_code == 422 and f"targets.{revenue.id}.actual" in empty.get_json()["errors"]["json"]
    no_list = client.patch(f"{url}/entries", json={"version": body["version"], "entries": []}, headers=headers)
    assert no_list.status_code == 422


def test_evidence_over_the_api(reg, head_api, client):
    c, headers = head_api
    body = opened(c, headers, reg).get_json()
    url = f"/api/v1/reports/{body['id']}/evidence"
    xlsx = files.xlsx_bytes()
    up = c.post(url, data={"file": (io.BytesIO(xlsx), "so-lieu.xlsx"), "target_id": str(reg.targets[0].id)}, headers=headers,
                content_type="multipart/form-data")
    assert up.status_code == 201, up.get_json()
    item = up.get_json()
    assert item["content_type"].endswith("spreadsheetml.sheet") and item["size"] == len(xlsx) and len(item["sha256"]) == 64
    content = c.get(f"{url}/{item['id']}/content", headers=headers)
    assert content.status_code == 200 and content.data == xlsx and content.headers["X-Content-Type-Options"] == "nosniff"
    html = c.post(url, data={"file": (io.BytesIO(files.html_bytes()), "bang.xlsx")}, headers=headers, content_type="multipart/form-data")
    assert html.status_code == 422 and "file" in html.get_json()["errors"]["json"]
    other = f.api_headers(f.person(Role.HEAD))
    assert c.get(f"{url}/{item['id']}/content", headers=other).status_code == 403
    listed = c.get(url, headers=headers).get_json()
    assert listed["meta"]["total"] == 1
    version = c.get(f"/api/v1/reports/{body['id']}", headers=headers).get_json()["version"]
    gone = c.delete(f"{url}/{item['id']}?version={version}", headers=headers)
    assert gone.status_code == 204 and c.get(url, headers=headers).get_json()["meta"]["total"] == 0


def test_review_requests_directions_and_versions(reg, head_api, client):
    c, headers = head_api
    body = opened(c, headers, reg).get_json()
    url = f"/api/v1/reports/{body['id']}"
    saved = c.patch(f"{url}/entries", json={"version": body["version"], "entries": entries_json(reg)}, headers=headers).get_json()
    request = c.post(f"{url}/requests", json={"kind": "support", "body": "Đề nghị bổ sung biên chế", "target_id": None}, headers=headers)
    assert request.status_code == 201
    submitted = c.post(f"{url}/transitions", json={"step": "submit", "version": saved["version"]}, headers=headers).get_json()
    staff = f.api_headers(f.person(Role.STAFF))
    returned = c.post(f"{url}/transitions", json={"step": "return", "version": submitted["version"]}, headers=staff)
    assert returned.status_code == 422 and "reason" in returned.get_json()["errors"]["json"]
    returned = c.post(f"{url}/transitions", json={"step": "return", "version": submitted["version"], "reason": "Thiếu minh chứng"}, headers=staff)
    assert returned.status_code == 200 and returned.get_json()["returned_reason"] == "Thiếu minh chứng"
    committee = f.api_headers(f.person(Role.COMMITTEE))
    rq = request.get_json()
    answered = c.post(f"{url}/requests/{rq['id']}/directions", json={"body": "Sở Nội vụ tham mưu", "version": rq["version"]}, headers=committee)
    assert answered.status_code == 201 and answered.get_json()["state"] == "answered"
    assert answered.get_json()["directions"][0]["body"] == "Sở Nội vụ tham mưu"
    # The head may not give directions: refused before the missing version is noticed.
    assert c.post(f"{url}/requests/{rq['id']}/directions", json={"body": "x"}, headers=headers).status_code == 403
    assert c.post(f"{url}/requests/{rq['id']}/directions", json={"body": "x"}, headers=committee).status_code == 428
    versions = c.get(f"{url}/versions", headers=headers).get_json()
    assert [v["kind"] for v in versions["items"]] == ["returned", "submitted"]
    v1 = c.get(f"{url}/versions/1", headers=headers).get_json()
    assert v1["snapshot"]["entries"][0]["actual"] == "310"
    assert c.get(f"{url}/versions/9", headers=headers).status_code == 404
    kinds = {n.kind for n in db.session.scalars(select(Notification))}
    assert {"report_returned", "direction_given"} <= kinds
    listed = c.get(f"/api/v1/reports?registration_id={reg.id}", headers=headers).get_json()
    assert listed["meta"]["total"] == 1 and listed["items"][0]["state"] == "returned"
    assert c.get(f"/api/v1/reports?registration_id={reg.id}", headers=f.api_headers(f.person(Role.HEAD))).get_json()["meta"]["total"] == 0


def test_a_save_that_loses_the_race_at_the_write_is_a_conflict_in_the_persons_language(reg, client):
    """The version moves between the check and the write (the row lock of the check rules this
    out between two requests; a write here fakes it): the second one's UPDATE finds the version
    moved. The answer is 412, as for a version found stale by the check, in the caller's
    language (read from the person through the session the failed write left to roll back),
    never a 500."""
    head = f.head_of(reg)
    head.locale = "en"
    report = f.report(reg, 1)
    headers = {**f.api_headers(head), "If-Match": f'"quarterly_report-{report.id}-v{report.version}"'}
    table = QuarterlyReport.__table__
    raced = []

    def someone_saves_first(session, flush_context, instances):
        if not raced and any(isinstance(o, QuarterlyReport) and o.id == report.id for o in session.dirty):
            raced.append(True)
            session.execute(table.update().where(table.c.id == report.id).values(version=table.c.version + 1))

    event.listen(Session, "before_flush", someone_saves_first)
    try:
        answer = client.patch(f"/api/v1/reports/{report.id}/entries", json={"entries": entries_json(reg)[:1]}, headers=headers)
    finally:
        event.remove(Session, "before_flush", someone_saves_first)
    assert raced
    assert answer.status_code == 412, answer.get_data(as_text=True)
    assert "Someone else changed this" in answer.get_json()["message"]
