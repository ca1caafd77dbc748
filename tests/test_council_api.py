"""The council's API and the hidden scores on pages and API alike: a member who has not
submitted their own scorecard for a head sees no other member's score for that head."""

from __future__ import annotations

import pytest

import factories as f
from council_support import council, open_scoring, reported_registration, score
from workflow.accounts.models import Role
from workflow.extensions import db


@pytest.fixture
def scene(app):
    cycle = f.year(2027)
    regs = [reported_registration(cycle, actual="1300"), reported_registration(cycle, actual="1200")]
    open_scoring(cycle)
    seats = council(cycle, members=3)
    return cycle, regs, seats


def test_scorecard_through_the_api(scene, client):
    cycle, regs, seats = scene
    member = seats["m1"]
    headers = f.api_headers(member.person)
    opened = client.post(f"/api/v1/council/cycles/{cycle.id}/heads/{regs[0].id}/scorecard", headers=headers)
    assert opened.status_code == 200
    card_id, etag = opened.json["id"], opened.headers["ETag"]
    body = {"general": {"political": "9", "ethics": "9", "discipline": "8.5"},
            "judgements": {str(regs[0].targets[2].id): {"errors": 1}}}
    assert client.put(f"/api/v1/council/scorecards/{card_id}", json=body, headers=headers).status_code == 428
    saved = client.put(f"/api/v1/council/scorecards/{card_id}", json=body, headers={**headers, "If-Match": etag})
    assert saved.status_code == 200
    assert client.put(f"/api/v1/council/scorecards/{card_id}", json=body, headers={**headers, "If-Match": etag}).status_code == 412
    preview = client.post(f"/api/v1/council/scorecards/{card_id}/preview", json={"general": {"political": "10"}, "judgements": body["judgements"]}, headers=headers)
    assert preview.status_code == 200 and preview.json["complete"] is False
    # 0.4 × 100 + 0.4 × 100 + 0.2 × 75 = 95% of 70 = 66.5 points, + 26.5
    assert preview.json["task_points"] == "66.50"
    missing_reason = {"judgements": {str(regs[0].targets[0].id): {"overrides": [{"figure": "quantity_percent", "value": "80", "reason": ""}]}}}
    refused = client.put(f"/api/v1/council/scorecards/{card_id}", json=missing_reason, headers={**headers, "If-Match": saved.headers["ETag"]})
    assert refused.status_code == 422
    assert f"judgements.{regs[0].targets[0].id}.overrides.quantity_percent" in refused.json["errors"]["json"]
    submitted = client.post(f"/api/v1/council/scorecards/{card_id}/submit", json={}, headers={**headers, "If-Match": saved.headers["ETag"]})
    assert submitted.status_code == 200 and submitted.json["total"] == "93.00" and submitted.json["state"] == "submitted"
    mine = client.get(f"/api/v1/council/cycles/{cycle.id}/my-scorecards", headers=headers)
    assert mine.json["meta"]["total"] == 2 and {i["state"] for i in mine.json["items"]} == {"submitted", "not_started"}
    # Another member's card is not reachable.
    assert client.get(f"/api/v1/council/scorecards/{card_id}", headers=f.api_headers(seats["m2"].person)).status_code == 404


def test_scores_are_hidden_until_the_member_submits(scene, as_person, client):
    cycle, regs, seats = scene
    m1, m2 = seats["m1"], seats["m2"]
    score(m1, regs[0], general=("9", "9", "9"))  # 97.00
    score(seats["m3"], regs[0], general=("7", "7", "7"))  # 91.00
    # m2 has not submitted for regs[0]: nothing of the others' scores shows.
    page = as_person(m2.person).get(f"/council/{cycle.id}/score/{regs[0].id}").get_data(as_text=True)
    assert "97,00" not in page and "91,00" not in page and m1.person.full_name not in page
    listing = as_person(m2.person).get(f"/council/{cycle.id}/proposals").get_data(as_text=True)
    assert "94,00" not in listing
    headers = f.api_headers(m2.person)
    rows = client.get(f"/api/v1/council/cycles/{cycle.id}/proposals", headers=headers).json["items"]
    row = next(r for r in rows if r["registration_id"] == regs[0].id)
    assert row["hidden"] is True and "panel_score" not in row and row["explanation"] == []
    # Once m2 submits, the panel for that head shows (and only for that head).
    score(m2, regs[0], general=("8", "8", "8"))
    db.session.commit()
    page = as_person(m2.person).get(f"/council/{cycle.id}/score/{regs[0].id}").get_data(as_text=True)
    assert "97,00" in page and m1.person.full_name in page
    rows = client.get(f"/api/v1/council/cycles/{cycle.id}/proposals", headers=headers).json["items"]
    shown = next(r for r in rows if r["registration_id"] == regs[0].id)
    assert shown["hidden"] is False and shown["panel_score"] == "94.00"
    assert next(r for r in rows if r["registration_id"] == regs[1].id)["hidden"] is True
    # The committee always sees them.
    committee_rows = client.get(f"/api/v1/council/cycles/{cycle.id}/proposals", headers=f.api_headers(f.person(Role.COMMITTEE))).json["items"]
    assert all(not r["hidden"] for r in committee_rows)


