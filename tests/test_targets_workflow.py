"""The declared workflows of registrations, proposals and amendments, as tables: every
declared step is allowed from its source states, every other (step, state) pair is refused,
and guards refuse with a reason."""

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

import factories as f
from workflow.accounts.models import Role
from workflow.core.audit import AuditEntry
from workflow.core.errors import PermissionDenied, StaleObject, TransitionRefused, ValidationFailed
from workflow.extensions import db
from workflow.targets import operations
from workflow.targets.models import (
    AmendmentState,
    ChangeKind,
    ProposalState,
    RegistrationState,
    Revision,
)
from workflow.targets.workflow import AMENDMENT, PROPOSAL, REGISTRATION

S = RegistrationState
ACTOR_ROLE = {"registration.submit": "head", "registration.review": Role.STAFF, "registration.return": Role.STAFF, "registration.assign": Role.COMMITTEE}
DECISION = {"decision_number": "01-QĐ/TU", "decision_date": date(2026, 11, 20), "signer_name": "Hoàng Thế Dũng", "signer_title": "Bí thư Tỉnh ủy"}


def _ready(state: RegistrationState):
    """A complete registration (weights 100, focal, bottleneck) put in `state` directly."""
    reg = f.complete_registration()
    reg.state = state
    if state != S.DRAFT:
        from workflow.core.models import utcnow

        reg.submitted_at = utcnow()
    db.session.flush()
    return reg


def _actor(reg, action):
    role = ACTOR_ROLE[action]
    return db.session.get(f.Person, reg.head_id) if role == "head" else f.person(role)


@pytest.mark.parametrize("step, source, target, action", list(REGISTRATION.rows()), ids=lambda v: getattr(v, "value", v))
def test_every_declared_registration_step_is_allowed(step, source, target, action):
    reg = _ready(source)
    actor = _actor(reg, action)
    operations.take_step(reg, step, actor=actor, version=reg.version, reason="Lý do cụ thể", decision=DECISION)
    db.session.flush()
    assert reg.state == target
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == f"registration.{step}", AuditEntry.object_id == reg.id))
    assert entry is not None and entry.actor_id == actor.id and entry.data["to"] == target.value
    assert db.session.scalar(select(Revision).where(Revision.registration_id == reg.id).order_by(Revision.number.desc())) is not None


REFUSED = [(t.name, state) for t in REGISTRATION.transitions for state in S if state not in t.sources]


@pytest.mark.parametrize("step, state", REFUSED, ids=lambda v: getattr(v, "value", v))
def test_every_undeclared_registration_step_is_refused(step, state):
    reg = _ready(state)
    actor = _actor(reg, REGISTRATION.get(step).action)
    with pytest.raises(TransitionRefused) as info:
        operations.take_step(reg, step, actor=actor, version=reg.version, reason="Lý do", decision=DECISION)
    assert str(info.value)
    assert reg.state == state


@pytest.mark.parametrize(
    "step, source, role",
    [("submit", S.DRAFT, Role.STAFF), ("submit", S.DRAFT, Role.COMMITTEE), ("forward", S.SUBMITTED, Role.COMMITTEE),
     ("forward", S.SUBMITTED, "head"), ("assign", S.REVIEWED, Role.STAFF), ("assign", S.REVIEWED, Role.ADMIN),
     ("return", S.SUBMITTED, "head"), ("return", S.REVIEWED, Role.COUNCIL)],
)
def test_steps_are_refused_to_the_wrong_people(step, source, role):
    reg = _ready(source)
    actor = db.session.get(f.Person, reg.head_id) if role == "head" else f.person(role)
    with pytest.raises(PermissionDenied):
        operations.take_step(reg, step, actor=actor, version=reg.version, reason="Lý do", decision=DECISION)
    assert reg.state == source


def test_a_head_of_another_unit_cannot_submit():
    reg = _ready(S.DRAFT)
    with pytest.raises(PermissionDenied):
        operations.take_step(reg, "submit", actor=f.person(Role.HEAD), version=reg.version)


