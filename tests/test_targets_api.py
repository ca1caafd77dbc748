"""The registrations API: every action of the workflow, ETags and If-Match (412 stale, 428
missing), field errors, pagination with a fixed number of statements, the OpenAPI document."""

from decimal import Decimal

import factories as f
from workflow.accounts.models import Role
from workflow.extensions import db
from workflow.targets.models import RegistrationState

S = RegistrationState
QUANT = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in f.QUANTITATIVE.items()}
TASK = {k: (str(v) if not isinstance(v, str) else v) for k, v in f.TASK.items()}


def _json(client, method, url, body=None, status=200, **headers):
    response = client.open(url, method=method, json=body, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)
    return response


def test_a_head_registers_submits_and_the_committee_assigns_through_the_api(as_person):
    f.year(2027)
    unit = f.unit(name="Sở Giao thông vận tải")
    head = f.person((Role.HEAD, unit))
    staff, committee = f.person(Role.STAFF), f.person(Role.COMMITTEE)
    h, s, c = as_person(head), as_person(staff), as_person(committee)

    created = _json(h, "POST", "/api/v1/registrations", {}, 201).get_json()
    rid = created["id"]
    assert created["state"] == "draft" and created["cycle"]["year"] == 2027 and created["unit"]["name"] == "Sở Giao thông vận tải"
    _json(h, "POST", "/api/v1/registrations", {}, 422)  # only one per cycle and unit

    t1 = _json(h, "POST", f"/api/v1/registrations/{rid}/targets", {**QUANT, "title": "Tiết kiệm chi phí thẩm định dự án giao thông", "measure": "tỷ đồng",
                                                                    "baseline": "80", "target_value": "116", "plan_q1": "20", "plan_q2": "50", "plan_q3": "85", "plan_q4": "116",
                                                                    "weight": "60", "is_focal": True}, 201)
    assert t1.headers["ETag"] and t1.get_json()["target_value"] == "116.0000"
    _json(h, "POST", f"/api/v1/registrations/{rid}/targets", {**TASK, "weight": "40", "is_bottleneck": True}, 201)

    reg = _json(h, "GET", f"/api/v1/registrations/{rid}").get_json()
    assert [w["code"] for w in reg["warnings"]] == ["too_few"] and reg["weight_total"] == "100.00"
    assert [s_["step"] for s_ in reg["steps"]] == ["submit"] and reg["steps"][0]["refused_because"] is None
    etag = h.get(f"/api/v1/registrations/{rid}").headers["ETag"]

    _json(h, "POST", f"/api/v1/registrations/{rid}/transitions", {"step": "submit"}, 428)
    submitted = _json(h, "POST", f"/api/v1/registrations/{rid}/transitions", {"step": "submit"}, 200, **{"If-Match": etag})
    assert submitted.get_json()["state"] == "submitted" and submitted.headers["ETag"] != etag

    target_id = t1.get_json()["id"]
    proposal = _json(s, "POST", f"/api/v1/registrations/{rid}/proposals",
                     {"kind": "change", "target_id": target_id, "values": {"target_value": "120", "plan_q4": "120"}, "reason": "Tổng mức trình thẩm định 1.415 tỷ đồng"}, 201).get_json()
    assert proposal["state"] == "open" and proposal["values"] == {"target_value": "120", "plan_q4": "120"}
    assert _json(s, "GET", f"/api/v1/registrations/{rid}/proposals").get_json()["meta"]["total"] == 1
    _json(s, "POST", f"/api/v1/registrations/{rid}/comments", {"body": "Đề nghị làm rõ cách tính tiết kiệm", "target_id": target_id}, 201)
    assert _json(h, "GET", f"/api/v1/registrations/{rid}/comments").get_json()["items"][0]["author"]["id"] == staff.id

    version = _json(s, "GET", f"/api/v1/registrations/{rid}").get_json()["version"]
    _json(s, "POST", f"/api/v1/registrations/{rid}/transitions", {"step": "forward", "version": version}, 200)
    _json(c, "POST", f"/api/v1/registrations/{rid}/proposals/{proposal['id']}/decision", {"step": "accept", "version": proposal["version"]}, 200)
    version = _json(c, "GET", f"/api/v1/registrations/{rid}").get_json()["version"]
    assigned = _json(c, "POST", f"/api/v1/registrations/{rid}/transitions",
                     {"step": "assign", "version": version, "decision_number": "123-QĐ/TU", "decision_date": "2026-11-20", "signer_id": committee.id}, 200).get_json()
    assert assigned["state"] == "assigned" and assigned["decision_number"] == "123-QĐ/TU" and assigned["signer_name"] == committee.full_name
    assert next(t for t in assigned["targets"] if t["id"] == target_id)["target_value"] == "120.0000"

    revisions = _json(h, "GET", f"/api/v1/registrations/{rid}/revisions").get_json()
    assert [r["kind"] for r in revisions["items"]] == ["assigned", "proposal_accepted", "reviewed", "submitted"]
    first = _json(h, "GET", f"/api/v1/registrations/{rid}/revisions/1").get_json()
    assert len(first["snapshot"]) == 2
    diff = _json(h, "GET", f"/api/v1/registrations/{rid}/diff").get_json()
    assert diff["from"] in ("As registered (revision 1)", "Như đã đăng ký (phiên bản 1)")
    row = next(r for r in diff["rows"] if r["target_id"] == target_id)
    assert row["status"] == "changed" and {c["field"] for c in row["fields"] if c["changed"]} == {"target_value", "plan_q4"}
    assert _json(h, "GET", f"/api/v1/registrations/{rid}/diff?from=1&to=current").get_json()["to"]

    # after assignment: amendments only
    target = _json(h, "GET", f"/api/v1/registrations/{rid}/targets/{target_id}")
    _json(h, "PATCH", f"/api/v1/registrations/{rid}/targets/{target_id}", {"title": "x", "reason": "y"}, 403, **{"If-Match": target.headers["ETag"]})
    amendment = _json(h, "POST", f"/api/v1/registrations/{rid}/amendments",
                      {"reason": "Điều chỉnh theo tiến độ vốn", "items": [{"kind": "change", "target_id": target_id, "values": {"title": "Tiết kiệm chi phí đầu tư"}}]}, 201).get_json()
    amendment = _json(h, "POST", f"/api/v1/registrations/{rid}/amendments/{amendment['id']}/items",
                      {"kind": "change", "target_id": target_id, "values": {"measure": "tỷ VNĐ"}, "version": amendment["version"]}, 200).get_json()
    assert len(amendment["items"]) == 2
    _json(c, "POST", f"/api/v1/registrations/{rid}/amendments/{amendment['id']}/decision", {"step": "approve", "version": amendment["version"], "decision_number": "7-QĐ/TU"}, 200)
    reg = _json(h, "GET", f"/api/v1/registrations/{rid}").get_json()
    assert next(t for t in reg["targets"] if t["id"] == target_id)["title"] == "Tiết kiệm chi phí đầu tư"
    assert _json(h, "GET", f"/api/v1/registrations/{rid}/amendments").get_json()["items"][0]["state"] == "approved"


