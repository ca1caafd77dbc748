"""Many heads at once, with bulk INSERTs (the ORM's insertmanyvalues): units, heads with their
role, registrations with their targets in any mix of states, and optionally a quarter's reports.
For statement-count tests at a thousand rows and for the benchmarks (`bench/generate.py`,
`bench/reminders.py`, `bench/council.py`) at ten thousand heads; factories would take minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from workflow.accounts.models import Person, Role, RoleGrant
from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.framework import operations as framework
from workflow.framework.models import Subject, SubjectKind
from workflow.reports.models import QuarterlyReport, ReportEntry, ReportState
from workflow.targets.models import Direction, Registration, RegistrationState, Target, TargetKind, TargetOrigin
from workflow.units.models import Unit, UnitGroup

CHUNK = 5000


def insert_rows(model: Any, rows: list[dict[str, Any]], *, ids: bool = False) -> list[int]:
    """INSERT `rows` into `model`'s table in chunks; with `ids`, return the new ids in order."""
    out: list[int] = []
    table = getattr(model, "__table__", model)
    for start in range(0, len(rows), CHUNK):
        part = rows[start:start + CHUNK]
        if ids:
            stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
            out.extend(db.session.scalars(stmt, part).all())
        else:
            db.session.execute(insert(table), part)
    return out


def units_with_heads(heads: int, *, staff_ids: Sequence[int | None] = (None,), prefix: str = "B", group_ids: Sequence[int] = ()) -> tuple[list[int], list[int]]:
    """`heads` units (spread over `group_ids`, or one new group), each with a head holding the
    head role, and followed in turn by each of `staff_ids`. Returns (unit ids, head ids)."""
    if not group_ids:
        group_ids = insert_rows(UnitGroup, [{"code": f"{prefix}-G", "name": f"Nhóm {prefix}", "position": 9}], ids=True)
    staff_ids = list(staff_ids) or [None]
    unit_ids = insert_rows(Unit, [
        {"code": f"{prefix}{i:05d}", "name": f"Đơn vị {prefix} {i:05d}", "group_id": group_ids[i % len(group_ids)],
         "staff_officer_id": staff_ids[i % len(staff_ids)]}
        for i in range(heads)
    ], ids=True)
    person_ids = insert_rows(Person, [
        {"username": f"{prefix.lower()}head{i:05d}", "full_name": f"Người đứng đầu {prefix} {i:05d}", "email": f"{prefix.lower()}head{i:05d}@vinhphuc.gov.vn",
         "unit_id": unit_ids[i], "locale": "vi"}
        for i in range(heads)
    ], ids=True)
    insert_rows(RoleGrant, [{"person_id": p, "role": Role.HEAD, "unit_id": u} for p, u in zip(person_ids, unit_ids)])
    return unit_ids, person_ids


def registrations(cycle: Any, unit_ids: Sequence[int], head_ids: Sequence[int], *, targets: int = 10,
                  states: Sequence[RegistrationState] = (RegistrationState.ASSIGNED,), previous_target_ids: Sequence[int] | None = None,
                  target_ids: bool = False) -> tuple[list[int], list[int]]:
    """A registration of `targets` quantitative targets for each unit in `cycle`, the i-th in
    state `states[i % len(states)]` (with the dates and decision that state implies); with
    `previous_target_ids` (one per target, in order), each target continues last cycle's.
    Returns (registration ids, target ids if `target_ids` else [])."""
    now = utcnow()
    track = framework.track_in(cycle)
    subject_ids = insert_rows(Subject, [{"track_id": track.id, "kind": SubjectKind.PERSON, "unit_id": u, "person_id": p, "title": "",
                                         "active": True, "created_at": now} for u, p in zip(unit_ids, head_ids)], ids=True)
    rows = []
    for i, (u, p) in enumerate(zip(unit_ids, head_ids)):
        state = states[i % len(states)]
        submitted = state != RegistrationState.DRAFT
        assigned = state == RegistrationState.ASSIGNED
        rows.append({"cycle_id": cycle.id, "track_id": track.id, "subject_id": subject_ids[i], "unit_id": u, "head_id": p, "state": state, "submitted_at": now if submitted else None,
                     "assigned_at": now if assigned else None, "decision_number": "1-QĐ/TU" if assigned else "",
                     "returned_reason": "Đề nghị bổ sung chỉ tiêu trọng điểm" if state == RegistrationState.RETURNED else ""})
    registration_ids = insert_rows(Registration, rows, ids=True)
    weight = Decimal(100) / targets
    target_rows = []
    for i, registration_id in enumerate(registration_ids):
        for k in range(targets):
            target_rows.append({
                "registration_id": registration_id, "position": k + 1, "kind": TargetKind.QUANTITATIVE, "title": f"Chỉ tiêu {k + 1}",
                "field": "Kinh tế", "measure": "%", "baseline": Decimal(80), "target_value": Decimal(100), "direction": Direction.HIGHER,
                "weight": weight, "plan_q1": Decimal(85), "plan_q2": Decimal(90), "plan_q3": Decimal(95), "plan_q4": Decimal(100),
                "origin": TargetOrigin.REGISTERED,
                "previous_target_id": previous_target_ids[i * targets + k] if previous_target_ids else None,
            })
    return registration_ids, insert_rows(Target, target_rows, ids=target_ids)


def province(cycle: Any, heads: int, *, targets: int = 10, staff_ids: list[int] | None = None, prefix: str = "B",
             report_quarter: int | None = None, report_state: ReportState = ReportState.SUBMITTED, due_on: date | None = None,
             entries: bool = True) -> list[int]:
    """Add `heads` units, each with a head and an assigned registration of `targets` targets in
    `cycle`; with `report_quarter`, a report of that quarter (in `report_state`) answering every
    target. Returns the registration ids."""
    now = utcnow()
    unit_ids, person_ids = units_with_heads(heads, staff_ids=staff_ids or [None], prefix=prefix)
    registration_ids, target_ids = registrations(cycle, unit_ids, person_ids, targets=targets, target_ids=report_quarter is not None and entries)
    if report_quarter is not None:
        submitted = report_state != ReportState.DRAFT
        period = framework.period_of(cycle, framework.track_in(cycle), report_quarter)
        report_ids = insert_rows(QuarterlyReport, [
            {"registration_id": r, "period_id": period.id, "quarter": report_quarter, "state": report_state, "due_on": due_on or date(cycle.year, 4, 12),
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
        insert_rows(ReportEntry, rows)
    db.session.flush()
    return registration_ids
