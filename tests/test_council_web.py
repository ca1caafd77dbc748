"""The council's pages: every page renders for the people who use it, the scoring page holds
the dossier and the form, saving and autosave keep to versions, hidden scores stay hidden,
proposals and decisions through forms, the head's result after publication."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

import factories as f
from council_support import council, open_scoring, reported_registration, score
from workflow.accounts.models import Role
from workflow.council import operations, queries
from workflow.council.models import Objection, Scorecard, ScorecardState
from workflow.extensions import db


@pytest.fixture
def scene(app):
    cycle = f.year(2027)
    regs = [reported_registration(cycle, actual=a) for a in ("1300", "1200", "1150")]
    open_scoring(cycle)
    seats = council(cycle, members=3)
    return cycle, regs, seats


def test_member_pages_render(scene, as_person):
    cycle, regs, seats = scene
    c = as_person(seats["m1"].person)
    assert c.get("/council").status_code == 302
    for path in (f"/council/{cycle.id}", f"/council/{cycle.id}/mine", f"/council/{cycle.id}/proposals", f"/council/{cycle.id}/session"):
        response = c.get(path)
        assert response.status_code == 200, path
    page = c.get(f"/council/{cycle.id}/score/{regs[0].id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("Thu ngân sách nhà nước trên địa bàn", "plan-chart", (f'name="general.political" type="text" inputmode="decimal"'), "(0–10)", "o." + str(regs[0].targets[0].id) + ".quantity_percent.reason"):
        assert text in html, text
    assert c.get(f"/council/{cycle.id}/progress").status_code == 403


def test_officer_and_committee_pages_render(scene, as_person):
    cycle, regs, seats = scene
    for name in ("m1", "m2", "m3"):
        score(seats[name], regs[0])
    # The raters' figures are computed from every head's scores: the chair sees them once their
    # own scorecards are in.
    assert as_person(seats["chair"].person).get(f"/council/{cycle.id}/raters").status_code == 403
    for registration in regs:
        score(seats["chair"], registration)
    for person, paths in (
        (seats["secretary"].person, ("progress", "proposals", "session", "decisions")),
        (seats["chair"].person, ("progress", "proposals", "raters", "decisions")),
        (f.person(Role.COMMITTEE), ("proposals", "raters", "decisions")),
        (f.person(Role.ADMIN), ("", "proposals", "raters")),
    ):
        c = as_person(person)
        for path in paths:
            assert c.get(f"/council/{cycle.id}/{path}".rstrip("/")).status_code == 200, (person, path)
    assert as_person(f.person(Role.COMMITTEE)).get(f"/council/{cycle.id}/proposals?quota.max_percent=40").status_code == 200


def _finalise(cycle, seats):
    secretary, chair = seats["secretary"].person, seats["chair"].person
    session = queries.session_of(cycle.id)
    if session is None:
        session = operations.open_session(cycle, actor=secretary, held_on=date(2028, 1, 15))
        db.session.flush()
        operations.update_session(session, actor=secretary, version=session.version, held_on=session.held_on, place="", notes="",
                                  attendee_ids=[m.id for m in seats.values()])
        db.session.flush()
    operations.finalise_session(session, actor=chair, version=session.version)
    db.session.flush()


def _reopen(cycle, seats):
    session = queries.session_of(cycle.id)
    if session is not None and session.state.value == "finalised":
        operations.reopen_session(session, actor=seats["chair"].person, version=session.version, reason="Bổ sung người được đánh giá")
        db.session.flush()


@pytest.mark.parametrize("page", ["mine", "progress", "proposals", "decisions"])
def test_list_pages_run_a_fixed_number_of_statements(app, as_person, count_statements, page):
    cycle = f.year(2027)
    regs = [reported_registration(cycle, actual="1200") for _ in range(2)]
    open_scoring(cycle)
    seats = council(cycle, members=2)
    counts = []
    for more in (0, 3):
        _reopen(cycle, seats)
        regs += [reported_registration(cycle, actual="1150") for _ in range(more)]
        open_scoring(cycle)
        for registration in regs[-3:] if more else regs:
            for name in ("m1", "m2", "chair"):
                score(seats[name], registration)
        if page == "decisions":
            _finalise(cycle, seats)
        c = as_person(seats["secretary"].person if page != "mine" else seats["m1"].person)
        c.get(f"/council/{cycle.id}/{page}")
        with count_statements() as counter:
            assert c.get(f"/council/{cycle.id}/{page}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def _form(card_version: int, registration, general=("9", "9", "8"), **extra):
    data = {"version": str(card_version), "general.political": general[0], "general.ethics": general[1], "general.discipline": general[2]}
    data.update(extra)
    return data


def test_scoring_form_saves_autosaves_and_submits(scene, as_person):
    cycle, regs, seats = scene
    member = seats["m1"]
    c = as_person(member.person)
    page = c.get(f"/council/{cycle.id}/score/{regs[0].id}")
    # Reading the page writes nothing: the empty card, version 1, is written by the first save.
    assert queries.scorecard(member.id, regs[0].id) is None
    assert 'name="version" value="1"' in page.get_data(as_text=True)
    version = 1
    percent = regs[0].targets[2].id
    # Autosave as the page's script does, then a second tab's stale save is refused.
    saved = c.post(f"/council/{cycle.id}/score/{regs[0].id}/autosave", data=_form(version, regs[0], **{f"j.{percent}.errors": "1"}))
    assert saved.status_code == 200 and saved.json["version"] == version + 1
    stale = c.post(f"/council/{cycle.id}/score/{regs[0].id}/autosave", data=_form(version, regs[0]))
    assert stale.status_code == 409 and "current_version" in stale.json
    # The live total comes from the server's engine.
    preview = c.post(f"/council/{cycle.id}/score/{regs[0].id}/preview", data=_form(saved.json["version"], regs[0], **{f"j.{percent}.errors": "1"}))
    assert preview.status_code == 200 and preview.json["total"] == "92.50" and preview.json["level_name"]
    bad = c.post(f"/council/{cycle.id}/score/{regs[0].id}/preview",
                 data=_form(saved.json["version"], regs[0], **{f"o.{percent}.quality_percent.value": "80", f"o.{percent}.quality_percent.reason": ""}))
    assert bad.status_code == 422 and f"o.{percent}.quality_percent.reason" in bad.json["errors"]
    # Without script: the form's Submit button.
    page = c.post(f"/council/{cycle.id}/score/{regs[0].id}", data=_form(saved.json["version"], regs[0], general=("11", "9", "8"), action="submit"))
    assert page.status_code == 422 and "is-invalid" in page.get_data(as_text=True)
    done = c.post(f"/council/{cycle.id}/score/{regs[0].id}", data=_form(saved.json["version"], regs[0], action="submit", **{f"j.{percent}.errors": "1"}))
    assert done.status_code == 302
    db.session.expire_all()
    card = queries.scorecard(member.id, regs[0].id)
    assert card.state == ScorecardState.SUBMITTED and str(card.total) == "92.50"
    locked = c.post(f"/council/{cycle.id}/score/{regs[0].id}/autosave", data=_form(card.version, regs[0]))
    assert locked.status_code == 409


def test_secretary_reminds_once_a_day_and_reopens(scene, as_person, smtp):
    from workflow.notifications.models import Notification

    cycle, regs, seats = scene
    card = score(seats["m1"], regs[0])
    c = as_person(seats["secretary"].person)
    page = c.get(f"/council/{cycle.id}/progress").get_data(as_text=True)
    assert seats["m1"].person.full_name in page
    for _ in range(2):
        assert c.post(f"/council/{cycle.id}/members/{seats['m2'].id}/remind").status_code == 302
    reminders = db.session.scalars(select(Notification).where(Notification.kind == "council_reminder")).all()
    assert len(reminders) == 1 and reminders[0].recipient_id == seats["m2"].person_id
    assert regs[0].head.full_name in reminders[0].body_text
    assert c.post(f"/council/{cycle.id}/cards/{card.id}/reopen", data={"version": str(card.version), "reason": "Chấm nhầm tiêu chí"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Scorecard, card.id).state == ScorecardState.REOPENED
    assert as_person(seats["m1"].person).post(f"/council/{cycle.id}/members/{seats['m2'].id}/remind").status_code == 403


def test_committee_decides_and_head_objects_through_forms(scene, as_person, smtp):
    from council_support import published

    cycle, regs, seats = scene
    for name in ("m1", "m2", "m3"):
        for registration in regs:
            score(seats[name], registration)
    committee = f.person(Role.COMMITTEE)
    published(cycle, regs, seats, committee=committee)
    head = f.head_of(regs[2])
    c = as_person(head)
    result = c.get(f"/council/results/{regs[2].id}")
    html = result.get_data(as_text=True)
    assert result.status_code == 200 and "Điểm của Hội đồng" in html
    for seat in seats.values():
        assert seat.person.full_name not in html  # no member's name beside a score
    assert c.post(f"/council/results/{regs[2].id}/objection", data={"text": ""}).status_code == 422
    assert c.post(f"/council/results/{regs[2].id}/objection", data={"text": "Đề nghị xem xét lại điểm chất lượng"}).status_code == 302
    objection = db.session.scalar(select(Objection))
    k = as_person(committee)
    assert "Đề nghị xem xét lại" in k.get(f"/council/{cycle.id}/decisions").get_data(as_text=True)
    answer = k.post(f"/council/{cycle.id}/objections/{objection.id}", data={"version": str(objection.version), "step": "reject", "outcome": "Giữ nguyên"})
    assert answer.status_code == 302
    officials = as_person(seats["chair"].person).get(f"/council/results/{regs[2].id}").get_data(as_text=True)
    assert seats["m1"].person.full_name in officials  # officials see each member's score


def test_decision_form_requires_a_reason_to_differ(scene, as_person):
    cycle, regs, seats = scene
    for name in ("m1", "m2", "m3"):
        score(seats[name], regs[1])
    _finalise(cycle, seats)
    committee = as_person(f.person(Role.COMMITTEE))
    page = committee.get(f"/council/{cycle.id}/decisions")
    assert page.status_code == 200
    refused = committee.post(f"/council/{cycle.id}/decisions/{regs[1].id}", data={"level": "not_completed", "reason": ""})
    assert refused.status_code == 422
    assert committee.post(f"/council/{cycle.id}/decisions/{regs[1].id}", data={"level": "not_completed", "reason": "Vi phạm sau phiên họp"}).status_code == 302
    assert queries.latest_decision(regs[1].id).level == "not_completed"


def test_head_writes_and_submits_a_self_assessment(scene, as_person):
    cycle, regs, seats = scene
    head = f.head_of(regs[0])
    c = as_person(head)
    assert c.get(f"/council/self-assessment/{regs[0].id}").status_code == 200
    incomplete = c.post(f"/council/self-assessment/{regs[0].id}", data={"summary": "", "action": "submit"})
    assert incomplete.status_code == 422
    assert c.post(f"/council/self-assessment/{regs[0].id}", data={"summary": "Hoàn thành các chỉ tiêu", "proposed_level": "good", "action": "submit"}).status_code == 302
    assert as_person(f.head_of(regs[1])).get(f"/council/self-assessment/{regs[0].id}").status_code == 403
    page = as_person(seats["m1"].person).get(f"/council/{cycle.id}/score/{regs[0].id}").get_data(as_text=True)
    assert "Hoàn thành các chỉ tiêu" in page