def test_hidden_scores_setting_off_shows_them(scene, as_person):
    cycle, regs, seats = scene
    admin = f.person(Role.ADMIN)
    from workflow.council import operations
    from workflow.cycles.models import CycleState

    cycle.state = CycleState.EXECUTION
    operations.update_settings(cycle, {"hide_scores_until_submitted": False}, actor=admin, version=cycle.version)
    cycle.state = CycleState.SCORING
    db.session.flush()
    score(seats["m1"], regs[0], general=("9", "9", "9"))
    page = as_person(seats["m2"].person).get(f"/council/{cycle.id}/score/{regs[0].id}").get_data(as_text=True)
    assert "97,00" in page


def test_session_decisions_and_results_through_the_api(scene, client):
    cycle, regs, seats = scene
    for name in ("m1", "m2", "m3"):
        for registration in regs:
            score(seats[name], registration)
    secretary = f.api_headers(seats["secretary"].person)
    chair = f.api_headers(seats["chair"].person)
    committee_person = f.person(Role.COMMITTEE)
    committee = f.api_headers(committee_person)
    created = client.post(f"/api/v1/council/cycles/{cycle.id}/session", json={"held_on": "2028-01-15", "place": "Hội trường"}, headers=secretary)
    assert created.status_code == 201 and created.json["quorum"]["needed"] == 4
    updated = client.put(f"/api/v1/council/cycles/{cycle.id}/session",
                         json={"held_on": "2028-01-15", "attendee_ids": [m.id for m in seats.values()]}, headers={**secretary, "If-Match": created.headers["ETag"]})
    assert updated.status_code == 200 and updated.json["quorum"]["met"] is True
    assert client.post(f"/api/v1/council/cycles/{cycle.id}/session/steps", json={"step": "finalise"},
                       headers={**secretary, "If-Match": updated.headers["ETag"]}).status_code == 403
    final = client.post(f"/api/v1/council/cycles/{cycle.id}/session/steps", json={"step": "finalise"}, headers={**chair, "If-Match": updated.headers["ETag"]})
    assert final.status_code == 200 and final.json["state"] == "finalised"
    rows = client.get(f"/api/v1/council/cycles/{cycle.id}/decisions", headers=committee).json["items"]
    assert len(rows) == 2 and all(r["decision"] is None for r in rows)
    no_reason = client.post(f"/api/v1/council/cycles/{cycle.id}/decisions/{regs[1].id}", json={"level": "completed"}, headers=committee)
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]["json"]
    accepted = client.post(f"/api/v1/council/cycles/{cycle.id}/decisions/accept-all", headers=committee)
    assert accepted.status_code == 200
    for r in client.get(f"/api/v1/council/cycles/{cycle.id}/decisions", headers=committee).json["items"]:
        if r["decision"] is None:
            client.post(f"/api/v1/council/cycles/{cycle.id}/decisions/{r['registration_id']}", json={"level": r["options"][0], "reason": "Chọn"}, headers=committee)
    head_headers = f.api_headers(f.head_of(regs[1]))
    assert client.get(f"/api/v1/council/results/{regs[1].id}", headers=head_headers).status_code == 404  # not published yet
    session = client.get(f"/api/v1/council/cycles/{cycle.id}/session", headers=committee)
    published_ = client.post(f"/api/v1/council/cycles/{cycle.id}/session/steps", json={"step": "publish"}, headers={**committee, "If-Match": session.headers["ETag"]})
    assert published_.status_code == 200 and published_.json["state"] == "published"
    result = client.get(f"/api/v1/council/results/{regs[1].id}", headers=head_headers)
    assert result.status_code == 200 and result.json["published"] and result.json["level"] and len(result.json["lines"]) == 3
    assert "members" not in result.json
    objection = client.post(f"/api/v1/council/results/{regs[1].id}/objections", json={"text": "Đề nghị xem lại"}, headers=head_headers)
    assert objection.status_code == 201
    answer = client.post(f"/api/v1/council/objections/{objection.json['id']}/steps", json={"step": "reject", "outcome": "Giữ nguyên"},
                         headers={**committee, "If-Match": objection.headers["ETag"]})
    assert answer.status_code == 200 and answer.json["state"] == "rejected"
    raters = client.get(f"/api/v1/council/cycles/{cycle.id}/raters", headers=chair)
    assert raters.status_code == 200 and len(raters.json["members"]) == 3
    assert client.get(f"/api/v1/council/cycles/{cycle.id}/raters", headers=f.api_headers(seats["m1"].person)).status_code == 403
    what_if = client.post(f"/api/v1/council/cycles/{cycle.id}/what-if", json={"changes": {"levels.excellent.min_points": 99}}, headers=committee)
    assert what_if.status_code == 200
    bad = client.post(f"/api/v1/council/cycles/{cycle.id}/what-if", json={"changes": {"levels.nope.min_points": 1}}, headers=committee)
    assert bad.status_code == 422


def test_officers_see_no_scores_before_their_own_nor_export_them(scene, as_person):
    cycle, regs, seats = scene
    score(seats["m1"], regs[0])
    chair = as_person(seats["chair"].person)
    assert chair.get(f"/council/results/{regs[0].id}").status_code == 403
    assert chair.get(f"/council/{cycle.id}/export.xlsx").status_code == 403
    score(seats["chair"], regs[0])
    db.session.commit()
    page = chair.get(f"/council/results/{regs[0].id}")
    assert page.status_code == 200 and seats["m1"].person.full_name in page.get_data(as_text=True)
    assert as_person(f.person(Role.COMMITTEE)).get(f"/council/{cycle.id}/export.xlsx").status_code == 200
