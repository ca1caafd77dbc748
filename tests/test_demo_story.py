"""The demo province tells its years in order: every event is dated when it happened in the story
(never at the moment the demo was loaded), each step after the one it follows; each cycle keeps
the rules of its own year; a head's 2026 baseline is the result they really reached in 2025;
the levels spread as a province's do; the head who objects has a reason to."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from workflow.core.audit import AuditEntry
from workflow.council import queries
from workflow.council.models import Decision, Objection, Scorecard, SelfAssessment
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.reports.models import QuarterlyReport, ReportEntry
from workflow.targets.models import Registration, Target, TargetKind

pytestmark = pytest.mark.demo


def _opened(cycle: Cycle, step: str) -> datetime:
    return db.session.scalar(select(AuditEntry.at).where(AuditEntry.action == f"cycle.{step}", AuditEntry.object_id == cycle.id))


def test_the_demo_tells_its_years_in_order(demo):
    loaded = demo.loaded_at
    cycles = {c.year: c for c in db.session.scalars(select(Cycle))}

    # Nothing the demo wrote is stamped with the moment of loading: the story ends before it
    # (the entries after its last are the other demo tests' sign-ins).
    of_the_demo = AuditEntry.id <= demo.last_audit_id
    assert db.session.scalar(select(func.max(AuditEntry.at)).where(of_the_demo)) < loaded - timedelta(hours=1)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(of_the_demo, AuditEntry.at >= loaded)) == 0

    # Each cycle keeps the rules of its year.
    assert {year: c.rules_version.split(".")[0] for year, c in cycles.items()} == {2025: "2025", 2026: "2026", 2027: "2027"}

    # Registrations: created, submitted, assigned, in that order, before execution starts.
    for year in (2025, 2026):
        started = _opened(cycles[year], "start_execution")
        created = _opened(cycles[year], "create")
        for r in db.session.scalars(select(Registration).where(Registration.cycle_id == cycles[year].id)):
            made = db.session.scalar(select(AuditEntry.at).where(AuditEntry.action == "registration.create", AuditEntry.object_id == r.id))
            assert created < made < r.submitted_at < r.assigned_at < started, r.unit.code
            assert r.decision_date <= r.assigned_at.date()

    # Reports: opened, submitted, accepted, in order; 2025's all accepted before scoring opened.
    for report in db.session.scalars(select(QuarterlyReport).where(QuarterlyReport.accepted_at.is_not(None))):
        assert report.created_at <= report.first_submitted_at <= report.accepted_at
    last_accepted = db.session.scalar(select(func.max(QuarterlyReport.accepted_at)).join(Registration).where(Registration.cycle_id == cycles[2025].id))
    assert last_accepted < _opened(cycles[2025], "open_scoring")

    # The 2025 evaluation: scored after scoring opened, finalised, decided, published, objected to.
    cycle = cycles[2025]
    session = queries.session_of(cycle.id)
    scoring = _opened(cycle, "open_scoring")
    assert scoring.date() > date(2026, 1, 1)
    cards = db.session.scalars(select(Scorecard).where(Scorecard.cycle_id == cycle.id)).all()
    assert cards and all(scoring < c.submitted_at < session.finalised_at for c in cards)
    assessed = db.session.scalars(select(SelfAssessment.submitted_at).join(Registration).where(Registration.cycle_id == cycle.id)).all()
    assert all(_opened(cycle, "start_execution") < at < scoring for at in assessed)
    decisions = db.session.scalars(select(Decision).where(Decision.cycle_id == cycle.id)).all()
    assert all(session.finalised_at < d.decided_at < session.published_at for d in decisions)
    objection = db.session.scalar(select(Objection).where(Objection.cycle_id == cycle.id))
    assert session.published_at < objection.filed_at

    # A head's 2026 baseline is what they reached at the end of 2025.
    final = {e.target_id: e.actual for e in db.session.scalars(
        select(ReportEntry).join(QuarterlyReport).join(Registration).where(Registration.cycle_id == cycle.id, QuarterlyReport.quarter == 4))}
    targets_2026 = db.session.scalars(select(Target).join(Registration).where(
        Registration.cycle_id == cycles[2026].id, Target.kind == TargetKind.QUANTITATIVE)).all()
    assert len(targets_2026) > 80
    for t in targets_2026:
        assert t.previous_target_id in final, t.title
        assert t.baseline == final[t.previous_target_id], t.title
        assert t.baseline > 0

    # The levels spread as a province's do: mostly good, a few excellent within the quota, few
    # below "completed"; and the head who objects has a late task behind the objection.
    levels = Counter(d.level for d in queries.latest_decisions(cycle.id).values())
    heads = sum(levels.values())
    assert levels.most_common(1)[0][0] == "good"
    assert 0 < levels["excellent"] <= heads * 0.2 and 0 < levels["completed"] and levels["not_completed"] <= heads * 0.1
    objector = objection.registration
    assert queries.latest_decisions(cycle.id)[objector.id].level == "not_completed"
    late = db.session.scalars(select(ReportEntry).join(Target).join(QuarterlyReport).where(
        QuarterlyReport.registration_id == objector.id, QuarterlyReport.quarter == 4, Target.kind == TargetKind.TASK)).all()
    assert any(e.delivered_on is None or e.delivered_on > e.target.due_date for e in late)

    _civil_servants_do_their_months_in_order()
    _collectives_self_score_month_by_month(cycles[2026])


def _civil_servants_do_their_months_in_order() -> None:
    """The monthly round of 2026: each month planned in the month, self-assessed by its end,
    assessed on its due day, approved after; the states the demo leaves for each month."""
    from workflow.framework.models import Period
    from workflow.monthly.models import MonthlyPlan, MonthState

    rows = db.session.execute(select(MonthlyPlan, Period).join(Period, MonthlyPlan.period_id == Period.id)).all()
    states = {}
    for plan, period in rows:
        states.setdefault(period.number, Counter())[plan.state] += 1
        assert period.starts_on <= plan.agreed_at.date() <= period.ends_on
        if plan.self_assessed_at:
            assert plan.agreed_at < plan.self_assessed_at and plan.self_assessed_at.date() <= period.ends_on
        if plan.assessed_at:
            assert plan.assessed_at.date() >= period.due_on and plan.points is not None  # on the due day (again after a return)
        if plan.approved_at:
            assert plan.assessed_at < plan.approved_at
    assert {n: dict(c) for n, c in states.items()} == {
        1: {MonthState.APPROVED: 6}, 2: {MonthState.APPROVED: 6}, 3: {MonthState.APPROVED: 6},
        4: {MonthState.ASSESSED: 6}, 5: {MonthState.SELF_ASSESSED: 6}, 6: {MonthState.AGREED: 6}}
    flagged = db.session.scalars(select(MonthlyPlan).where(MonthlyPlan.without_self_assessment.is_(True))).all()
    assert len(flagged) == 1


def _collectives_self_score_month_by_month(cycle: Cycle) -> None:
    """Collectives self-score each month after it began and are recognised after submitting
    (the 12-month rule, Hướng dẫn 12 / Quy định 31 của BTV Tỉnh ủy Hòa Bình): Sở Nội vụ all
    eleven months so far, Sở Tài chính without August, Tam Đảo's November waiting."""
    from workflow.selfscoring.models import CollectiveSelfScore, SelfScoreState
    from workflow.units.models import Unit

    rows = db.session.execute(select(CollectiveSelfScore, Unit.code).join(CollectiveSelfScore.subject).join(Unit)
                              .where(CollectiveSelfScore.cycle_id == cycle.id)).all()
    months: dict[str, dict[int, SelfScoreState]] = {}
    for row, code in rows:
        months.setdefault(code, {})[row.month] = row.state
        assert row.submitted_at.date() >= date(cycle.year, row.month, 1)
        if row.reviewed_at:
            assert row.reviewed_at > row.submitted_at
    assert months["SNV"] == {m: SelfScoreState.RECOGNISED for m in range(1, 12)}
    assert 8 not in months["STC"] and len(months["STC"]) == 10
    assert months["UB-TD"][11] == SelfScoreState.SUBMITTED and months["UB-TD"][10] == SelfScoreState.RECOGNISED
