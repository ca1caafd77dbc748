"""A civil servant's month (Nghị định 335/2025/NĐ-CP): the plan assigned by the direct manager
or proposed and approved, recurring products carried over, the self-assessment, the manager's
assessment scored by the engine with the 335 rubric, the head of agency's approval or return,
the flag of a month assessed without a self-assessment, who may do what, and the year's task
points from the approved months."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import factories as f
from monthly_support import agency, planned, self_assessed  # noqa: F401  (fixture)
from workflow import policy
from workflow.accounts.models import Role
from workflow.core.errors import DomainError, PermissionDenied, StaleObject, TransitionRefused, ValidationFailed
from workflow.extensions import db
from workflow.monthly import operations, queries, scoring
from workflow.monthly.models import LineOrigin, MonthState


def test_the_direct_manager_is_the_persons_manager_else_the_head_of_the_unit(agency):
    assert queries.direct_manager(agency.lan, agency.unit.id) == agency.leader
    assert queries.direct_manager(agency.hoa, agency.unit.id) == agency.head
    assert queries.direct_manager(agency.head, agency.unit.id) is None  # never oneself


def test_the_manager_assigns_the_month_from_the_catalogue_and_ad_hoc(agency):
    plan = planned(agency, "lan", lines=[{"product_id": agency.dossier.id, "quantity": Decimal(4)},
                                         {"name": "Tổng hợp báo cáo tháng", "measure": "báo cáo", "quantity": Decimal(1), "coefficient": Decimal(2)}])
    assert plan.state == MonthState.AGREED
    dossier, adhoc = plan.lines
    assert (dossier.name, dossier.measure, dossier.coefficient, dossier.due_on) == ("Hồ sơ thẩm định", "hồ sơ", Decimal(1), date(2026, 3, 31))
    assert (adhoc.product_id, adhoc.converted_quantity, adhoc.origin) == (None, Decimal(2), LineOrigin.ASSIGNED)
    # A product of another agency's catalogue is refused.
    other = operations.save_product(f.unit().id, {"code": "X", "name": "x", "measure": "x", "coefficient": Decimal(1), "group": ""},
                                    actor=policy.SYSTEM)
    draft = planned(agency, "duc", agree=False, lines=[{"product_id": agency.dossier.id, "quantity": Decimal(1)}])
    with pytest.raises(ValidationFailed) as refused:
        operations.add_line(draft, {"product_id": other.id, "quantity": Decimal(1)}, actor=agency.leader, version=draft.version)
    assert "product_id" in refused.value.errors


def test_the_servant_proposes_and_the_manager_returns_then_approves(agency):
    period = agency.month(3)
    plan = operations.open_month(agency.subjects["lan"], period, actor=agency.lan)
    db.session.flush()
    operations.add_line(plan, {"product_id": agency.dossier.id, "quantity": Decimal(5)}, actor=agency.lan, version=plan.version)
    db.session.flush()
    assert plan.lines[0].origin == LineOrigin.PROPOSED
    operations.take_step(plan, "propose", actor=agency.lan, version=plan.version)
    db.session.flush()
    with pytest.raises(TransitionRefused):  # proposed: only the manager changes it now
        operations.add_line(plan, {"product_id": agency.dossier.id, "quantity": Decimal(1)}, actor=agency.lan, version=plan.version)
    with pytest.raises(ValidationFailed):
        operations.take_step(plan, "return_plan", actor=agency.leader, version=plan.version)  # a reason is required
    operations.take_step(plan, "return_plan", actor=agency.leader, version=plan.version, reason="Thêm báo cáo thanh tra")
    db.session.flush()
    assert (plan.state, plan.returned_reason) == (MonthState.DRAFT, "Thêm báo cáo thanh tra")
    operations.take_step(plan, "propose", actor=agency.lan, version=plan.version)
    db.session.flush()
    operations.take_step(plan, "assign", actor=agency.leader, version=plan.version)
    assert plan.state == MonthState.AGREED and plan.agreed_at is not None


def test_recurring_products_carry_over_once(agency):
    march = planned(agency, "lan", 3)
    april = planned(agency, "lan", 4, agree=False, lines=[])
    assert operations.carry_over(april, actor=agency.leader, version=april.version) == 1
    db.session.flush()
    (line,) = april.lines
    assert (line.name, line.origin, line.recurring, line.due_on) == ("Báo cáo thanh tra", LineOrigin.CARRIED, True, date(2026, 4, 30))
    assert operations.carry_over(april, actor=agency.leader, version=april.version) == 0  # never twice
    assert march.lines[1].due_on == date(2026, 3, 31)
    first = planned(agency, "duc", 1, agree=False, lines=[])
    with pytest.raises(DomainError):
        operations.carry_over(first, actor=agency.leader, version=first.version)


def test_a_stale_tab_is_refused(agency):
    plan = planned(agency, "lan", agree=False)
    seen = plan.version
    operations.add_line(plan, {"name": "Ad hoc", "measure": "việc", "quantity": Decimal(1)}, actor=agency.leader, version=seen)
    db.session.flush()
    with pytest.raises(StaleObject):
        operations.add_line(plan, {"name": "Again", "measure": "việc", "quantity": Decimal(1)}, actor=agency.leader, version=seen)


def test_self_assessment_then_the_managers_assessment_scored_by_the_engine(agency):
    plan = planned(agency, "lan")
    with pytest.raises(TransitionRefused):  # nothing recorded yet
        operations.take_step(plan, "self_assess", actor=agency.lan, version=plan.version)
    # Dossiers: 4 of 4 on the 18th (due the 20th); the inspection report delivered on 2 April (late).
    self_assessed(plan, {1: ("4", date(2026, 3, 18)), 2: ("1", date(2026, 4, 2))})
    assert plan.state == MonthState.SELF_ASSESSED
    # Weights 4 × 1 and 1 × 3; the late report: 100/100/75 → 91.67%; (4 × 100 + 3 × 91.67) / 7 → 96.43% of 70.
    assert plan.self_points == Decimal("67.50")
    dossier, report = plan.lines
    # The manager finds one dossier short of the standard (one error): quality 75% → 91.67%.
    operations.assess(plan, [{"line_id": dossier.id, "errors": 1}], actor=agency.leader, version=plan.version, note="Một hồ sơ phải sửa")
    db.session.flush()
    assert plan.state == MonthState.ASSESSED and not plan.without_self_assessment
    assert (dossier.assessed_quantity, dossier.assessed_on, dossier.result_percent) == (Decimal(4), date(2026, 3, 18), Decimal("91.67"))
    assert report.result_percent == Decimal("91.67")
    assert plan.points == Decimal("64.17") and plan.rubric_version == "335-2026.2"  # the preset in force (config/rubrics/335-civil-servants.toml)
    assert "track_rubrics" in agency.cycle.rules  # the rubric is fixed in the cycle at the first assessment


def test_a_month_not_self_assessed_is_assessed_by_the_manager_alone_and_flagged(agency):
    plan = planned(agency, "duc")
    dossier, report = plan.lines
    operations.assess(plan, [{"line_id": dossier.id, "assessed_quantity": Decimal(2), "assessed_on": date(2026, 3, 10)},
                             {"line_id": report.id, "assessed_quantity": Decimal(1), "assessed_on": date(2026, 3, 30)}],
                      actor=agency.leader, version=plan.version)
    assert plan.without_self_assessment
    # Half the dossiers: 50 / 50 / 50 → 50%; the report 100% → (4 × 50 + 3 × 100) / 7 = 71.43% → 50.00 of 70.
    assert plan.points == Decimal("50.00")


def test_the_head_approves_the_month_or_returns_it_with_a_reason(agency):
    lan, duc = planned(agency, "lan"), planned(agency, "duc")
    for plan in (lan, duc):
        operations.assess(plan, [], actor=agency.leader, version=plan.version)
    db.session.flush()
    with pytest.raises(ValidationFailed):
        operations.take_step(duc, "return", actor=agency.head, version=duc.version)
    operations.take_step(duc, "return", actor=agency.head, version=duc.version, reason="Chưa ghi lỗi hồ sơ")
    db.session.flush()
    assert (duc.state, duc.returned_reason) == (MonthState.RETURNED, "Chưa ghi lỗi hồ sơ")
    assert operations.approve_month(queries.agency_months([agency.unit.id], agency.month(3)), actor=agency.head) == 1
    assert lan.state == MonthState.APPROVED and lan.approved_by_id == agency.head.id
    operations.assess(duc, [{"line_id": duc.lines[0].id, "errors": 1}], actor=agency.leader, version=duc.version)
    db.session.flush()
    assert operations.approve_month(queries.agency_months([agency.unit.id], agency.month(3)), actor=agency.head) == 1
    assert duc.state == MonthState.APPROVED


@pytest.mark.parametrize(("who", "action", "whose", "allowed"), [
    ("lan", "monthly.plan.propose", "lan", True),
    ("lan", "monthly.self_assess", "lan", True),
    ("lan", "monthly.assess", "lan", False),  # nobody assesses themself
    ("lan", "monthly.plan.view", "duc", False),  # not a colleague's month
    ("leader", "monthly.plan.assign", "lan", True),
    ("leader", "monthly.assess", "lan", True),
    ("leader", "monthly.assess", "hoa", False),  # not her manager: the head is
    ("leader", "monthly.approve", "lan", False),
    ("head", "monthly.assess", "hoa", True),
    ("head", "monthly.assess", "lan", False),  # lan has a manager of her own
    ("head", "monthly.approve", "lan", True),
    ("head", "monthly.plan.view", "lan", True),
    ("leader", "monthly.self_assess", "lan", False),
    ("admin", "monthly.plan.view", "lan", True),
    ("admin", "monthly.assess", "lan", False),
    ("stranger", "monthly.plan.view", "lan", False),
])
def test_who_may_do_what_with_a_month(agency, who, action, whose, allowed):
    actor = {"admin": f.person(Role.ADMIN), "stranger": f.person((Role.HEAD, f.unit()))}.get(who) or getattr(agency, who)
    plan = planned(agency, whose, agree=False)
    assert policy.can(actor, action, plan) is allowed


def test_refusals_say_why(agency):
    plan = planned(agency, "lan")
    with pytest.raises(PermissionDenied):
        operations.assess(plan, [], actor=agency.lan, version=plan.version)
    with pytest.raises(TransitionRefused):
        operations.take_step(plan, "approve", actor=agency.head, version=plan.version)  # not assessed yet
    with pytest.raises(PermissionDenied):
        operations.open_month(agency.subjects["lan"], agency.month(4), actor=agency.duc)


def test_the_year_is_the_mean_of_the_approved_months_with_the_months_it_came_from(agency):
    points = {}
    for number, errors in ((1, 0), (2, 1), (3, 0)):
        plan = planned(agency, "lan", number)
        operations.assess(plan, [{"line_id": ln.id, "assessed_quantity": ln.quantity, "assessed_on": ln.due_on, "errors": errors}
                                 for ln in plan.lines], actor=agency.leader, version=plan.version)
        db.session.flush()
        if number < 3:
            operations.take_step(plan, "approve", actor=agency.head, version=plan.version)
        points[number] = plan.points
    assert points == {1: Decimal("70.00"), 2: Decimal("64.17"), 3: Decimal("70.00")}
    year = scoring.year_points([(f"Tháng {p.number}/2026", plan) for p, plan in queries.year_months(agency.subjects["lan"].id, agency.cycle.id)
                                if plan is not None and plan.state == MonthState.APPROVED], scoring.rubric_of(agency.cycle))
    assert year.points == Decimal("67.09")  # (70 + 64.17) / 2: March is not approved yet
    assert year.periods == (("Tháng 1/2026", Decimal("70.00")), ("Tháng 2/2026", Decimal("64.17")))


def test_an_administrator_or_the_head_names_the_direct_manager(agency):
    admin = f.person(Role.ADMIN)
    operations.set_manager(agency.hoa, agency.leader, actor=admin)
    plan = planned(agency, "hoa")
    assert policy.can(agency.leader, "monthly.assess", plan) and not policy.can(agency.head, "monthly.assess", plan)
    with pytest.raises(ValidationFailed):
        operations.set_manager(agency.hoa, agency.hoa, actor=admin)
    operations.set_manager(agency.hoa, None, actor=agency.head)  # the head of her unit may too
    assert agency.hoa.manager_id is None
    with pytest.raises(PermissionDenied):
        operations.set_manager(agency.hoa, agency.lan, actor=agency.duc)
