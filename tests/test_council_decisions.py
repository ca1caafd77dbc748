"""Proposals, the session, the committee's decisions, publication and objections, through the
council package and the database: level boundaries and the quota with ties on the proposal
list, quorum, immutable decisions, the override reason, the objection window."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

import factories as f
from council_support import at, council, finalised, open_scoring, reported_registration, score
from workflow.accounts.models import Role
from workflow.core.errors import PermissionDenied, TransitionRefused, ValidationFailed
from workflow.council import operations, proposals, queries
from workflow.council.models import DisciplineRecord, ImmutableRow, ObjectionState, SessionState
from workflow.cycles import operations as cycles
from workflow.extensions import db
from workflow.notifications.models import Notification

RESULT_60 = "60"  # every target's result overridden to 60%: 70 × 60% = 42 task points


def _results_at(registration, percent: str) -> dict:
    return {str(t.id): {"overrides": [{"figure": "result_percent", "value": percent, "reason": "Đánh giá lại chất lượng sản phẩm"}]}
            for t in registration.targets}


def _split(points: Decimal) -> tuple[str, str, str]:
    """General scores (at most 10 each) adding up to `points`."""
    first = min(points, Decimal(10))
    second = min(points - first, Decimal(10))
    return str(first), str(second), str(points - first - second)


@pytest.fixture
def boundaries(app):
    """Heads whose panel scores sit on each side of every level boundary."""
    cycle = f.year(2027)
    wanted = {
        "90": ("1300", None, Decimal(20)),  # 70 task points + 20
        "89.99": ("1300", None, Decimal("19.99")),
        "70": ("1200", RESULT_60, Decimal(28)),  # 42 task points + 28
        "69.99": ("1200", RESULT_60, Decimal("27.99")),
        "50": ("1200", RESULT_60, Decimal(8)),
        "49.99": ("1200", RESULT_60, Decimal("7.99")),
    }
    regs = {label: reported_registration(cycle, actual=actual) for label, (actual, _, _) in wanted.items()}
    open_scoring(cycle)
    seat = council(cycle, members=1)["m1"]
    for label, (_, result, general) in wanted.items():
        card = score(seat, regs[label], general=_split(general), judgements=_results_at(regs[label], result) if result else None)
        assert card.total == Decimal(label)
    return cycle, regs


def test_every_level_boundary_on_the_proposal_list(boundaries):
    cycle, regs = boundaries
    panel = proposals.compute(cycle)
    levels = {label: panel.proposal(r.id).classification.level for label, r in regs.items()}
    assert levels == {"90": "excellent", "89.99": "good", "70": "good", "69.99": "completed", "50": "completed", "49.99": "not_completed"}
    assert panel.proposal(regs["90"].id).panel.score == Decimal("90.00")
    # Each head is alone in its group here: 20% of one is no place, so the quota proposes
    # the excellent head as good and says why.
    excellent = panel.proposal(regs["90"].id)
    assert excellent.quota.status.value == "demoted" and excellent.level == "good" and excellent.quota.allowance == 0


def test_extra_conditions_late_task_and_discipline(app):
    cycle = f.year(2027)
    late = reported_registration(cycle, actual="1300", delivered_on=date(2027, 10, 5))
    disciplined = reported_registration(cycle, actual="1300")
    open_scoring(cycle)
    seats = council(cycle, members=1)
    secretary = seats["secretary"].person
    for registration in (late, disciplined):
        score(seats["m1"], registration, general=("10", "10", "10"))
    operations.record_discipline(disciplined, actor=secretary, reference="15-QĐ/UBKTTU ngày 10/6/2027", reason="Khiển trách")
    db.session.flush()
    panel = proposals.compute(cycle)
    # The late task: 5 days late costs one delay (25% of its result: 70 − 70 × 40% × 25% = 63
    # task points), fails "100% on time" (excellent, good) and puts 33% of the targets behind
    # schedule, above the 20% "completed" allows.
    p_late = panel.proposal(late.id)
    assert p_late.panel.score == Decimal("93.00") and p_late.level == "not_completed"
    failed = {(c.level, c.condition) for c in p_late.classification.failed}
    assert failed == {("excellent", "min_on_time_percent"), ("good", "min_on_time_percent"), ("completed", "max_late_percent")}
    # Disciplined in the year: every level but the lowest refuses the head.
    p_disc = panel.proposal(disciplined.id)
    assert p_disc.panel.score == Decimal("100.00") and p_disc.level == "not_completed"
    with pytest.raises(PermissionDenied):
        operations.record_discipline(late, actor=seats["m1"].person, reference="x", reason="y")


def test_discipline_cannot_change_once_the_list_is_final_or_published(app, as_person, english):
    """A published result changes only through an objection or a new decision version: the
    secretary can neither record nor remove a discipline record then (nor while the list is
    final), through the operation, the page or the API, and the page offers no such form."""
    from council_support import published

    cycle = f.year(2027)
    clean, disciplined = reported_registration(cycle), reported_registration(cycle)
    open_scoring(cycle)
    seats = council(cycle, members=1)
    secretary = seats["secretary"].person
    for registration in (clean, disciplined):
        score(seats["m1"], registration)
    record = operations.record_discipline(disciplined, actor=secretary, reference="15-QĐ/UBKTTU", reason="Khiển trách")
    session = published(cycle, [clean, disciplined], seats)
    assert session.state == SessionState.PUBLISHED
    with pytest.raises(TransitionRefused, match="published"):
        operations.record_discipline(clean, actor=secretary, reference="16-QĐ/UBKTTU", reason="Cảnh cáo")
    with pytest.raises(TransitionRefused, match="published"):
        operations.remove_discipline(record, actor=secretary, reason="Nhầm")
    web = as_person(secretary)
    assert web.post(f"/council/results/{clean.id}/discipline", data={"reference": "16-QĐ/UBKTTU", "reason": "Cảnh cáo"}).status_code == 409
    assert web.post(f"/council/results/{disciplined.id}/discipline", data={"remove": "1", "reason": "Nhầm"}).status_code == 409
    api = f.api_headers(secretary)
    assert web.post(f"/api/v1/council/registrations/{clean.id}/discipline", json={"reference": "16", "reason": "Cảnh cáo"}, headers=api).status_code == 409
    assert web.delete(f"/api/v1/council/registrations/{disciplined.id}/discipline", json={"reason": "Nhầm"}, headers=api).status_code == 409
    page = web.get(f"/council/results/{disciplined.id}").get_data(as_text=True)
    assert 'name="remove"' not in page and "chỉ thay đổi qua kiến nghị" in page
    assert 'name="reference"' not in web.get(f"/council/results/{clean.id}").get_data(as_text=True)
    assert db.session.scalar(select(DisciplineRecord.registration_id)) == disciplined.id


def test_discipline_waits_for_the_chair_to_reopen_a_final_list(app, english):
    cycle = f.year(2027)
    registration = reported_registration(cycle)
    open_scoring(cycle)
    seats = council(cycle, members=1)
    score(seats["m1"], registration)
    session = finalised(cycle, seats)
    with pytest.raises(TransitionRefused, match="reopen"):
        operations.record_discipline(registration, actor=seats["secretary"].person, reference="15", reason="Khiển trách")
    operations.reopen_session(session, actor=seats["chair"].person, version=session.version, reason="Bổ sung kỷ luật")
    operations.record_discipline(registration, actor=seats["secretary"].person, reference="15", reason="Khiển trách")


@pytest.fixture
def quota(app):
    """Five heads of one group qualify as excellent (93, 93, 92, 91, 90): the quota allows one
    (20% of five), and the two 93s tie at the cut."""
    cycle = f.year(2027)
    group = f.group()
    regs = [reported_registration(cycle, actual="1300", unit=f.unit(group=group)) for _ in range(5)]
    open_scoring(cycle)
    seats = council(cycle, members=2)
    for registration, general in zip(regs, ("23", "23", "22", "21", "20"), strict=True):
        for name in ("m1", "m2", "chair"):
            score(seats[name], registration, general=_split(Decimal(general)))
    return cycle, regs, seats


def test_quota_with_ties_is_left_to_the_committee(quota):
    cycle, regs, seats = quota
    panel = proposals.compute(cycle)
    statuses = [(panel.proposal(r.id).quota.status.value, panel.proposal(r.id).level) for r in regs]
    assert statuses == [("tie", None), ("tie", None), ("demoted", "good"), ("demoted", "good"), ("demoted", "good")]
    tie = panel.proposal(regs[0].id)
    assert tie.needs_discussion and tie.quota.options == ("excellent", "good") and tie.quota.tied_with == (regs[1].id,)
    # What if the quota were 40%: two places, both 93s keep excellent; nothing is saved.
    change = panel.what_if({"quota.max_percent": 40})
    assert {(c.head, c.after) for c in change.changes} == {(regs[0].id, "excellent"), (regs[1].id, "excellent")}
    assert cycle.rules["rubric"]["quota"]["max_percent"] == "20"


def test_quorum_is_needed_to_finalise(quota):
    cycle, regs, seats = quota
    secretary, chair = seats["secretary"].person, seats["chair"].person
    session = operations.open_session(cycle, actor=secretary, held_on=date(2028, 1, 15))
    db.session.flush()
    present = [seats[n].id for n in ("chair", "secretary", "m1")]  # 3 of 4: 2/3 of 4 needs 3
    operations.update_session(session, actor=secretary, version=session.version, held_on=session.held_on, place="", notes="", attendee_ids=present[:2])
    db.session.flush()
    with pytest.raises(TransitionRefused) as refused:
        operations.finalise_session(session, actor=chair, version=session.version)
    status = queries.quorum_status(session)
    assert (status.present, status.total, status.needed, status.met) == (2, 4, 3, False)
    assert "2/3" in refused.value.message
    with pytest.raises(PermissionDenied):
        operations.finalise_session(session, actor=secretary, version=session.version)
    operations.update_session(session, actor=secretary, version=session.version, held_on=session.held_on, place="", notes="", attendee_ids=present)
    db.session.flush()
    assert queries.quorum_status(session).met
    assert operations.finalise_session(session, actor=chair, version=session.version) == 5
    assert session.state == SessionState.FINALISED and session.round == 1
    frozen = queries.frozen_proposals(session)
    assert frozen[regs[0].id].flags == ["tie"] and frozen[regs[0].id].options == ["excellent", "good"]
    # Scores cannot move under a final list.
    card = queries.scorecard(seats["m1"].id, regs[0].id)
    with pytest.raises(TransitionRefused):
        operations.reopen_scorecard(card, actor=secretary, version=card.version, reason="Sửa")


def test_decisions_need_a_reason_to_differ_are_versioned_and_immutable(quota):
    cycle, regs, seats = quota
    session = finalised(cycle, seats)
    committee = f.person(Role.COMMITTEE)
    frozen = queries.frozen_proposals(session)
    with pytest.raises(PermissionDenied):
        operations.decide(frozen[regs[2].id], actor=seats["chair"].person, level=None)
    assert operations.accept_all(session, actor=committee) == 3  # the two ties are left
    with pytest.raises(ValidationFailed) as tie:
        operations.decide(frozen[regs[0].id], actor=committee, level=None)
    assert "level" in tie.value.errors
    with pytest.raises(ValidationFailed) as no_reason:
        operations.decide(frozen[regs[0].id], actor=committee, level="excellent")
    assert "reason" in no_reason.value.errors
    operations.decide(frozen[regs[0].id], actor=committee, level="excellent", reason="Hoàn thành nhiệm vụ trọng điểm sớm 2 tháng")
    operations.decide(frozen[regs[1].id], actor=committee, level="good", reason="Chỉ tiêu điểm nghẽn đạt thấp hơn")
    db.session.flush()
    # Changing one's mind is a new version; the first stays as it was.
    operations.decide(frozen[regs[2].id], actor=committee, level="completed", reason="Có sai phạm được phát hiện sau phiên họp")
    db.session.flush()
    history = queries.decision_history(regs[2].id)
    assert [(d.number, d.level, d.follows_proposal) for d in history] == [(1, "good", True), (2, "completed", False)]
    first = history[0]
    first.level = "excellent"
    with pytest.raises(ImmutableRow):
        db.session.flush()
    db.session.rollback()


def test_reopening_is_refused_once_the_committee_decided(quota):
    cycle, regs, seats = quota
    session = finalised(cycle, seats)
    chair = seats["chair"].person
    operations.reopen_session(session, actor=chair, version=session.version, reason="Thành viên xin chấm lại")
    db.session.flush()
    assert session.state == SessionState.OPEN
    operations.finalise_session(session, actor=chair, version=session.version)
    db.session.flush()
    assert session.round == 2
    operations.decide(queries.frozen_proposals(session)[regs[2].id], actor=f.person(Role.COMMITTEE), level=None)
    db.session.flush()
    with pytest.raises(TransitionRefused):
        operations.reopen_session(session, actor=chair, version=session.version, reason="Lại")


def test_publish_tells_every_head_and_objections_keep_to_the_window(quota, smtp):
    cycle, regs, seats = quota
    session = finalised(cycle, seats)
    committee = f.person(Role.COMMITTEE)
    operations.accept_all(session, actor=committee)
    db.session.flush()
    with pytest.raises(TransitionRefused):  # the ties are not decided yet
        operations.publish(session, actor=committee, version=session.version)
    frozen = queries.frozen_proposals(session)
    operations.decide(frozen[regs[0].id], actor=committee, level="excellent", reason="Bốc thăm không phù hợp; chọn theo kết quả điểm nghẽn")
    operations.decide(frozen[regs[1].id], actor=committee, level="good", reason="Theo kết quả điểm nghẽn")
    db.session.flush()
    published_at = at(date(2028, 2, 1))
    assert operations.publish(session, actor=committee, version=session.version, now=published_at) == 5
    db.session.flush()
    assert session.objection_deadline == date(2028, 2, 11)
    mails = db.session.scalars(select(Notification).where(Notification.kind == "council_result")).all()
    assert sorted(m.recipient_id for m in mails) == sorted(r.head_id for r in regs)
    head = f.head_of(regs[2])
    with pytest.raises(PermissionDenied):
        operations.file_objection(regs[2], "Không đồng ý", actor=f.head_of(regs[3]), now=published_at)
    with pytest.raises(TransitionRefused) as late:
        operations.file_objection(regs[2], "Không đồng ý", actor=head, now=at(date(2028, 2, 12)))
    assert "11/02/2028" in late.value.message
    objection = operations.file_objection(regs[2], "Điểm chỉ tiêu thu ngân sách chưa tính số thu được xác nhận bổ sung", actor=head,
                                          now=at(date(2028, 2, 11), 16))
    db.session.flush()
    with pytest.raises(TransitionRefused):
        operations.file_objection(regs[2], "Thêm", actor=head, now=at(date(2028, 2, 11), 16))
    with pytest.raises(ValidationFailed):
        operations.decide_objection(objection, "uphold", actor=committee, version=objection.version, outcome="Đồng ý", level="good")
    decision = operations.decide_objection(objection, "uphold", actor=committee, version=objection.version,
                                           outcome="Số thu bổ sung được Kho bạc xác nhận; xếp loại lại", level="excellent")
    db.session.flush()
    assert objection.state == ObjectionState.UPHELD and decision.number == 2 and decision.objection_id == objection.id
    assert queries.latest_decision(regs[2].id).level == "excellent"
    answer = db.session.scalar(select(Notification).where(Notification.kind == "objection_decided"))
    assert answer.recipient_id == head.id and "Kho bạc" in answer.body_text
    # The cycle closes once everything is answered.
    admin = f.person(Role.ADMIN)
    cycles.advance_cycle(cycle, "close", actor=admin, version=cycle.version)


def test_cycle_does_not_close_before_publication(quota):
    cycle, regs, seats = quota
    with pytest.raises(TransitionRefused):
        cycles.advance_cycle(cycle, "close", actor=f.person(Role.ADMIN), version=cycle.version)
