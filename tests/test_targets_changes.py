"""Changes to targets after submission: revisions with field-level before/after, the diff of
any two versions, staff proposals accepted and rejected, supplementary targets, amendments
after the official assignment, warnings and last cycle's results."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

import factories as f
from workflow.accounts.models import Role
from workflow.core.errors import PermissionDenied, TransitionRefused, ValidationFailed
from workflow.extensions import db
from workflow.targets import operations, revisions
from workflow.targets.models import Registration, RegistrationState, Revision, RevisionKind, TargetOrigin
from workflow.targets.warnings import compute_warnings, previous_results, registration_rules, warnings_for

S = RegistrationState


def _revisions(reg):
    return list(db.session.scalars(select(Revision).where(Revision.registration_id == reg.id).order_by(Revision.number)))


def test_edits_before_the_first_submission_leave_no_revision():
    reg = f.registration()
    head = db.session.get(f.Person, reg.head_id)
    target = operations.add_target(reg, dict(f.QUANTITATIVE), actor=head)
    operations.update_target(target, {"title": "Thu ngân sách nội địa"}, actor=head, version=target.version)
    operations.drop_target(target, actor=head, version=target.version)
    db.session.flush()
    assert _revisions(reg) == [] and reg.targets == []


def test_submission_writes_revision_1_as_registered():
    reg = f.complete_registration("submitted")
    (first,) = _revisions(reg)
    assert (first.number, first.kind) == (1, RevisionKind.SUBMITTED)
    assert [t["title"] for t in first.snapshot] == [t.title for t in reg.targets]
    assert first.snapshot[0]["target_value"] == "1200" and first.snapshot[0]["weight"] == "40"
    assert revisions.as_registered(reg.id).id == first.id


def test_committee_edits_are_revisions_with_field_level_changes_and_a_reason():
    reg = f.complete_registration("submitted")
    committee = f.person(Role.COMMITTEE)
    target = reg.targets[0]
    with pytest.raises(ValidationFailed) as info:
        operations.update_target(target, {"target_value": Decimal("1350")}, actor=committee, version=target.version)
    assert "reason" in info.value.errors
    operations.update_target(target, {"target_value": Decimal("1350"), "plan_q4": Decimal("1350")}, actor=committee,
                             version=target.version, reason="Nâng chỉ tiêu theo kết luận của Thường trực")
    db.session.flush()
    last = _revisions(reg)[-1]
    assert last.kind == RevisionKind.EDITED and last.actor_id == committee.id and last.reason.startswith("Nâng")
    assert {(c["field"], c["before"], c["after"]) for c in last.changes} == {("target_value", "1200", "1350"), ("plan_q4", "1200", "1350")}
    assert all(c["target_id"] == target.id and c["title"] == target.title for c in last.changes)


def test_the_head_cannot_edit_once_submitted_and_nobody_after_assignment():
    reg = f.complete_registration("submitted")
    head = db.session.get(f.Person, reg.head_id)
    with pytest.raises(PermissionDenied):
        operations.update_target(reg.targets[0], {"title": "khác"}, actor=head, version=reg.targets[0].version, reason="x")
    reg = f.complete_registration("assigned")
    for person in (db.session.get(f.Person, reg.head_id), f.person(Role.COMMITTEE), f.person(Role.STAFF)):
        with pytest.raises(PermissionDenied):
            operations.update_target(reg.targets[0], {"title": "khác"}, actor=person, version=reg.targets[0].version, reason="x")
        with pytest.raises(PermissionDenied):
            operations.add_target(reg, dict(f.QUANTITATIVE), actor=person, reason="x")


def test_a_returned_registration_is_edited_by_the_head_with_reasons_then_submitted_again():
    reg = f.complete_registration("returned")
    head = db.session.get(f.Person, reg.head_id)
    target = reg.targets[2]
    operations.drop_target(target, actor=head, version=target.version, reason="Gộp vào chỉ tiêu cải cách hành chính")
    operations.update_target(reg.targets[0], {"weight": Decimal("60")}, actor=head, version=reg.targets[0].version, reason="Bù tỷ trọng")
    operations.take_step(reg, "submit", actor=head, version=reg.version)
    db.session.flush()
    kinds = [r.kind for r in _revisions(reg)]
    assert kinds == [RevisionKind.SUBMITTED, RevisionKind.RETURNED, RevisionKind.EDITED, RevisionKind.EDITED, RevisionKind.SUBMITTED]
    assert target.dropped and target not in operations.targets_in_force(reg)
    assert _revisions(reg)[2].changes == [{"target_id": target.id, "title": target.title, "field": "dropped", "before": False, "after": True}]


def test_supplementary_targets_are_the_committees_own():
    reg = f.complete_registration("reviewed")
    committee = f.person(Role.COMMITTEE)
    values = {**f.TASK, "title": "Thành lập tổ chức đảng trong doanh nghiệp FDI", "weight": Decimal("10")}
    with pytest.raises(ValidationFailed):
        operations.supplement_target(reg, values, actor=committee, reason="")
    target = operations.supplement_target(reg, values, actor=committee, reason="Nhiệm vụ trọng tâm của tỉnh")
    db.session.flush()
    assert target.origin == TargetOrigin.SUPPLEMENTARY
    last = _revisions(reg)[-1]
    assert last.kind == RevisionKind.SUPPLEMENTED and last.changes[0]["field"] == revisions.ADDED
    with pytest.raises(PermissionDenied):
        operations.supplement_target(reg, values, actor=f.person(Role.STAFF), reason="x")


def test_accepting_a_proposal_applies_it_as_a_revision():
    reg = f.complete_registration("submitted")
    staff, committee = f.person(Role.STAFF), f.person(Role.COMMITTEE)
    target = reg.targets[0]
    proposal = operations.create_proposal(reg, {"kind": "change", "target_id": target.id, "values": {"target_value": "1300", "plan_q4": "1300"}},
                                          actor=staff, reason="Năm trước đã thu 1.250 tỷ đồng")
    db.session.flush()
    assert proposal.values == {"target_value": "1300", "plan_q4": "1300"} and target.target_value == Decimal("1200")
    operations.decide_proposal(proposal, "accept", actor=committee, version=proposal.version, note="Đồng ý")
    db.session.flush()
    assert target.target_value == Decimal("1300") and proposal.decided_by_id == committee.id
    last = _revisions(reg)[-1]
    assert last.kind == RevisionKind.PROPOSAL_ACCEPTED and "1.250" in last.reason and "Đồng ý" in last.reason
    assert {c["field"] for c in last.changes} == {"target_value", "plan_q4"}


def test_accepting_add_and_drop_proposals():
    reg = f.complete_registration("reviewed")
    staff, committee = f.person(Role.STAFF), f.person(Role.COMMITTEE)
    add = operations.create_proposal(reg, {"kind": "add", "values": {**{k: str(v) if isinstance(v, (Decimal, date)) else v for k, v in f.TASK.items()}, "title": "Đưa 160 ha đất rừng vào sử dụng", "weight": "10"}},
                                     actor=staff, reason="Điểm nghẽn về đất đai")
    drop = operations.create_proposal(reg, {"kind": "drop", "target_id": reg.targets[2].id}, actor=staff, reason="Không phải việc khó")
    db.session.flush()
    operations.decide_proposal(add, "accept", actor=committee, version=add.version)
    operations.decide_proposal(drop, "accept", actor=committee, version=drop.version)
    db.session.flush()
    titles = [t.title for t in operations.targets_in_force(reg)]
    assert "Đưa 160 ha đất rừng vào sử dụng" in titles and reg.targets[2].title not in titles
    assert next(t for t in reg.targets if t.title.startswith("Đưa 160")).origin == TargetOrigin.PROPOSAL


def test_rejecting_a_proposal_changes_nothing():
    reg = f.complete_registration("submitted")
    proposal = operations.create_proposal(reg, {"kind": "drop", "target_id": reg.targets[0].id}, actor=f.person(Role.STAFF), reason="Trùng")
    db.session.flush()
    before = len(_revisions(reg))
    operations.decide_proposal(proposal, "reject", actor=f.person(Role.COMMITTEE), version=proposal.version, note="Giữ nguyên chỉ tiêu")
    db.session.flush()
    assert proposal.decision_note == "Giữ nguyên chỉ tiêu" and not reg.targets[0].dropped and len(_revisions(reg)) == before


@pytest.mark.parametrize("item, field", [
    ({"kind": "change", "target_id": None, "values": {"title": "x"}}, "target_id"),
    ({"kind": "change", "values": {}}, "target_id"),
    ({"kind": "add", "values": {"title": "Thiếu loại"}}, "values.kind"),
    ({"kind": "add", "values": {**{k: str(v) for k, v in f.QUANTITATIVE.items()}, "weight": "-5"}}, "values.weight"),
])
def test_proposals_are_validated_field_by_field(item, field):
    reg = f.complete_registration("submitted")
    with pytest.raises(ValidationFailed) as info:
        operations.create_proposal(reg, item, actor=f.person(Role.STAFF), reason="Lý do")
    assert field in info.value.errors


def test_a_change_proposal_must_change_something_and_keep_the_target_valid():
    reg = f.complete_registration("submitted")
    staff = f.person(Role.STAFF)
    target = reg.targets[0]
    with pytest.raises(ValidationFailed) as info:
        operations.create_proposal(reg, {"kind": "change", "target_id": target.id, "values": {"target_value": "1200"}}, actor=staff, reason="x")
    assert "values" in info.value.errors
    with pytest.raises(ValidationFailed) as info:
        operations.create_proposal(reg, {"kind": "change", "target_id": target.id, "values": {"target_value": "1000"}}, actor=staff, reason="x")
    assert "values.target_value" in info.value.errors  # equal to the baseline


def test_diff_between_as_registered_and_as_assigned():
    reg = f.complete_registration("submitted")
    committee = f.person(Role.COMMITTEE)
    operations.update_target(reg.targets[0], {"title": "Thu ngân sách nội địa"}, actor=committee, version=reg.targets[0].version, reason="Rõ hơn")
    operations.drop_target(reg.targets[2], actor=committee, version=reg.targets[2].version, reason="Bỏ")
    operations.supplement_target(reg, {**f.TASK, "title": "Làng văn hóa kiểu mẫu", "weight": Decimal("20")}, actor=committee, reason="Bổ sung")
    operations.take_step(reg, "forward", actor=f.person(Role.STAFF), version=reg.version)
    operations.take_step(reg, "assign", actor=committee, version=reg.version,
                         decision={"decision_number": "9-QĐ/TU", "decision_date": date(2026, 11, 20), "signer_name": "A"})
    db.session.flush()
    before, after = revisions.default_keys(reg)
    assert before == "1" and after == str(revisions.as_assigned(reg.id).number)
    diff = revisions.diff(revisions.version(reg, before), revisions.version(reg, after))
    status = {row.title: row.status for row in diff.rows}
    assert status == {"Thu ngân sách nội địa": "changed", reg.targets[1].title: "same", reg.targets[2].title: "removed", "Làng văn hóa kiểu mẫu": "added"}
    changed = next(r for r in diff.rows if r.status == "changed")
    assert [c["field"] for c in changed.fields if c["changed"]] == ["title"]
    assert diff.counts == {"added": 1, "removed": 1, "changed": 1, "same": 1}


def test_diff_of_unknown_versions_is_refused():
    from workflow.core.errors import NotFound

    reg = f.complete_registration("submitted")
    with pytest.raises(NotFound):
        revisions.version(reg, "99")
    with pytest.raises(ValidationFailed):
        revisions.version(reg, "abc")


# --- amendments ------------------------------------------------------------------------------

def test_an_approved_amendment_changes_the_targets_in_force_and_keeps_the_assigned_version():
    reg = f.complete_registration("assigned")
    head = db.session.get(f.Person, reg.head_id)
    assigned = revisions.as_assigned(reg.id)
    items = [
        {"kind": "drop", "target_id": reg.targets[2].id},
        {"kind": "change", "target_id": reg.targets[0].id, "values": {"weight": "60"}},
    ]
    amendment = operations.request_amendment(reg, items, actor=head, reason="Chỉ tiêu không còn phù hợp sau sáp nhập")
    db.session.flush()
    assert not reg.targets[2].dropped  # nothing changes before the decision
    operations.decide_amendment(amendment, "approve", actor=f.person(Role.COMMITTEE), version=amendment.version, note="Đồng ý",
                                decision_number="45-QĐ/TU", decision_date=date(2027, 7, 1))
    db.session.flush()
    assert [t.id for t in operations.targets_in_force(reg)] == [reg.targets[0].id, reg.targets[1].id]
    assert reg.targets[0].weight == Decimal("60") and amendment.decision_number == "45-QĐ/TU"
    last = _revisions(reg)[-1]
    assert last.kind == RevisionKind.AMENDED and len(last.changes) == 2
    assert revisions.as_assigned(reg.id).id == assigned.id and len(assigned.snapshot) == 3
    assert reg.state == S.ASSIGNED


def test_an_amendment_that_breaks_the_weights_cannot_be_approved():
    reg = f.complete_registration("assigned")
    amendment = operations.request_amendment(reg, [{"kind": "drop", "target_id": reg.targets[2].id}], actor=f.person(Role.COMMITTEE), reason="Bỏ")
    db.session.flush()
    with pytest.raises(TransitionRefused, match="80"):
        operations.decide_amendment(amendment, "approve", actor=f.person(Role.COMMITTEE), version=amendment.version)


def test_a_rejected_amendment_changes_nothing():
    reg = f.complete_registration("assigned")
    amendment = operations.request_amendment(reg, [{"kind": "change", "target_id": reg.targets[0].id, "values": {"title": "Khác"}}],
                                             actor=db.session.get(f.Person, reg.head_id), reason="Đổi tên")
    db.session.flush()
    operations.decide_amendment(amendment, "reject", actor=f.person(Role.COMMITTEE), version=amendment.version, note="Không có căn cứ")
    assert reg.targets[0].title == f.QUANTITATIVE["title"] and amendment.state.value == "rejected"


def test_amendments_only_after_assignment_and_items_are_checked():
    reg = f.complete_registration("reviewed")
    with pytest.raises(PermissionDenied):
        operations.request_amendment(reg, [{"kind": "drop", "target_id": reg.targets[0].id}], actor=f.person(Role.COMMITTEE), reason="x")
    reg = f.complete_registration("assigned", cycle=f.year(2026))
    head = db.session.get(f.Person, reg.head_id)
    with pytest.raises(ValidationFailed) as info:
        operations.request_amendment(reg, [{"kind": "drop", "target_id": reg.targets[0].id}, {"kind": "change", "target_id": 999999, "values": {}}],
                                     actor=head, reason="x")
    assert "items.1.target_id" in info.value.errors
    with pytest.raises(PermissionDenied):
        operations.request_amendment(reg, [{"kind": "drop", "target_id": reg.targets[0].id}], actor=f.person(Role.STAFF), reason="x")


def test_the_requester_adds_changes_to_an_open_amendment():
    reg = f.complete_registration("assigned")
    head = db.session.get(f.Person, reg.head_id)
    amendment = operations.request_amendment(reg, [{"kind": "drop", "target_id": reg.targets[2].id}], actor=head, reason="Bỏ chỉ tiêu")
    db.session.flush()
    operations.add_amendment_item(amendment, {"kind": "change", "target_id": reg.targets[0].id, "values": {"weight": "60"}}, actor=head, version=amendment.version)
    db.session.flush()
    assert [i["kind"] for i in amendment.items] == ["drop", "change"]
    with pytest.raises(PermissionDenied):
        operations.add_amendment_item(amendment, {"kind": "drop", "target_id": reg.targets[1].id}, actor=f.person(Role.COMMITTEE), version=amendment.version)
    operations.decide_amendment(amendment, "approve", actor=f.person(Role.COMMITTEE), version=amendment.version)
    assert reg.targets[2].dropped


# --- warnings and last cycle's results -------------------------------------------------------

def _codes(reg):
    return sorted(w.code for w in warnings_for(reg))


def test_a_complete_registration_has_no_warnings():
    assert _codes(f.complete_registration()) == []


def test_warnings():
    reg = f.registration()
    assert _codes(reg) == ["too_few", "weights"]
    f.target(reg, weight=Decimal("30"), baseline=Decimal("1300"), plan_q2=Decimal("200"))  # worse than baseline, plan goes down
    f.target(reg, kind="task", weight=Decimal("30"))
    f.target(reg, weight=Decimal("30"), plan_q4=Decimal("1100"))  # plan ends below the target
    assert _codes(reg) == ["no_bottleneck", "no_focal", "no_improvement", "plan_end", "plan_not_monotone", "weights"]
    warning = next(w for w in warnings_for(reg) if w.code == "no_improvement")
    assert warning.target_id == reg.targets[0].id and "1.300" in warning.message  # numbers in the reader's locale


def test_lower_is_better_targets():
    reg = f.complete_registration()
    t = reg.targets[2]
    t.direction, t.baseline, t.target_value = "lower", Decimal("5"), Decimal("3")
    t.plan_q1, t.plan_q2, t.plan_q3, t.plan_q4 = Decimal("4.5"), Decimal("4"), Decimal("3.5"), Decimal("3")
    db.session.flush()
    db.session.expire(t)
    assert _codes(reg) == []
    t.target_value = Decimal("6")
    assert "no_improvement" in _codes(reg)


def test_thresholds_come_from_the_cycles_rules():
    reg = f.registration()
    rules = {**registration_rules(reg.cycle), "min_targets": 0, "require_focal": False, "require_bottleneck": False, "weight_total": 100}
    f.target(reg, weight=Decimal("100"))
    assert compute_warnings(reg.targets, rules, {}) == []
    assert [w.code for w in compute_warnings(reg.targets, {**rules, "weight_total": 90}, {})] == ["weights"]


def test_previous_results_and_the_warning_against_last_cycle():
    head = f.person(Role.HEAD)
    last = f.registration(cycle=f.year(2026), head=head)
    old = f.target(last, target_value=Decimal("1250"))
    reg = f.complete_registration(head=head)
    reg.targets[0].previous_target_id = old.id
    db.session.flush()
    assert previous_results(reg.targets) == {reg.targets[0].id: Decimal("1250")}
    assert "below_previous" in _codes(reg)
    reg.targets[0].target_value = reg.targets[0].plan_q4 = Decimal("1300")
    assert "below_previous" not in _codes(reg)


def test_previous_target_must_be_the_same_units_earlier_target():
    head = f.person(Role.HEAD)
    reg = f.registration(head=head)
    other = f.target(f.registration(cycle=f.year(2026)))
    with pytest.raises(ValidationFailed) as info:
        operations.add_target(reg, {**f.QUANTITATIVE, "previous_target_id": other.id}, actor=head)
    assert "previous_target_id" in info.value.errors


def test_only_one_registration_per_cycle_and_unit():
    reg = f.registration()
    head = db.session.get(f.Person, reg.head_id)
    with pytest.raises(ValidationFailed):
        operations.create_registration(reg.cycle, reg.unit, actor=head)
    assert db.session.query(Registration).count() == 1