def test_submit_is_refused_while_weights_do_not_add_up():
    """An error on the weights, not a closed step: the head can submit, and is told beside them."""
    reg = _ready(S.DRAFT)
    reg.targets[0].weight = Decimal("30")
    db.session.flush()
    head = db.session.get(f.Person, reg.head_id)
    with pytest.raises(ValidationFailed) as info:
        operations.take_step(reg, "submit", actor=head, version=reg.version)
    assert list(info.value.errors) == ["weight"] and "90" in info.value.errors["weight"][0] and "100" in info.value.errors["weight"][0]
    assert reg.state == S.DRAFT
    (_, refusal), = [(t, r) for t, r in REGISTRATION.available(reg, head) if t.name == "submit"]
    assert refusal is None


def test_submit_is_refused_without_targets():
    reg = f.registration()
    head = db.session.get(f.Person, reg.head_id)
    with force_locale("en"), pytest.raises(TransitionRefused, match="at least one"):
        operations.take_step(reg, "submit", actor=head, version=reg.version)


def test_return_needs_a_reason_and_keeps_it():
    reg = _ready(S.SUBMITTED)
    staff = f.person(Role.STAFF)
    with pytest.raises(ValidationFailed) as info:
        operations.take_step(reg, "return", actor=staff, version=reg.version, reason="  ")
    assert "reason" in info.value.errors
    operations.take_step(reg, "return", actor=staff, version=reg.version, reason="Chỉ tiêu thu ngân sách thấp hơn năm trước")
    assert reg.state == S.RETURNED and reg.returned_reason == "Chỉ tiêu thu ngân sách thấp hơn năm trước"


def test_assign_needs_the_decision_fields():
    reg = _ready(S.REVIEWED)
    committee = f.person(Role.COMMITTEE)
    with pytest.raises(ValidationFailed) as info:
        operations.take_step(reg, "assign", actor=committee, version=reg.version, decision={})
    assert set(info.value.errors) == {"decision_number", "decision_date", "signer_name"}
    with pytest.raises(ValidationFailed) as info:
        operations.take_step(reg, "assign", actor=committee, version=reg.version, decision={**DECISION, "signer_id": f.person(Role.STAFF).id})
    assert "signer_id" in info.value.errors
    assert reg.state == S.REVIEWED


def test_assign_with_a_committee_signer_takes_their_name_and_title():
    reg = _ready(S.REVIEWED)
    signer = f.person(Role.COMMITTEE, full_name="Hoàng Thế Dũng", title="Bí thư Tỉnh ủy")
    operations.take_step(reg, "assign", actor=f.person(Role.COMMITTEE), version=reg.version,
                         decision={"decision_number": "15-QĐ/TU", "decision_date": date(2026, 11, 25), "signer_id": signer.id})
    assert (reg.signer_name, reg.signer_title, reg.signer_id, reg.decision_number) == ("Hoàng Thế Dũng", "Bí thư Tỉnh ủy", signer.id, "15-QĐ/TU")
    assert reg.assigned_at is not None


def test_assign_is_refused_while_a_proposal_is_open():
    reg = _ready(S.REVIEWED)
    operations.create_proposal(reg, {"kind": "drop", "target_id": reg.targets[2].id}, actor=f.person(Role.STAFF), reason="Trùng lặp")
    db.session.flush()
    with force_locale("en"), pytest.raises(TransitionRefused, match="proposals are still open"):
        operations.take_step(reg, "assign", actor=f.person(Role.COMMITTEE), version=reg.version, decision=DECISION)


def test_a_stale_version_is_refused_before_anything_changes():
    reg = _ready(S.DRAFT)
    head = db.session.get(f.Person, reg.head_id)
    with pytest.raises(StaleObject):
        operations.take_step(reg, "submit", actor=head, version=reg.version - 1)
    with pytest.raises(StaleObject):
        operations.take_step(reg, "submit", actor=head, version=None)
    assert reg.state == S.DRAFT


# --- proposals and amendments ----------------------------------------------------------------

def _proposal(reg_state=S.SUBMITTED):
    reg = _ready(reg_state)
    author = f.person(Role.STAFF)
    proposal = operations.create_proposal(reg, {"kind": "change", "target_id": reg.targets[0].id, "values": {"target_value": "1300", "plan_q4": "1300"}},
                                          actor=author, reason="Tiềm năng thu còn lớn")
    db.session.flush()
    return proposal, author


PROPOSAL_ACTORS = {"accept": Role.COMMITTEE, "reject": Role.COMMITTEE, "withdraw": "author"}


