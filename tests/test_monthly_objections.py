"""A civil servant's objection to the level of their year (kiến nghị), as a head objects to the
committee's: filed by the servant within the track's `objection_days` after the head of agency
decided, one waiting at a time; answered by the head of agency, who upholds it with another level
(within the quota, the answer kept as the level's reason) or rejects it; each party told by
e-mail through the outbox; the page shows the objection, the answer and the forms only to those
who may use them."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import select

from monthly_support import Agency, agency  # noqa: F401  (fixture)
from workflow import policy
from workflow.core import formats
from workflow.core.errors import PermissionDenied, StaleObject, TransitionRefused, ValidationFailed
from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.monthly import operations, year
from workflow.monthly.models import MonthlyPlan, MonthState, ObjectionState, YearObjection, YearResult
from workflow.notifications.models import Notification


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def decided(agency: Agency, who: str = "lan", level: str = "completed", reason: str = "Chậm tiến độ quý IV") -> YearResult:
    """`who`'s year: three approved months, the general criteria scored, the level decided."""
    subject = agency.subjects[who]
    for number, value in enumerate(["63.00", "70.00", "64.00"], start=1):
        db.session.add(MonthlyPlan(subject=subject, period=agency.month(number), state=MonthState.APPROVED, points=Decimal(value),
                                   rubric_version="335-2026"))
    db.session.flush()
    manager = agency.leader if subject.person.manager_id == agency.leader.id else agency.head
    operations.assess_year(subject, agency.cycle, {"political": Decimal(9), "competence": Decimal(9), "innovation": Decimal("8.5")},
                           actor=manager, version=None)
    db.session.flush()
    panel = year.compute(agency.cycle, [agency.unit.id])
    operations.decide_years(panel, [{"subject_id": subject.id, "level": level, "reason": reason}], actor=agency.head)
    db.session.flush()
    return db.session.scalar(select(YearResult).where(YearResult.subject_id == subject.id))


def _mail(kind: str) -> list[Notification]:
    return db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id)).all()


def test_the_servant_objects_within_the_window_and_the_head_upholds_with_another_level(agency):
    result = decided(agency)
    assert result.level == "completed" and operations.objection_deadline(result) == formats.local(result.decided_at).date() + timedelta(days=10)
    with pytest.raises(ValidationFailed) as empty:
        operations.file_year_objection(result, "  ", actor=agency.lan)
    assert set(empty.value.errors) == {"text"}
    with pytest.raises(PermissionDenied):
        operations.file_year_objection(result, "Tôi không đồng ý", actor=agency.duc)  # not her year
    objection = operations.file_year_objection(result, "Quý IV tôi hoàn thành đúng hạn, có văn bản kèm theo.", actor=agency.lan)
    db.session.flush()
    assert objection.state == ObjectionState.FILED and objection.level_before == "completed"
    with pytest.raises(TransitionRefused):
        operations.file_year_objection(result, "Lần nữa", actor=agency.lan)  # one waits at a time
    told = _mail("monthly_year_objection")
    assert [n.to_address for n in told] == [agency.head.email] and "Phạm Thị Lan" in told[0].subject

    with pytest.raises(PermissionDenied):
        operations.decide_year_objection(objection, "uphold", actor=agency.leader, version=objection.version, outcome="Đồng ý", level="good")
    with pytest.raises(ValidationFailed) as no_answer:
        operations.decide_year_objection(objection, "uphold", actor=agency.head, version=objection.version, outcome="", level="good")
    assert set(no_answer.value.errors) == {"outcome"}
    with pytest.raises(ValidationFailed) as same:
        operations.decide_year_objection(objection, "uphold", actor=agency.head, version=objection.version, outcome="Đồng ý", level="completed")
    assert set(same.value.errors) == {"level"}
    with pytest.raises(StaleObject):
        operations.decide_year_objection(objection, "uphold", actor=agency.head, version=objection.version - 1, outcome="Đồng ý", level="good")
    operations.decide_year_objection(objection, "uphold", actor=agency.head, version=objection.version,
                                     outcome="Đã xác minh văn bản: quý IV đúng hạn.", level="good")
    db.session.flush()
    db.session.refresh(result)
    assert (objection.state, objection.level_after, result.level) == (ObjectionState.UPHELD, "good", "good")
    assert result.reason == "Đã xác minh văn bản: quý IV đúng hạn."
    # The level now is the proposal's (the quota kept her from the top level): the sentence is the
    # proposal's, no longer the departed decision's reason.
    sentence = year.compute(agency.cycle, [agency.unit.id]).explanation(result.subject_id).sentence
    assert "nên xếp loại Hoàn thành tốt nhiệm vụ" in sentence and "Chậm tiến độ quý IV" not in sentence
    answered = _mail("monthly_year_objection_answered")
    assert [n.to_address for n in answered] == [agency.lan.email]
    with pytest.raises(TransitionRefused):
        operations.decide_year_objection(objection, "reject", actor=agency.head, version=objection.version, outcome="Không")


def test_a_rejected_objection_leaves_the_level_and_the_window_closes(agency):
    result = decided(agency)
    objection = operations.file_year_objection(result, "Xin xem lại.", actor=agency.lan)
    db.session.flush()
    operations.decide_year_objection(objection, "reject", actor=agency.head, version=objection.version, outcome="Kết quả đúng quy định.")
    db.session.flush()
    assert objection.state == ObjectionState.REJECTED and objection.level_after is None and result.level == "completed"
    # Answered, another may be filed, while the window is open; not after its last day.
    deadline = operations.objection_deadline(result)
    after = result.decided_at + timedelta(days=11)
    assert formats.local(after).date() > deadline
    with pytest.raises(TransitionRefused) as late:
        operations.file_year_objection(result, "Lần hai", actor=agency.lan, now=after)
    assert formats.day(deadline) in str(late.value)
    operations.file_year_objection(result, "Lần hai, có thêm chứng cứ.", actor=agency.lan)
    db.session.flush()
    assert db.session.scalar(select(db.func.count()).select_from(YearObjection)) == 2


