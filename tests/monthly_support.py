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
from bulk import insert_rows
from workflow import policy
from workflow.accounts.models import Person, Role
from workflow.cycles.models import Cycle
from workflow.cycles.operations import create_cycle
from workflow.extensions import db
from workflow.framework import operations as framework
from workflow.framework import queries as framework_queries
from workflow.framework.models import Period, Subject, SubjectKind
from workflow.monthly import operations, queries
from workflow.monthly.models import LineOrigin, MonthlyPlan, MonthState, PlanLine, Product
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


def bulk_team(agency: Agency, manager: Person | None, count: int, state: MonthState, number: int = 3, first: int = 0, lines: int = 2,
              **person: Any) -> list[int]:
    """`count` servants managed by `manager` (None: the head), each with month `number` of
    `lines` products in `state`; bulk rows, as a large agency's would be. Returns their ids."""
    period = agency.month(number)
    login = f"cc{getattr(manager, 'id', 0)}x{number}x"
    people = insert_rows(Person, [{"username": f"{login}{i}", "full_name": f"Công chức {i:03d}", "email": f"{login}{i}@kpi.test",
                                   "unit_id": agency.unit.id, "manager_id": manager.id if manager else None, "locale": "vi", "password_hash": "", **person}
                                  for i in range(first, first + count)], ids=True)
    track = agency.subjects["lan"].track_id
    subjects = insert_rows(Subject, [{"track_id": track, "kind": SubjectKind.PERSON, "unit_id": agency.unit.id, "person_id": p, "title": "",
                                      "active": True} for p in people], ids=True)
    plans = insert_rows(MonthlyPlan, [{"subject_id": s, "period_id": period.id, "state": state, "self_note": "", "manager_note": "",
                                       "returned_reason": "", "rubric_version": "", "without_self_assessment": False} for s in subjects], ids=True)
    insert_rows(PlanLine, [{"plan_id": p, "position": n, "origin": LineOrigin.ASSIGNED, "name": f"Sản phẩm {n}", "measure": "hồ sơ",
                            "coefficient": Decimal(1), "quantity": Decimal(2), "quality_standard": "", "due_on": period.ends_on,
                            "recurring": False, "evidence_link": "", "note": "", "errors": 0, "delays": 0}
                           for p in plans for n in range(1, lines + 1)])
    db.session.flush()
    return people
