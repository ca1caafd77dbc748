"""Scorecards through the council package and the database: the worked example from real
registrations and accepted reports to task points, overrides with reasons, submission and
reopening, recusal, the rubric snapshot."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

import factories as f
from council_support import council, open_scoring, reported_registration, score
from workflow.accounts.models import Role
from workflow.core.audit import AuditEntry
from workflow.core.errors import PermissionDenied, TransitionRefused, ValidationFailed
from workflow.council import operations, queries
from workflow.council.models import ScorecardState
from workflow.council.rules import rubric_of
from workflow.cycles import operations as cycles
from workflow.cycles.models import CycleState
from workflow.extensions import db
from workflow.notifications.models import Notification
from workflow.targets.models import TargetKind
from workflow.settings import PROJECT_ROOT


@pytest.fixture
def worked(app):
    """Revenue 1000 → 1200 reached 1150; the task delivered 15 days late; the percentage
    90 → 95 reached 93.5."""
    cycle = f.year(2027)
    registration = reported_registration(cycle, actual="1150", percent="93.5", delivered_on=date(2027, 10, 15))
    open_scoring(cycle)
    return cycle, registration


def _ids(registration):
    by = {}
    for t in registration.targets:
        by["task" if t.kind == TargetKind.TASK else ("percent" if t.measure == "%" else "revenue")] = str(t.id)
    return by


def test_worked_example_by_hand(worked):
    cycle, registration = worked
    seats = council(cycle, members=1)
    ids = _ids(registration)
    # By hand, with the default rubric (quality × quantity × timeliness; 25% per error or delay):
    #   revenue:    (1150 − 1000) / (1200 − 1000) = 75%                          → result 75%
    #   task:       done, 15 days late: timeliness 100%, the late delivery is one delay → 75%
    #   percentage: (93.5 − 90) / (95 − 90) = 70%; the member records one major error → 52.5%
    #   weighted:   0.4 × 75 + 0.4 × 75 + 0.2 × 52.5 = 70.5%  → 70 points × 70.5% = 49.35
    #   general:    9 + 8.5 + 8 = 25.5                         → total 74.85
    # Level: 74.85 ≥ 70, but only the task is done, and late (0 of 3 on time): not "good"
    # (100% on time) nor "completed" (100% done): "not_completed".
    card = score(seats["m1"], registration, general=("9", "8.5", "8"), judgements={ids["percent"]: {"errors": 1}})
    assert card.state == ScorecardState.SUBMITTED
    assert card.task_points == Decimal("49.35")
    assert card.general_points == Decimal("25.5")
    assert card.total == Decimal("74.85")
    assert card.level == "not_completed"
    assert (card.n_targets, card.n_done, card.n_on_time, card.n_late) == (3, 1, 0, 3)
    evaluation, complete = operations.preview(card, {"general": card.general, "judgements": card.judgements}, actor=seats["m1"].person)
    lines = {r.code: r for r in evaluation.results}
    assert complete
    assert lines[ids["revenue"]].quantity_percent == Decimal("75.00")
    assert lines[ids["task"]].delays == 1 and lines[ids["task"]].result_percent == Decimal("75.00")
    assert lines[ids["percent"]].quantity_percent == Decimal("70.00") and lines[ids["percent"]].result_percent == Decimal("52.50")


def test_override_needs_a_reason_and_is_kept_with_its_author(worked):
    cycle, registration = worked
    seats = council(cycle, members=1)
    member = seats["m1"]
    ids = _ids(registration)
    card = operations.open_scorecard(member, registration, actor=member.person)
    db.session.flush()
    with pytest.raises(ValidationFailed) as refused:
        operations.save_scorecard(card, {"judgements": {ids["revenue"]: {"overrides": [{"figure": "quantity_percent", "value": "90", "reason": "  "}]}}},
                                  actor=member.person, version=card.version)
    assert f"judgements.{ids['revenue']}.overrides.quantity_percent" in refused.value.errors
    operations.save_scorecard(card, {"general": {"political": "9", "ethics": "9", "discipline": "9"},
                                     "judgements": {ids["revenue"]: {"overrides": [{"figure": "quantity_percent", "value": "90",
                                                                                    "reason": "Số thu quý IV được Kho bạc xác nhận bổ sung"}]}}},
                              actor=member.person, version=card.version)
    db.session.flush()
    override = card.judgements[ids["revenue"]]["overrides"][0]
    assert override["by"] == member.person.full_name and override["reason"].startswith("Số thu")
    operations.submit_scorecard(card, actor=member.person, version=card.version)
    # 0.4 × 90 + 0.4 × 75 + 0.2 × 70 = 80% of 70 = 56 points, + 27
    assert card.total == Decimal("83.00")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "council.scorecard.save", AuditEntry.object_id == card.id).order_by(AuditEntry.id.desc()))
    assert entry.data["overrides"][0]["reason"].startswith("Số thu")


def test_general_scores_respect_the_rubric_limits(worked):
    cycle, registration = worked
    member = council(cycle, members=1)["m1"]
    card = operations.open_scorecard(member, registration, actor=member.person)
    db.session.flush()
    with pytest.raises(ValidationFailed) as refused:
        operations.save_scorecard(card, {"general": {"political": "10.5", "ethics": "abc", "discipline": "9.123"}}, actor=member.person, version=card.version)
    assert set(refused.value.errors) == {"general.political", "general.ethics", "general.discipline"}
    operations.save_scorecard(card, {"general": {"political": "10"}}, actor=member.person, version=card.version)
    db.session.flush()
    with pytest.raises(ValidationFailed) as incomplete:
        operations.submit_scorecard(card, actor=member.person, version=card.version)
    assert set(incomplete.value.errors) == {"general.ethics", "general.discipline"}


def test_submitted_card_is_locked_until_the_secretary_reopens_it(worked, smtp):
    cycle, registration = worked
    seats = council(cycle, members=1)
    member, secretary = seats["m1"], seats["secretary"]
    card = score(member, registration)
    with pytest.raises(TransitionRefused):
        operations.save_scorecard(card, {"general": {"political": "5"}}, actor=member.person, version=card.version)
    with pytest.raises(PermissionDenied):
        operations.reopen_scorecard(card, actor=member.person, version=card.version, reason="Tự mở")
    with pytest.raises(ValidationFailed):
        operations.reopen_scorecard(card, actor=secretary.person, version=card.version, reason=" ")
    operations.reopen_scorecard(card, actor=secretary.person, version=card.version, reason="Thành viên đề nghị chấm lại tiêu chí đạo đức")
    db.session.flush()
    assert card.state == ScorecardState.REOPENED
    mail = db.session.scalar(select(Notification).where(Notification.recipient_id == member.person_id, Notification.kind == "scorecard_reopened"))
    assert mail is not None and "chấm lại" in mail.body_text
    operations.save_scorecard(card, {"general": {"political": "8", "ethics": "9", "discipline": "8"}}, actor=member.person, version=card.version)
    db.session.flush()
    operations.submit_scorecard(card, actor=member.person, version=card.version)
    assert card.state == ScorecardState.SUBMITTED and card.general_points == Decimal("25")


def test_recusal_self_own_unit_and_declared_conflict(app):
    cycle = f.year(2027)
    own = reported_registration(cycle)
    chair_person = f.head_of(own)  # the chair heads a unit that is evaluated
    colleague_unit = reported_registration(cycle)
    other = reported_registration(cycle)
    open_scoring(cycle)
    deputy = f.person(Role.COUNCIL, unit=colleague_unit.unit)
    seats = council(cycle, members=2, chair=chair_person, m1=deputy)
    chair, m1, m2 = seats["chair"], seats["m1"], seats["m2"]
    assert queries.recusal(chair, own) == queries.Recusal.SELF
    assert queries.recusal(m1, colleague_unit) == queries.Recusal.OWN_UNIT
    assert queries.recusal(m2, other) is None
    for member, registration in ((chair, own), (m1, colleague_unit)):
        with pytest.raises(PermissionDenied):
            operations.open_scorecard(member, registration, actor=member.person)
    card = score(m2, other, submit=False)
    with pytest.raises(ValidationFailed):
        operations.declare_conflict(m2, other, "", actor=m2.person)
    with pytest.raises(PermissionDenied):
        operations.declare_conflict(m2, other, "Anh em ruột", actor=m1.person)
    operations.declare_conflict(m2, other, "Vợ của thành viên là cấp phó của người được đánh giá", actor=m2.person)
    db.session.flush()
    assert queries.recusal(m2, other) == queries.Recusal.CONFLICT
    assert db.session.get(type(card), card.id) is None  # the draft started before is withdrawn
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "council.member.declare_conflict"))
    assert entry.reason.startswith("Vợ") and entry.data["withdrawn_card"]["state"] == "draft"
    with pytest.raises(PermissionDenied):
        operations.open_scorecard(m2, other, actor=m2.person)
    slots = queries.slots(cycle.id, queries.members(cycle.id), queries.heads(cycle.id))
    assert slots[(chair.id, own.id)].state == "recused" and slots[(m2.id, other.id)].recusal == queries.Recusal.CONFLICT


def test_one_chair_and_one_secretary(app):
    cycle = f.year(2027)
    seats = council(cycle, members=0)
    admin = f.person(Role.ADMIN)
    with pytest.raises(ValidationFailed) as refused:
        operations.appoint_member(cycle, f.person(Role.COUNCIL), "chair", actor=admin)
    assert "position" in refused.value.errors
    with pytest.raises(ValidationFailed):
        operations.appoint_member(cycle, seats["secretary"].person, "member", actor=admin)
    with pytest.raises(ValidationFailed) as no_role:
        operations.appoint_member(cycle, f.person(Role.STAFF), "member", actor=admin)
    assert "person_id" in no_role.value.errors
    with pytest.raises(PermissionDenied):
        operations.appoint_member(cycle, f.person(Role.COUNCIL), "member", actor=seats["chair"].person)


def test_rubric_is_snapshotted_when_scoring_opens_and_read_back(app, tmp_path):
    cycle = f.cycle(2031, state=CycleState.EXECUTION)
    admin = f.person(Role.ADMIN)
    assert "rubric" not in cycle.rules
    cycles.advance_cycle(cycle, "open_scoring", actor=admin, version=cycle.version, reason="Hội đồng họp sớm theo kế hoạch của Ban Thường vụ")
    db.session.flush()
    snapshot = cycle.rules["rubric"]
    assert snapshot["levels"][0]["min_points"] == "90"
    # An edited copy of the rubric named by the rules later does not change the cycle's.
    edited = tmp_path / "rubric.toml"
    edited.write_text((PROJECT_ROOT / "config/rubrics/default.toml").read_text(encoding="utf-8").replace("min_points = 90", "min_points = 85"), encoding="utf-8")
    cycle.rules = {**cycle.rules, "scoring": {"rubric": str(edited)}}
    db.session.flush()
    assert rubric_of(cycle).level("excellent").min_points == Decimal(90)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cycle.rubric_snapshot", AuditEntry.object_id == cycle.id)) is not None
