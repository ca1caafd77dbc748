"""Many heads at once, with bulk INSERTs (the ORM's insertmanyvalues): units, heads with their
role, officially assigned registrations with quantitative targets, and optionally a quarter's
reports. For statement-count tests at a thousand rows and for `bench/reminders.py` at ten
thousand heads; factories would take minutes for either.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from workflow.accounts.models import Person, Role, RoleGrant
from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.reports.models import QuarterlyReport, ReportEntry, ReportState
from workflow.targets.models import Direction, Registration, RegistrationState, Target, TargetKind, TargetOrigin
from workflow.units.models import Unit, UnitGroup

CHUNK = 5000


def _insert(model: Any, rows: list[dict[str, Any]], *, ids: bool = False) -> list[int]:
    out: list[int] = []
    for start in range(0, len(rows), CHUNK):
        part = rows[start:start + CHUNK]
        if ids:
            stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
            out.extend(db.session.scalars(stmt, part).all())
        else:
            db.session.execute(insert(model), part)
    return out


def province(cycle: Any, heads: int, *, targets: int = 10, staff_ids: list[int] | None = None, prefix: str = "B",
             report_quarter: int | None = None, report_state: ReportState = ReportState.SUBMITTED, due_on: date | None = None,
             entries: bool = True) -> list[int]:
    """Add `heads` units, each with a head and an assigned registration of `targets` targets in
    `cycle`; with `report_quarter`, a report of that quarter (in `report_state`) answering every
    target. Returns the registration ids."""
    now = utcnow()
    group_id = _insert(UnitGroup, [{"code": f"{prefix}-G", "name": f"Nhóm {prefix}", "position": 9}], ids=True)[0]
    staff_ids = staff_ids or [None]
    unit_ids = _insert(Unit, [
        {"code": f"{prefix}{i:05d}", "name": f"Đơn vị {prefix} {i:05d}", "group_id": group_id, "staff_officer_id": staff_ids[i % len(staff_ids)]}
        for i in range(heads)
    ], ids=True)
    person_ids = _insert(Person, [
        {"username": f"{prefix.lower()}head{i:05d}", "full_name": f"Người đứng đầu {prefix} {i:05d}", "email": f"{prefix.lower()}head{i:05d}@vinhphuc.gov.vn",
         "unit_id": unit_ids[i], "locale": "vi"}
        for i in range(heads)
    ], ids=True)
    _insert(RoleGrant, [{"person_id": p, "role": Role.HEAD, "unit_id": u} for p, u in zip(person_ids, unit_ids)])
    registration_ids = _insert(Registration, [
        {"cycle_id": cycle.id, "unit_id": u, "head_id": p, "state": RegistrationState.ASSIGNED, "assigned_at": now, "decision_number": "1-QĐ/TU"}
        for p, u in zip(person_ids, unit_ids)
    ], ids=True)
    weight = Decimal(100) / targets
    target_rows = []
    for registration_id in registration_ids:
        for k in range(targets):
            target_rows.append({
                "registration_id": registration_id, "position": k + 1, "kind": TargetKind.QUANTITATIVE, "title": f"Chỉ tiêu {k + 1}",
                "field": "Kinh tế", "measure": "%", "baseline": Decimal(80), "target_value": Decimal(100), "direction": Direction.HIGHER,
                "weight": weight, "plan_q1": Decimal(85), "plan_q2": Decimal(90), "plan_q3": Decimal(95), "plan_q4": Decimal(100),
                "origin": TargetOrigin.REGISTERED,
            })
    target_ids = _insert(Target, target_rows, ids=report_quarter is not None and entries)
    if report_quarter is not None:
        submitted = report_state != ReportState.DRAFT
        report_ids = _insert(QuarterlyReport, [
            {"registration_id": r, "quarter": report_quarter, "state": report_state, "due_on": due_on or date(cycle.year, 4, 12),
             "first_submitted_at": now if submitted else None, "submitted_at": now if submitted else None}
            for r in registration_ids
        ], ids=True)
        rows = []
        for i, report_id in enumerate(report_ids if entries else []):
            for k in range(targets):
                # Every third head is behind on its first target (off track), the others on plan.
                actual = Decimal(83) if k == 0 and i % 3 == 0 else Decimal(86)
                rows.append({"report_id": report_id, "target_id": target_ids[i * targets + k], "actual": actual, "narrative": "Đạt kế hoạch",
                                "confidence": 4, "product_delivered": ""})
        _insert(ReportEntry, rows)
    db.session.flush()
    return registration_ids
