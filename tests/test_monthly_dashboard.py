"""The agency and province dashboards of the monthly round (issue 12): completion by agency and
month, the distribution of the year's levels decided (a histogram per agency) and leniency (a
direct manager whose whole team was decided at the top level stands out); the province to staff,
the committee and administrators, a head their agency; SQL aggregates in a constant number of
statements."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

import factories as f
from monthly_support import agency, planned, self_assessed  # noqa: F401  (fixture)
from workflow import policy
from workflow.accounts.models import Role
from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.framework import operations as framework
from workflow.framework import queries as framework_queries
from workflow.monthly import figures, operations, scoring
from workflow.monthly.models import MonthlyPlan, MonthState, YearResult


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def _decided(subject, cycle, level: str, manager) -> None:
    db.session.add(YearResult(subject=subject, cycle=cycle, general={}, trace={}, level=level, proposed_level=level,
                              assessed_at=utcnow(), assessed_by_id=manager.id, decided_at=utcnow()))


def _second_agency(agency, servants: int) -> tuple:
    """Sở Tài chính: a head, a chief who manages `servants` civil servants."""
    unit = f.unit(code=f"STC{servants}", name="Sở Tài chính")
    head = f.person((Role.HEAD, unit), full_name="Giám đốc Sở Tài chính", unit=unit)
    chief = f.person(full_name="Trưởng phòng Ngân sách", unit=unit)
    track = framework_queries.track("civil_servants")
    subjects = []
    for i in range(servants):
        person = f.person(full_name=f"Chuyên viên {i + 1}", unit=unit, manager_id=chief.id)
        subjects.append(framework.add_subject(track, unit_id=unit.id, person_id=person.id, rules=agency.cycle.rules, actor=policy.SYSTEM))
    db.session.flush()
    return unit, head, chief, subjects


@pytest.fixture
def province(agency):
    """March: Lan assessed, Đức approved, Hòa's products assigned; the year: Lan tốt and Đức hoàn
    thành (by the team leader); in Sở Tài chính both servants xuất sắc by the same chief."""
    lan = self_assessed(planned(agency, "lan"), {1: ("4", date(2026, 3, 18)), 2: ("1", date(2026, 3, 27))})
    operations.assess(lan, [], actor=agency.leader, version=lan.version)
    duc = planned(agency, "duc")
    operations.assess(duc, [], actor=agency.leader, version=duc.version)
    db.session.flush()
    operations.take_step(duc, "approve", actor=agency.head, version=duc.version)
    planned(agency, "hoa")
    _decided(agency.subjects["lan"], agency.cycle, "good", agency.leader)
    _decided(agency.subjects["duc"], agency.cycle, "completed", agency.leader)
    unit, head, chief, subjects = _second_agency(agency, 2)
    for subject in subjects:
        _decided(subject, agency.cycle, "excellent", chief)
    db.session.flush()
    return unit, head, chief


def test_the_figures_are_sql_aggregates_of_the_months_and_levels(agency, province):
    unit, _, chief = province
    rows = {r.unit.name: r for r in figures.completion(agency.cycle, None)}
    snv = rows["Sở Nội vụ"]
    # 4 servants (Lan, Đức, Hòa, the team leader); March: 3 opened, 2 assessed or approved (50%), 1 approved.
    assert snv.servants == 4 and snv.months[3] == {"opened": 3, "done": 2, "approved": 1} and snv.percent(3) == Decimal("50.0")
    assert snv.percent(4) == Decimal("0.0") and rows["Sở Tài chính"].months == {}
    by_unit = figures.levels_by_unit(agency.cycle, None)
    assert (by_unit[agency.unit.id].counts, by_unit[agency.unit.id].undecided) == ({"good": 1, "completed": 1}, 2)
    assert by_unit[unit.id].counts == {"excellent": 2} and by_unit[unit.id].percent("excellent") == Decimal("100.0")
    managers = figures.levels_by_manager(agency.cycle, None, scoring.rubric_of(agency.cycle))
    assert [(m.manager.full_name, m.lenient) for m in managers] == [(chief.full_name, True), ("Trưởng phòng Công chức", False)]
    # A head reads their agency only.
    assert [r.unit.name for r in figures.completion(agency.cycle, figures.units_in_scope(agency.head))] == ["Sở Nội vụ"]
    assert figures.levels_by_manager(agency.cycle, [agency.unit.id], scoring.rubric_of(agency.cycle))[0].lenient is False


def test_a_lone_servant_at_the_top_is_not_leniency(agency):
    unit, _, chief, subjects = _second_agency(agency, 1)
    _decided(subjects[0], agency.cycle, "excellent", chief)
    db.session.flush()
    assert [m.lenient for m in figures.levels_by_manager(agency.cycle, None, scoring.rubric_of(agency.cycle))] == [False]


def test_the_page_shows_the_province_to_staff_and_an_agency_to_its_head(agency, province, as_person, count_statements):
    unit, head, _ = province
    path = f"/monthly/dashboard?cycle_id={agency.cycle.id}"
    staff = as_person(f.person(Role.STAFF))
    with count_statements() as few:
        page = staff.get(path)
    assert page.status_code == 200
    text = _text(page)
    assert "Sở Nội vụ" in text and "Sở Tài chính" in text and "2/4 50 %" in text
    assert 'data-lenient' in page.get_data(as_text=True) and "Trưởng phòng Ngân sách" in text
    assert "Hoàn thành xuất sắc nhiệm vụ" in text
    mine = _text(as_person(agency.head).get(path))
    assert "Sở Nội vụ" in mine and "Sở Tài chính" not in mine and "Trưởng phòng Ngân sách" not in mine
    assert as_person(agency.lan).get(path).status_code == 403
    # More agencies, servants, months and decisions: the same number of statements.
    more_unit, _, more_chief, subjects = _second_agency(agency, 5)
    for subject in subjects:
        _decided(subject, agency.cycle, "good", more_chief)
        db.session.add(MonthlyPlan(subject=subject, period=agency.month(2), state=MonthState.APPROVED, points=Decimal(60)))
    db.session.flush()
    with count_statements() as more:
        assert staff.get(path).status_code == 200
    assert more.count == few.count