def test_an_upheld_objection_stays_within_the_quota(agency):
    """Điều 20 k5: the top level for at most 20% of those rated at the base level."""
    result = decided(agency, level="good", reason="")
    objection = operations.file_year_objection(result, "Tôi đạt trên 90 điểm.", actor=agency.lan)
    db.session.flush()
    with pytest.raises(ValidationFailed) as refused:
        operations.decide_year_objection(objection, "uphold", actor=agency.head, version=objection.version, outcome="Đồng ý", level="excellent")
    assert set(refused.value.errors) == {"level"}
    db.session.refresh(result)
    assert result.level == "good" and objection.state == ObjectionState.FILED


@pytest.mark.parametrize(("who", "file", "answer"), [
    ("lan", True, False),      # the servant: her own year
    ("duc", False, False),     # a colleague
    ("leader", False, False),  # her direct manager: the head of agency decides
    ("head", False, True),     # the head of agency
])
def test_who_may_object_and_answer(agency, who, file, answer):
    result = decided(agency)
    objection = operations.file_year_objection(result, "Xin xem lại.", actor=agency.lan)
    db.session.flush()
    person = getattr(agency, who)
    assert policy.can(person, "monthly.year.object", result) is file
    assert policy.can(person, "monthly.year.objection.decide", objection) is answer


def test_the_year_page_shows_the_forms_only_to_those_who_may_use_them(agency, as_person):
    result = decided(agency)
    path = f"/monthly/year/{result.subject_id}?cycle_id={agency.cycle.id}"
    lan = as_person(agency.lan)
    page = _text(lan.get(path))
    assert "Gửi kiến nghị" in page and formats.day(operations.objection_deadline(result)) in page
    assert "Gửi kiến nghị" not in _text(as_person(agency.head).get(path))
    refused = lan.post(f"/monthly/year/{result.subject_id}/objections?cycle_id={agency.cycle.id}", data={"text": ""},
                       headers={"Accept": "text/html", "Referer": f"http://localhost{path}"})
    assert refused.status_code == 422
    assert set(json.loads(unescape(re.search(r"data-refusal='([^']*)'", refused.get_data(as_text=True)).group(1)))["errors"]) == {"text"}
    sent = lan.post(f"/monthly/year/{result.subject_id}/objections?cycle_id={agency.cycle.id}", data={"text": "Xin xem lại quý IV."})
    assert sent.status_code == 302
    page = _text(lan.get(path))
    assert "Chờ thủ trưởng cơ quan trả lời" in page and "Xin xem lại quý IV." in page and "Gửi kiến nghị" not in page
    head = as_person(agency.head)
    assert "Chấp nhận: đổi mức xếp loại" in _text(head.get(path))
    listed = _text(head.get(f"/monthly/agency-year?cycle_id={agency.cycle.id}"))
    assert "Kiến nghị chờ đồng chí trả lời" in listed and "Phạm Thị Lan · gửi ngày" in listed
    objection = db.session.scalar(select(YearObjection))
    answered = head.post(f"/monthly/year/objections/{objection.id}",
                         data={"step": "uphold", "outcome": "Đồng ý sau khi xác minh.", "level": "good", "version": objection.version})
    assert answered.status_code == 302
    page = _text(lan.get(path))
    assert "Đã chấp nhận" in page and "Đồng ý sau khi xác minh." in page and "Hoàn thành tốt nhiệm vụ" in page


def test_the_api_files_lists_and_answers_an_objection(agency, as_person):
    result = decided(agency)
    base = f"/api/v1/monthly/years/{result.subject_id}/objections?cycle_id={agency.cycle.id}"
    lan, head = as_person(agency.lan), as_person(agency.head)
    assert lan.post(base, json={}).status_code == 422
    assert as_person(agency.duc).post(base, json={"text": "Không phải của tôi"}).status_code == 403
    filed = lan.post(base, json={"text": "Xin xem lại quý IV."})
    assert filed.status_code == 201, filed.get_json()
    body = filed.get_json()
    assert (body["state"], body["level_before"], body["subject_id"]) == ("filed", "completed", result.subject_id)
    assert [o["text"] for o in head.get(base).get_json()] == ["Xin xem lại quý IV."]
    assert as_person(agency.duc).get(base).status_code == 403
    step = f"/api/v1/monthly/year-objections/{body['id']}/steps"
    assert lan.post(step, json={"step": "reject", "outcome": "Không", "version": body["version"]}).status_code == 403
    assert head.post(step, json={"step": "reject", "outcome": "Không", "version": body["version"] + 5}).status_code == 412
    answered = head.post(step, json={"step": "uphold", "outcome": "Đồng ý sau khi xác minh.", "level": "good", "version": body["version"]})
    assert answered.status_code == 200, answered.get_json()
    assert (answered.get_json()["state"], answered.get_json()["level_after"]) == ("upheld", "good")
    assert as_person(agency.lan).get(f"/api/v1/monthly/years/{result.subject_id}?cycle_id={agency.cycle.id}").get_json()["level"] == "good"
    assert head.get(f"/api/v1/monthly/years/{result.subject_id + 999}/objections?cycle_id={agency.cycle.id}").status_code == 404