def test_returning_needs_a_reason_and_the_head_sees_it(as_person):
    reg = f.complete_registration("submitted")
    s = as_person(f.person(Role.STAFF))
    response = _json(s, "POST", f"/api/v1/registrations/{reg.id}/transitions", {"step": "return", "version": reg.version}, 422)
    assert "reason" in response.get_json()["errors"]["json"]
    _json(s, "POST", f"/api/v1/registrations/{reg.id}/transitions", {"step": "return", "version": reg.version, "reason": "Thiếu điểm nghẽn"}, 200)
    h = as_person(db.session.get(f.Person, reg.head_id))
    body = _json(h, "GET", f"/api/v1/registrations/{reg.id}").get_json()
    assert body["state"] == "returned" and body["returned_reason"] == "Thiếu điểm nghẽn"


def test_refused_steps_say_why(as_person):
    reg = f.registration()
    f.target(reg, weight=Decimal("70"))
    h = as_person(db.session.get(f.Person, reg.head_id))
    # Weights that do not add up: an error naming the field.
    response = _json(h, "POST", f"/api/v1/registrations/{reg.id}/transitions", {"step": "submit", "version": reg.version}, 422)
    body = response.get_json()
    assert "70" in body["message"] and list(body["errors"]["json"]) == ["weight"] and "70" in body["errors"]["json"]["weight"][0]
    _json(h, "POST", f"/api/v1/registrations/{reg.id}/transitions", {"step": "assign", "version": reg.version}, 403)
    _json(h, "POST", f"/api/v1/registrations/{reg.id}/transitions", {"step": "fly", "version": reg.version}, 422)


