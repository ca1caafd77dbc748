"""A small agency for the monthly tests, through the real operations: its head, a team leader
who manages two civil servants, a third servant who has no manager (so the head is theirs), the
2026 cycle with its months, and helpers that take a month from plan to assessment."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import factories as f
from workflow import policy
from workflow.accounts.models import Person, Role
from workflow.cycles.models import Cycle
from workflow.cycles.operations import create_cycle
from workflow.extensions import db
from workflow.framework import operations as framework
from workflow.framework import queries as framework_queries
from workflow.framework.models import Period, Subject
from workflow.monthly import operations, queries
from workflow.monthly.models import MonthlyPlan, Product
from workflow.units.models import Unit


@dataclass
class Agency:
    unit: Unit
    head: Person
    leader: Person  # trưởng phòng: the direct manager of lan and duc
    lan: Person
    duc: Person
    hoa: Person  # no manager of her own: the head is her direct manager
    cycle: Cycle
    subjects: dict[str, Subject]
    dossier: Product  # hồ sơ thẩm định, coefficient 1
    inspection: Product  # báo cáo thanh tra, coefficient 3

    def month(self, number: int) -> Period:
        period = queries.month_period(self.cycle.id, number)
        assert period is not None
        return period


@pytest.fixture
def agency() -> Agency:
    unit = f.unit(code="SNV", name="Sở Nội vụ")
    head = f.person((Role.HEAD, unit), full_name="Giám đốc Sở", unit=unit)
    leader = f.person(full_name="Trưởng phòng Công chức", unit=unit)
    lan = f.person(full_name="Phạm Thị Lan", unit=unit, manager_id=leader.id)
    duc = f.person(full_name="Nguyễn Minh Đức", unit=unit, manager_id=leader.id)
    hoa = f.person(full_name="Lê Thị Hòa", unit=unit)
    cycle = db.session.scalar(db.select(Cycle).where(Cycle.year == 2026)) or create_cycle(2026, actor=policy.SYSTEM)
    track = framework_queries.track("civil_servants")
    subjects = {name: framework.add_subject(track, unit_id=unit.id, person_id=p.id, rules=cycle.rules, actor=policy.SYSTEM)
                for name, p in (("lan", lan), ("duc", duc), ("hoa", hoa), ("leader", leader))}
    dossier = operations.save_product(unit.id, {"code": "HS-TD", "name": "Hồ sơ thẩm định", "measure": "hồ sơ", "coefficient": Decimal(1),
                                                "group": "Thẩm định"}, actor=policy.SYSTEM)
    inspection = operations.save_product(None, {"code": "BC-TT", "name": "Báo cáo thanh tra", "measure": "báo cáo",
                                                "coefficient": Decimal(3), "group": "Thanh tra"}, actor=policy.SYSTEM)
    db.session.flush()
    return Agency(unit, head, leader, lan, duc, hoa, cycle, subjects, dossier, inspection)


def planned(agency: Agency, who: str, number: int = 3, *, lines: list[dict[str, Any]] | None = None, agree: bool = True) -> MonthlyPlan:
    """The month of `who` with its products assigned by the direct manager (4 dossiers due on the
    20th and 1 inspection report due at the month's end, unless `lines` say otherwise)."""
    subject = agency.subjects[who]
    manager = queries.direct_manager(subject.person, subject.unit_id)
    period = agency.month(number)
    plan = operations.open_month(subject, period, actor=manager)
    db.session.flush()
    for values in lines if lines is not None else [{"product_id": agency.dossier.id, "quantity": Decimal(4), "due_on": period.starts_on.replace(day=20)},
                            {"product_id": agency.inspection.id, "quantity": Decimal(1), "recurring": True}]:
        operations.add_line(plan, values, actor=manager, version=plan.version)
        db.session.flush()
    if agree:
        operations.take_step(plan, "assign", actor=manager, version=plan.version)
        db.session.flush()
    return plan


def self_assessed(plan: MonthlyPlan, entries: dict[int, tuple[str, date | None]]) -> MonthlyPlan:
    """The servant records (quantity, date) per line position and submits."""
    servant = plan.subject.person
    by_position = {ln.position: ln for ln in plan.lines}
    operations.save_self_assessment(plan, [{"line_id": by_position[p].id, "delivered_quantity": Decimal(q), "delivered_on": d}
                                           for p, (q, d) in entries.items()], actor=servant, version=plan.version)
    db.session.flush()
    operations.take_step(plan, "self_assess", actor=servant, version=plan.version)
    db.session.flush()
    return plan


def xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