@pytest.mark.parametrize("step, source, target, action", list(PROPOSAL.rows()), ids=lambda v: getattr(v, "value", v))
def test_every_declared_proposal_step_is_allowed(step, source, target, action):
    proposal, author = _proposal()
    actor = author if PROPOSAL_ACTORS[step] == "author" else f.person(PROPOSAL_ACTORS[step])
    operations.decide_proposal(proposal, step, actor=actor, version=proposal.version, note="Ý kiến của Thường trực")
    assert proposal.state == target


@pytest.mark.parametrize("step", [t.name for t in PROPOSAL.transitions])
@pytest.mark.parametrize("state", [ProposalState.ACCEPTED, ProposalState.REJECTED, ProposalState.WITHDRAWN])
def test_decided_proposals_cannot_be_decided_again(step, state):
    proposal, author = _proposal()
    proposal.state = state
    actor = author if PROPOSAL_ACTORS[step] == "author" else f.person(PROPOSAL_ACTORS[step])
    with pytest.raises(TransitionRefused):
        operations.decide_proposal(proposal, step, actor=actor, version=proposal.version, note="x")


def test_proposals_are_decided_only_by_the_committee_while_under_review():
    proposal, author = _proposal()
    for person in (author, f.person(Role.STAFF), db.session.get(f.Person, proposal.registration.head_id), f.person(Role.ADMIN)):
        with pytest.raises(PermissionDenied):
            operations.decide_proposal(proposal, "accept", actor=person, version=proposal.version)
    proposal.registration.state = S.RETURNED
    with pytest.raises(PermissionDenied):
        operations.decide_proposal(proposal, "accept", actor=f.person(Role.COMMITTEE), version=proposal.version)
    with pytest.raises(PermissionDenied):
        operations.decide_proposal(proposal, "withdraw", actor=f.person(Role.STAFF), version=proposal.version)


def _amendment():
    reg = f.complete_registration("assigned")
    head = db.session.get(f.Person, reg.head_id)
    amendment = operations.request_amendment(
        reg, [{"kind": "change", "target_id": reg.targets[2].id, "values": {"title": "Tỷ lệ hồ sơ trực tuyến toàn trình"}}],
        actor=head, reason="Thay đổi chỉ tiêu theo Nghị quyết mới",
    )
    db.session.flush()
    return amendment


@pytest.mark.parametrize("step, source, target, action", list(AMENDMENT.rows()), ids=lambda v: getattr(v, "value", v))
def test_every_declared_amendment_step_is_allowed(step, source, target, action):
    amendment = _amendment()
    operations.decide_amendment(amendment, step, actor=f.person(Role.COMMITTEE), version=amendment.version, note="Đồng ý theo đề nghị")
    assert amendment.state == target


@pytest.mark.parametrize("step", [t.name for t in AMENDMENT.transitions])
@pytest.mark.parametrize("state", [AmendmentState.APPROVED, AmendmentState.REJECTED])
def test_decided_amendments_cannot_be_decided_again(step, state):
    amendment = _amendment()
    amendment.state = state
    with pytest.raises(TransitionRefused):
        operations.decide_amendment(amendment, step, actor=f.person(Role.COMMITTEE), version=amendment.version, note="x")


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN, Role.COUNCIL, "head"])
def test_amendments_are_decided_only_by_the_committee(role):
    amendment = _amendment()
    actor = db.session.get(f.Person, amendment.registration.head_id) if role == "head" else f.person(role)
    with pytest.raises(PermissionDenied):
        operations.decide_amendment(amendment, "approve", actor=actor, version=amendment.version)


def test_rejecting_needs_a_note():
    proposal, _ = _proposal()
    with pytest.raises(ValidationFailed):
        operations.decide_proposal(proposal, "reject", actor=f.person(Role.COMMITTEE), version=proposal.version, note="")
    amendment = _amendment()
    with pytest.raises(ValidationFailed):
        operations.decide_amendment(amendment, "reject", actor=f.person(Role.COMMITTEE), version=amendment.version, note=" ")


def test_change_kind_values_are_the_declared_ones():
    assert {k.value for k in ChangeKind} == {"add", "change", "drop"}


def test_every_action_named_by_the_targets_workflows_has_a_policy_rule():
    from workflow import policy

    known = set(policy.actions())
    for workflow in (REGISTRATION, PROPOSAL, AMENDMENT):
        for _, _, _, action in workflow.rows():
            assert action in known, action