def test_stale_writes_are_refused_with_412_and_missing_versions_with_428(as_person):
    reg = f.registration()
    target = f.target(reg)
    h = as_person(db.session.get(f.Person, reg.head_id))
    url = f"/api/v1/registrations/{reg.id}/targets/{target.id}"
    etag = h.get(url).headers["ETag"]
    _json(h, "PATCH", url, {"title": "Thu ngân sách nội địa"}, 428)
    first = _json(h, "PATCH", url, {"title": "Thu ngân sách nội địa"}, 200, **{"If-Match": etag})
    stale = _json(h, "PATCH", url, {"title": "Ghi đè"}, 412, **{"If-Match": etag})
    assert "version" in stale.get_json()["message"] or "phiên bản" in stale.get_json()["message"]
    _json(h, "PATCH", url, {"title": "Ghi đè", "version": 1}, 412)
    assert h.get(url).get_json()["title"] == "Thu ngân sách nội địa"
    _json(h, "DELETE", url, status=428)
    _json(h, "DELETE", url + "?version=1", status=412)
    _json(h, "DELETE", url, status=204, **{"If-Match": first.headers["ETag"]})
    assert h.get(url).status_code == 404


def test_a_head_sees_only_their_own_registrations(as_person):
    mine = f.registration()
    other = f.registration(unit=f.unit())
    h = as_person(db.session.get(f.Person, mine.head_id))
    assert h.get(f"/api/v1/registrations/{other.id}").status_code == 403
    items = h.get("/api/v1/registrations").get_json()["items"]
    assert [i["id"] for i in items] == [mine.id]
    council = as_person(f.person(Role.COUNCIL))
    assert council.get(f"/api/v1/registrations/{mine.id}").status_code == 403
    assert council.get("/api/v1/registrations").get_json()["items"] == []


def test_list_filters(as_person):
    group = f.group()
    a = f.registration(unit=f.unit(name="Sở Xây dựng", group=group), state=S.SUBMITTED)
    b = f.registration(unit=f.unit(name="UBND huyện Bình Xuyên"), state=S.DRAFT)
    staff = f.person(Role.STAFF)
    a.unit.staff_officer_id = staff.id
    c = as_person(staff)

    def ids(query):
        return [i["id"] for i in c.get(f"/api/v1/registrations?{query}").get_json()["items"]]

    assert set(ids("")) == {a.id, b.id}
    assert ids("state=submitted") == [a.id]
    assert ids(f"group_id={group.id}") == [a.id]
    assert ids("q=b%C3%ACnh") == [b.id] or ids("q=Bình") == [b.id]
    assert ids("mine=true") == [a.id]
    assert ids(f"cycle_id={a.cycle_id + 100}") == []
    assert c.get("/api/v1/registrations?state=nonsense").status_code == 422


def test_list_rows_agree_with_each_registration_and_come_by_group_and_name(as_person):
    """A list reads its rows' targets apart from the registrations (plain rows, not objects);
    the counts, weights and warnings it shows are those of the registration itself."""
    cycle = f.year(2027)
    first, second = f.group(name="Nhóm A"), f.group(name="Nhóm B")
    complete = f.complete_registration("submitted", unit=f.unit(group=second, name="Sở Công Thương"))
    flawed = f.registration(cycle, unit=f.unit(group=first, name="Sở Y tế"))
    f.target(flawed, baseline=Decimal("1300"), plan_q2=Decimal("200"), weight=Decimal("30"))  # no improvement, plan goes back
    f.target(flawed, kind="task", weight=Decimal("40"))
    f.target(flawed, weight=Decimal("30"), dropped=True)
    also = f.registration(cycle, unit=f.unit(group=first, name="Sở Nội vụ"))
    db.session.commit()
    c = as_person(f.person(Role.STAFF))
    rows = _json(c, "GET", f"/api/v1/registrations?cycle_id={cycle.id}").get_json()["items"]
    assert [r["id"] for r in rows] == [also.id, flawed.id, complete.id]  # by group, then by name
    for row in rows:
        detail = _json(c, "GET", f"/api/v1/registrations/{row['id']}").get_json()
        assert (row["warning_count"], row["weight_total"], row["target_count"]) == (
            len(detail["warnings"]), detail["weight_total"], len(detail["targets"]))
        assert all(w["message"] for w in detail["warnings"])
    assert {w["code"] for w in _json(c, "GET", f"/api/v1/registrations/{flawed.id}").get_json()["warnings"]} >= {"no_improvement", "plan_not_monotone"}
    page = c.get(f"/registrations?cycle_id={cycle.id}").get_data(as_text=True)
    assert page.index("Sở Nội vụ") < page.index("Sở Y tế") < page.index("Sở Công Thương")


