"""Every council form is read through the API's schema: bad input (a field left out, a number or a
date mistyped, an id that is nothing in the list) is refused with the field's message, on the
page the form was posted from, and nothing changes. One scene per phase of the year, each form
tried with several bad inputs in one test, so that the whole file stays fast."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape

from sqlalchemy import func, select

import factories as f
from council_support import awaiting_decisions, council, open_scoring, score
from workflow.accounts.models import Role
from workflow.core.audit import AuditEntry
from workflow.core.inputs import MAX_INT
from workflow.council import operations, queries
from workflow.council.models import DisciplineRecord, Objection, ScorecardState
from workflow.council.rules import council_rules
from workflow.extensions import db

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
REQUIRED = "This field is required."
WHOLE = "Must be a whole number."


def _audit_entries() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def _post(client, action: str, page: str, data: dict):
    return client.post(action, data=data, headers={"Referer": f"http://localhost{page}", "Accept": BROWSER})


def _refused(client, action: str, page: str, data: dict, *, status: int = 422) -> dict[str, list[str]]:
    """The field messages of a form refused and shown again on its page (templates/_refused_form.html)."""
    response = _post(client, action, page, data)
    html = response.get_data(as_text=True)
    assert response.status_code == status, (action, data, response.status_code, html[:300])
    found = re.search(r"data-refusal='([^']*)'", html)
    assert found, f"{action} {data}: not shown again on {page}"
    return json.loads(unescape(found.group(1)))["errors"]


def _expect(client, action: str, page: str, cases: list[tuple[dict, str, str]]) -> None:
    """Each (form, field, message): refused with `message` beside `field`, and nothing written."""
    before = _audit_entries()
    for data, field, message in cases:
        errors = _refused(client, action, page, data)
        assert message in errors.get(field, []), (data, errors)
    db.session.expire_all()
    assert _audit_entries() == before, action


def test_seats_and_settings(as_person):
    cycle = f.execution_cycle(2027)
    admin = f.person(Role.ADMIN, locale="en")
    candidate = f.person(Role.COUNCIL)
    db.session.flush()
    client = as_person(admin)
    page, settings_before = f"/council/{cycle.id}", council_rules(cycle)

    _expect(client, f"/council/{cycle.id}/members", page, [
        ({"position": "member"}, "person_id", "Choose a person."),
        ({"person_id": "", "position": "member"}, "person_id", "Choose a person."),
        ({"person_id": "Nguyễn", "position": "member"}, "person_id", "Choose a person."),
        ({"person_id": "999999", "position": "member"}, "person_id", "Choose a person."),
        ({"person_id": str(MAX_INT + 1), "position": "member"}, "person_id", "Choose a person."),
        ({"person_id": str(candidate.id), "position": "president"}, "position", "Must be one of: chair, secretary, member."),
    ])
    assert queries.members(cycle.id) == []

    settings = {"version": str(cycle.version), "hide_scores_until_submitted": "1", "quorum": "2/3", "objection_days": "10"}
    _expect(client, f"/council/{cycle.id}/settings", page, [
        ({**settings, "objection_days": ""}, "objection_days", REQUIRED),
        ({**settings, "objection_days": "1,5"}, "objection_days", WHOLE),
        ({**settings, "objection_days": "91"}, "objection_days", "Must be at most 90."),
        ({**settings, "quorum": ""}, "quorum", REQUIRED),
        ({**settings, "quorum": "3/2"}, "quorum", "Write the quorum as a fraction between 0 and 1, such as 2/3."),
    ])
    assert council_rules(cycle) == settings_before
    # And the same forms, filled in well, do what they say.
    assert client.post(f"/council/{cycle.id}/settings", data={**settings, "hide_scores_until_submitted": "", "objection_days": "15"}).status_code == 302
    db.session.expire_all()
    assert council_rules(cycle) == {**settings_before, "hide_scores_until_submitted": False, "objection_days": 15}
    assert client.post(f"/council/{cycle.id}/members", data={"person_id": str(candidate.id), "position": "secretary"}).status_code == 302
    assert [(m.person_id, m.position.value) for m in queries.members(cycle.id)] == [(candidate.id, "secretary")]
    # The API's answer to a quorum that is no fraction is the same field error, not a server error.
    refused = client.patch(f"/api/v1/council/cycles/{cycle.id}/settings", json={"quorum": "3/2"},
                           headers={**f.api_headers(admin), "If-Match": client.get(f"/api/v1/council/cycles/{cycle.id}/settings").headers["ETag"]})
    assert refused.status_code == 422 and refused.get_json()["errors"]["json"]["quorum"]


def test_conflicts_reopening_the_session_and_discipline(as_person):
    cycle = open_scoring(f.execution_cycle(2027))
    registration = f.complete_registration("assigned", cycle=cycle)
    seats = council(cycle, members=1)
    for seat in seats.values():
        seat.person.locale = "en"
    card = score(seats["m1"], registration)
    score(seats["secretary"], registration)  # the result page shows the scores to those who scored
    db.session.flush()
    member, secretary = as_person(seats["m1"].person), as_person(seats["secretary"].person)

    _expect(member, f"/council/{cycle.id}/conflicts", f"/council/{cycle.id}/mine", [
        ({"reason": "Người thân"}, "registration_id", "Choose the head."),
        ({"registration_id": "x", "reason": "Người thân"}, "registration_id", "Choose the head."),
        ({"registration_id": "999999", "reason": "Người thân"}, "registration_id", "Choose the head."),
        ({"registration_id": str(registration.id), "reason": "  "}, "reason", "Say what the conflict of interest is."),
        ({"registration_id": str(registration.id), "reason": "x" * 2001}, "reason", "At most 2000 characters (this has 2001)."),
    ])
    assert queries.conflicts_of(seats["m1"]) == []

    _expect(secretary, f"/council/{cycle.id}/cards/{card.id}/reopen", f"/council/{cycle.id}/progress", [
        ({"version": str(card.version)}, "reason", "Please give a reason."),
        ({"version": str(card.version), "reason": " "}, "reason", "Please give a reason."),
        ({"version": "v1", "reason": "Chấm nhầm"}, "version", WHOLE),
    ])
    assert card.state == ScorecardState.SUBMITTED

    # The scoring page too, and its autosave in JSON: the comment is read by the API's schema.
    chair = as_person(seats["chair"].person)
    scoring = f"/council/{cycle.id}/score/{registration.id}"
    too_long = {"general.political": "9", "comment": "x" * 4001, "version": "1", "action": "save"}
    page = _post(chair, scoring, scoring, too_long)
    assert page.status_code == 422 and "At most 4000 characters (this has 4001)." in page.get_data(as_text=True)
    autosaved = chair.post(f"{scoring}/autosave", data={**too_long, "comment": "Ghi chú\x07"}, headers={"Accept": "application/json"})
    assert autosaved.status_code == 422 and autosaved.get_json()["errors"]["comment"] == ["Contains characters that cannot be shown."]
    assert queries.scorecard(seats["chair"].id, registration.id) is None

    # The session's page answers its own form (the page is the form's): 422 with the messages.
    session_page = f"/council/{cycle.id}/session"
    for data, message in [({"place": "Hội trường"}, REQUIRED), ({"held_on": "31/02/2028"}, "There is no such date: 31/02/2028."),
                          ({"held_on": "15.1.28"}, "Write the date as day/month/year, for example 31/03/2027.")]:
        response = _post(secretary, session_page, session_page, data)
        assert response.status_code == 422 and message in response.get_data(as_text=True), data
    assert queries.session_of(cycle.id) is None
    session = operations.open_session(cycle, actor=seats["secretary"].person, held_on=date(2028, 1, 15), place="Hội trường")
    db.session.flush()
    record = {"held_on": "15/01/2028", "place": "Hội trường", "notes": "", "version": str(session.version)}
    for data, message in [({**record, "attendee_ids": ["999999"]}, "Only members of this council can attend."),
                          ({**record, "attendee_ids": ["một"]}, WHOLE), ({**record, "held_on": "2028-02-30"}, "There is no such date")]:
        response = _post(secretary, session_page, session_page, data)
        assert response.status_code == 422 and message in response.get_data(as_text=True), data
    db.session.expire_all()
    assert queries.session_of(cycle.id).attendees == []
    saved = _post(secretary, session_page, session_page, {**record, "held_on": "16/01/2028", "attendee_ids": [str(seats["chair"].id), str(seats["m1"].id)]})
    assert saved.status_code == 302
    db.session.expire_all()
    session = queries.session_of(cycle.id)
    assert (session.held_on, {m.id for m in session.attendees}) == (date(2028, 1, 16), {seats["chair"].id, seats["m1"].id})

    result_page = f"/council/results/{registration.id}"
    _expect(secretary, f"/council/results/{registration.id}/discipline", result_page, [
        ({"reason": "Khiển trách"}, "reference", "Give the number and date of the disciplinary decision."),
        ({"reference": "15-QĐ/UBKTTU", "reason": ""}, "reason", REQUIRED),
        ({"reference": "15-QĐ/UBKTTU", "reason": "Khiển trách", "category": "scolding"}, "category", "Not one of the allowed values."),
        ({"reference": "15-QĐ/UBKTTU", "reason": "Khiển trách", "form": "fine"}, "form", "Not one of the allowed values."),
    ])
    assert db.session.scalar(select(DisciplineRecord)) is None
    operations.record_discipline(registration, actor=seats["secretary"].person, reference="15-QĐ/UBKTTU", reason="Khiển trách")
    db.session.flush()
    _expect(secretary, f"/council/results/{registration.id}/discipline", result_page, [
        ({"remove": "1", "reason": " "}, "reason", "Please give a reason."),
    ])
    assert db.session.scalar(select(DisciplineRecord)) is not None


def test_decisions_quota_steps_and_objections(as_person, smtp):
    cycle = f.year(2027)
    registration, seats, session = awaiting_decisions(cycle)
    seats["chair"].person.locale = "en"
    committee = f.person(Role.COMMITTEE, locale="en")
    db.session.flush()
    k, chair = as_person(committee), as_person(seats["chair"].person)
    decisions = f"/council/{cycle.id}/decisions"

    _expect(k, f"/council/{cycle.id}/decisions/{registration.id}", decisions, [
        ({"level": "best", "reason": "Xuất sắc"}, "level", "Not one of the allowed values."),
        ({"level": "not_completed", "reason": " "}, "reason", "Give the reason for deciding a level other than the council's proposal."),
    ])
    steps = f"/council/{cycle.id}/session/step"
    _expect(chair, steps, f"/council/{cycle.id}/session", [
        ({"version": str(session.version)}, "step", REQUIRED),
        ({"step": "close", "version": str(session.version)}, "step", "Must be one of: finalise, reopen, publish."),
        ({"step": "reopen", "version": str(session.version), "reason": ""}, "reason", "Please give a reason."),
        ({"step": "reopen", "version": "latest", "reason": "Thiếu điểm"}, "version", WHOLE),
    ])
    # The quota's forms are on the decisions page, one per scope: the page answers with each
    # message beside the fields of the scope's form, and all of them at its top.
    before = _audit_entries()
    for data, message in [({"group_id": "nhóm", "reason": "Vượt", "legal_basis": "NĐ 335"}, WHOLE),
                          ({"group_id": str(registration.unit.group_id), "reason": "Vượt", "legal_basis": "NĐ 335"}, "keeps to the quota"),
                          ({"group_id": "", "reason": "", "legal_basis": ""}, "Choose a group of units of this list.")]:
        response = _post(k, f"/council/{cycle.id}/quota-exceptions", decisions, data)
        assert response.status_code == 422 and message in response.get_data(as_text=True), data
    assert _audit_entries() == before
    assert queries.latest_decisions(cycle.id) == {} and queries.session_of(cycle.id).round == 1

    operations.accept_all(session, actor=committee)
    operations.publish(session, actor=committee, version=session.version)
    db.session.flush()
    head = f.head_of(registration)
    head.locale = "en"
    db.session.flush()
    result_page = f"/council/results/{registration.id}"
    _expect(as_person(head), f"/council/results/{registration.id}/objection", result_page, [
        ({}, "text", "Write what you object to and why."),
        ({"text": "   "}, "text", "Write what you object to and why."),
    ])
    objection = operations.file_objection(registration, "Đề nghị xem xét lại", actor=head)
    db.session.flush()
    answer = {"version": str(objection.version), "step": "reject", "outcome": "Giữ nguyên"}
    _expect(k, f"/council/{cycle.id}/objections/{objection.id}", decisions, [
        ({**answer, "outcome": ""}, "outcome", "Write the committee's answer."),
        ({**answer, "step": "ignore"}, "step", "Must be one of: uphold, reject."),
        ({**answer, "step": "uphold", "level": ""}, "level", "Upholding an objection records a different level: choose it."),
        ({**answer, "version": "²"}, "version", WHOLE),
    ])
    db.session.expire_all()
    assert db.session.get(Objection, objection.id).state.value == "filed"
