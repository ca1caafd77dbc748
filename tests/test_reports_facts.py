"""facts.py, the contract the council reads: what the accepted reports say about each target,
the lateness of the reports, completeness; and last cycle's result in the registration warnings."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

import factories as f
from workflow.accounts.models import Role
from workflow.extensions import db
from workflow.reports import operations as ops
from workflow.reports.facts import year_end_actuals, year_end_facts, year_end_facts_many
from workflow.reports.models import MilestoneStatus, ReportState
from workflow.targets.models import Direction, TargetKind
from workflow.targets.warnings import previous_results, warnings_for

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
# Submission moments: Q1 two days late (due Monday 12 April 2027), the others on time.
SUBMIT = {1: datetime(2027, 4, 14, 9, tzinfo=HCM), 2: datetime(2027, 7, 8, 9, tzinfo=HCM),
          3: datetime(2027, 10, 8, 9, tzinfo=HCM), 4: datetime(2028, 1, 7, 9, tzinfo=HCM)}

pytestmark = pytest.mark.usefixtures("english")


def report_quarter(reg, q, *, revenue, task, rate, delivered=None, accept=True, staff=None):
    head = f.head_of(reg)
    report = ops.open_report(reg, q, actor=head, now=SUBMIT[q])
    db.session.flush()
    entries = f.full_entries(reg, actual=revenue, task_status=task, percent=rate)
    if delivered:
        entries[1].update(product_delivered="Biên bản bàn giao 29,3 ha", delivered_on=delivered)
    ops.save_entries(report, entries, actor=head, version=report.version, now=SUBMIT[q])
    db.session.flush()
    ops.submit(report, actor=head, version=report.version, now=SUBMIT[q])
    db.session.flush()
    if accept:
        ops.take_step(report, "accept", actor=staff or f.person(Role.STAFF), version=report.version)
        db.session.flush()
    return report


def test_what_the_accepted_reports_say():
    reg = f.assigned_registration()
    revenue, task, rate = reg.targets
    staff = f.person(Role.STAFF)
    report_quarter(reg, 1, revenue="280", task="in_progress", rate="91.5", staff=staff)
    report_quarter(reg, 2, revenue="610", task="behind", rate="93", staff=staff)
    report_quarter(reg, 3, revenue="905", task="done", rate="94", delivered=date(2027, 10, 5), accept=False)
    facts = year_end_facts(reg, as_of=datetime(2028, 2, 1, tzinfo=HCM))
    assert list(facts) == [revenue.id, task.id, rate.id]

    r = facts[revenue.id]
    assert (r.kind, r.baseline, r.target_value, r.direction) == (TargetKind.QUANTITATIVE, Decimal("1000"), Decimal("1200"), Direction.HIGHER)
    # Q3 was submitted but not accepted: the last accepted figure is Q2's.
    assert (r.actual, r.actual_quarter, dict(r.actuals)) == (Decimal("610"), 2, {1: Decimal("280"), 2: Decimal("610")})
    assert r.days_late is None and r.on_time is None

    t = facts[task.id]
    assert t.kind == TargetKind.TASK and t.due_date == date(2027, 9, 30)
    assert dict(t.milestones) == {1: MilestoneStatus.IN_PROGRESS, 2: MilestoneStatus.BEHIND}
    # Not done according to the accepted reports; counted late from 30/9 to the cycle's end.
    assert (t.done, t.product_delivered, t.delivered_on, t.days_late, t.on_time) == (False, "", None, 92, False)

    quarters = {q.quarter: q for q in r.reports}
    assert [(q.quarter, q.state, q.days_late, q.accepted) for q in r.reports] == [
        (1, ReportState.ACCEPTED, 2, True), (2, ReportState.ACCEPTED, 0, True), (3, ReportState.SUBMITTED, 0, False), (4, None, 22, False),
    ]
    assert quarters[4].due_on == date(2028, 1, 10)
    assert r.late_reports == {1: 2, 4: 22} and r.is_complete is False


def test_a_complete_year():
    reg = f.assigned_registration()
    revenue, task, rate = reg.targets
    staff = f.person(Role.STAFF)
    report_quarter(reg, 1, revenue="300", task="in_progress", rate="92", staff=staff)
    report_quarter(reg, 2, revenue="600", task="in_progress", rate="93", staff=staff)
    report_quarter(reg, 3, revenue="905", task="done", rate="94", delivered=date(2027, 10, 5), staff=staff)
    report_quarter(reg, 4, revenue="1230", task="done", rate="95.2", delivered=date(2027, 10, 5), staff=staff)
    facts = year_end_facts(reg, as_of=datetime(2028, 2, 1, tzinfo=HCM))
    assert facts[revenue.id].actual == Decimal("1230") and facts[revenue.id].actual_quarter == 4
    t = facts[task.id]
    assert (t.done, t.product_delivered, t.delivered_on, t.days_late, t.on_time) == (True, "Biên bản bàn giao 29,3 ha", date(2027, 10, 5), 5, False)
    assert all(fa.is_complete for fa in facts.values()) and facts[rate.id].late_reports == {1: 2}
    assert year_end_actuals([revenue.id, rate.id, task.id]) == {revenue.id: Decimal("1230"), rate.id: Decimal("95.2")}


def test_many_registrations_in_three_statements(count_statements):
    regs = [f.assigned_registration() for _ in range(2)]
    with count_statements() as few:
        year_end_facts_many(regs[:1])
    regs += [f.complete_registration("assigned", cycle=regs[0].cycle) for _ in range(4)]
    with count_statements() as many:
        result = year_end_facts_many(regs)
    assert few.count == many.count == 3
    assert len(result) == 6 and all(len(v) == 3 for v in result.values())


def test_last_cycles_result_is_the_reported_year_end_value():
    old = f.complete_registration("assigned", cycle=f.execution_cycle(2026))
    new = f.registration(cycle=f.year(2027), unit=old.unit, head=f.head_of(old))
    rate_2026 = old.targets[2]  # 90 → 95 %
    f.target(new, title=rate_2026.title, measure="%", baseline=Decimal("95"), target_value=Decimal("95.5"), plan_q1=Decimal("95.1"),
             plan_q2=Decimal("95.2"), plan_q3=Decimal("95.4"), plan_q4=Decimal("95.5"), previous_target_id=rate_2026.id, weight=Decimal("100"))
    # Until 2026's fourth quarter is accepted, last cycle's result is its target value.
    assert previous_results(new.targets) == {new.targets[0].id: Decimal("95")}
    assert "below_previous" not in {w.code for w in warnings_for(new)}
    # Accepted year-end value 96.2: a 2027 target of 95.5 no longer improves on it.
    report = f.report(old, 4, state=ReportState.ACCEPTED, first_submitted_at=datetime(2027, 1, 8, tzinfo=HCM))
    entry_values = {"target_id": rate_2026.id, "actual": Decimal("96.2"), "narrative": "Đạt", "confidence": 5}
    from workflow.reports.models import ReportEntry

    report.entries.append(ReportEntry(**entry_values))
    db.session.flush()
    assert previous_results(new.targets) == {new.targets[0].id: Decimal("96.2")}
    assert "below_previous" in {w.code for w in warnings_for(new)}