def test_list_endpoints_run_a_fixed_number_of_statements(as_person, count_statements):
    from workflow.core.models import utcnow
    from workflow.targets.models import Comment, Proposal, Revision, Target

    staff = f.person(Role.STAFF)
    c = as_person(staff)
    cycle = f.year(2027)
    group = f.group()
    reg = f.complete_registration("submitted")

    def add(n):
        for i in range(n):
            unit = f.unit(group=group)
            head = f.person((Role.HEAD, unit))
            r = f.registration(cycle, unit, head, state=S.SUBMITTED)
            r.targets.append(Target(kind="quantitative", title=f"Chỉ tiêu {i}", weight=Decimal("100"), baseline=1, target_value=2, direction="higher",
                                    plan_q1=1, plan_q2=1, plan_q3=2, plan_q4=2, previous_target_id=reg.targets[0].id))
            db.session.add(r)
            db.session.add(Proposal(registration=reg, kind="drop", target_id=reg.targets[0].id, reason=f"lý do {i}", author_id=staff.id))
            db.session.add(Comment(registration_id=reg.id, author_id=staff.id, body=f"ý kiến {i}"))
            db.session.add(Revision(registration_id=reg.id, number=100 + i + (n * 10), kind="edited", actor_id=staff.id, at=utcnow(), changes=[], snapshot=[]))
        db.session.commit()

    urls = ["/api/v1/registrations?per_page=100", f"/api/v1/registrations/{reg.id}/proposals?per_page=100",
            f"/api/v1/registrations/{reg.id}/comments?per_page=100", f"/api/v1/registrations/{reg.id}/revisions?per_page=100",
            "/api/v1/cycles"]

    def statements():
        counts = []
        for url in urls:
            with count_statements() as counter:
                assert c.get(url).status_code == 200
            counts.append(counter.count)
        return counts

    add(10)
    small = statements()
    add(990)
    assert statements() == small
    assert c.get("/api/v1/registrations?per_page=100").get_json()["meta"]["total"] == 1001


def test_cycles(as_person):
    cycle = f.year(2027)
    c = as_person(f.person(Role.HEAD))
    body = c.get("/api/v1/cycles").get_json()
    assert body["items"][0]["year"] == 2027 and body["meta"]["total"] == 1
    assert c.get(f"/api/v1/cycles/{cycle.id}").get_json()["state"] == "registration"
    assert c.get("/api/v1/cycles/999999").status_code == 404


def test_the_openapi_document_lists_every_endpoint(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    base = "/api/v1/registrations/{registration_id}"
    for path in ["/api/v1/registrations", base, f"{base}/targets", f"{base}/targets/{{target_id}}", f"{base}/transitions",
                 f"{base}/proposals", f"{base}/proposals/{{proposal_id}}/decision", f"{base}/comments", f"{base}/amendments",
                 f"{base}/amendments/{{amendment_id}}/decision", f"{base}/amendments/{{amendment_id}}/items", f"{base}/revisions",
                 f"{base}/revisions/{{number}}", f"{base}/diff", "/api/v1/cycles", "/api/v1/cycles/{cycle_id}"]:
        assert path in paths, path
    assert set(paths[f"{base}/targets/{{target_id}}"]) >= {"get", "patch", "delete"}


def test_unauthenticated_requests_are_refused(client):
    assert client.get("/api/v1/registrations").status_code == 401
