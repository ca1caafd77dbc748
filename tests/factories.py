"""Factories for the objects tests need: groups, units, people with roles, cycles.

Each returns a flushed object with sensible Vietnamese defaults; keyword arguments override.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from workflow.accounts.models import Person, Role, RoleGrant
from workflow.accounts.passwords import hash_password
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.rules import load_rules
from workflow.units.models import Unit, UnitGroup

PASSWORD = "mat-khau-thu-nghiem"
_seq = itertools.count(1)
_password_hash: dict[str, str] = {}


def _n() -> int:
    return next(_seq)


def group(**kw: Any) -> UnitGroup:
    n = _n()
    obj = UnitGroup(code=kw.pop("code", f"G{n}"), name=kw.pop("name", f"Nhóm {n}"), **kw)
    db.session.add(obj)
    db.session.flush()
    return obj


def unit(**kw: Any) -> Unit:
    n = _n()
    if "group" not in kw and "group_id" not in kw:
        kw["group"] = group()
    obj = Unit(code=kw.pop("code", f"U{n}"), name=kw.pop("name", f"Sở số {n}"), **kw)
    db.session.add(obj)
    db.session.flush()
    return obj


def person(*roles: Role | tuple[Role, Unit], **kw: Any) -> Person:
    """person(Role.STAFF) or person((Role.HEAD, some_unit)); a head without a unit gets a new one."""
    n = _n()
    if PASSWORD not in _password_hash:
        _password_hash[PASSWORD] = hash_password(PASSWORD)
    obj = Person(
        username=kw.pop("username", f"user{n}"),
        full_name=kw.pop("full_name", f"Nguyễn Văn {n}"),
        email=kw.pop("email", f"user{n}@kpi.test"),
        password_hash=kw.pop("password_hash", _password_hash[PASSWORD]),
        **kw,
    )
    for r in roles:
        role, scope = (r, None) if isinstance(r, Role) else r
        if role == Role.HEAD and scope is None:
            scope = unit()
        obj.roles.append(RoleGrant(role=role, unit=scope))
        if role == Role.HEAD and obj.unit_id is None and "unit" not in kw:
            obj.unit = scope
    db.session.add(obj)
    db.session.flush()
    return obj


_rules_cache: dict[str, Any] = {}


def cycle(year: int = 2027, **kw: Any) -> Cycle:
    if "rules" not in kw:
        if "default" not in _rules_cache:
            _rules_cache["default"] = load_rules("config/rules/default.toml")
        kw["rules"] = _rules_cache["default"]
    obj = Cycle(
        year=year,
        name=kw.pop("name", f"Năm {year}"),
        starts_on=kw.pop("starts_on", date(year, 1, 1)),
        ends_on=kw.pop("ends_on", date(year, 12, 31)),
        rules_version=kw["rules"]["version"],
        **kw,
    )
    db.session.add(obj)
    db.session.flush()
    return obj


# --- registrations of targets (workflow.targets) ---------------------------------------------

def year(y: int) -> Cycle:
    """The cycle of year `y`, created when the test has none yet."""
    from sqlalchemy import select

    return db.session.scalar(select(Cycle).where(Cycle.year == y)) or cycle(y)


def registration(cycle: Cycle | None = None, unit: Unit | None = None, head: Person | None = None, **kw: Any):
    """A registration (draft unless `state` says otherwise) of a unit whose head is `head`."""
    from workflow.targets.models import Registration

    if head is None:
        unit = unit or globals()["unit"]()
        head = person((Role.HEAD, unit))
    unit = unit or head.unit
    from workflow.framework import operations as framework

    cycle = cycle or year(2027)
    track = framework.track_in(cycle)
    subject = framework.subject_of(track, unit_id=unit.id, person_id=head.id)
    obj = Registration(cycle=cycle, track=track, subject=subject, unit=unit, head_id=head.id, **kw)
    db.session.add(obj)
    db.session.flush()
    return obj


QUANTITATIVE = {
    "kind": "quantitative",
    "title": "Thu ngân sách nhà nước trên địa bàn",
    "field": "Tài chính - ngân sách",
    "measure": "tỷ đồng",
    "baseline": Decimal("1000"),
    "target_value": Decimal("1200"),
    "direction": "higher",
    "plan_q1": Decimal("300"),
    "plan_q2": Decimal("600"),
    "plan_q3": Decimal("900"),
    "plan_q4": Decimal("1200"),
    "weight": Decimal("50"),
}
TASK = {
    "kind": "task",
    "title": "Hoàn thành giải phóng mặt bằng dự án Khu đô thị Núi Bầu",
    "field": "Xây dựng - đô thị",
    "product": "Biên bản bàn giao mặt bằng sạch 29,3 ha cho chủ đầu tư",
    "due_date": date(2027, 9, 30),
    "milestone_q1": "Hoàn thành kiểm đếm",
    "milestone_q2": "Phê duyệt phương án bồi thường",
    "milestone_q3": "Bàn giao mặt bằng",
    "weight": Decimal("50"),
}


def target(registration, **kw: Any):
    """A target added directly (no revision): quantitative unless kind="task"."""
    from workflow.targets.models import Direction, Target, TargetKind

    values = dict(TASK if kw.get("kind") == "task" else QUANTITATIVE)
    values.update(kw)
    values["kind"] = TargetKind(values["kind"])
    if values.get("direction"):
        values["direction"] = Direction(values["direction"])
    position = max((t.position for t in registration.targets), default=0) + 1
    obj = Target(position=position, **values)
    registration.targets.append(obj)
    db.session.flush()
    return obj


def assigned_on(cycle: Cycle) -> date:
    """An assignment decision's date for `cycle`: mid-November of the year before, within the
    rules' margin and never in the future once that day has passed."""
    return date(cycle.year - 1, 11, 16)


def complete_registration(state: str = "draft", **kw: Any):
    """A registration with a focal quantitative target and a bottleneck task, weights 100,
    moved to `state` through the real operations (so revisions exist)."""
    from workflow.targets import operations

    reg = registration(**kw)
    target(reg, is_focal=True)
    target(reg, kind="task", is_bottleneck=True)
    target(reg, title="Tỷ lệ hồ sơ giải quyết trước hạn", measure="%", baseline=Decimal("90"), target_value=Decimal("95"),
           plan_q1=Decimal("92"), plan_q2=Decimal("93"), plan_q3=Decimal("94"), plan_q4=Decimal("95"), weight=Decimal("20"))
    reg.targets[0].weight = Decimal("40")
    reg.targets[1].weight = Decimal("40")
    db.session.flush()
    head = db.session.get(Person, reg.head_id)
    path = {"draft": [], "submitted": ["submit"], "reviewed": ["submit", "forward"], "returned": ["submit", "return"],
            "assigned": ["submit", "forward", "assign"]}[state]
    staff, committee = person(Role.STAFF), person(Role.COMMITTEE)
    for step in path:
        actor = {"submit": head, "forward": staff, "return": staff, "assign": committee}[step]
        operations.take_step(reg, step, actor=actor, version=reg.version, reason="Chưa đạt yêu cầu" if step == "return" else "",
                             decision={"decision_number": "123-QĐ/TU", "decision_date": assigned_on(reg.cycle), "signer_id": committee.id})
        db.session.flush()
    return reg


def api_headers(person: Person) -> dict[str, str]:
    """Headers for an API call as `person`, with a new personal token (committed, so the request,
    in its own session, finds it)."""
    from workflow.accounts.operations import create_token

    _, secret = create_token(person, "test", actor=person)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


# --- quarterly reports (workflow.reports) ----------------------------------------------------

def execution_cycle(y: int = 2027) -> Cycle:
    """The cycle of year `y`, in execution (reports are made then)."""
    from workflow.cycles.models import CycleState

    c = year(y)
    c.state = CycleState.EXECUTION
    db.session.flush()
    return c


def assigned_registration(y: int = 2027, **kw: Any):
    """An officially assigned registration (a cumulative revenue target 1000 → 1200 planned
    300/600/900/1200, a task due 30/9, a percentage 90 → 95) in a cycle in execution."""
    return complete_registration("assigned", cycle=execution_cycle(y), **kw)


def report(registration, quarter: int = 1, **kw: Any):
    """A draft report of `registration` for `quarter`, due as its window says."""
    from workflow.calendar import window_for
    from workflow.reports.models import QuarterlyReport

    from workflow.framework import operations as framework

    period = framework.period_of(registration.cycle, registration.track, quarter)
    obj = QuarterlyReport(registration=registration, period=period, quarter=quarter, due_on=window_for(registration.cycle, quarter).due_on, **kw)
    db.session.add(obj)
    db.session.flush()
    return obj


def head_of(registration) -> Person:
    return db.session.get(Person, registration.head_id)


def full_entries(registration, *, actual: str = "310", task_status: str = "in_progress", percent: str = "92.5") -> list[dict[str, Any]]:
    """Entries that complete a report of `assigned_registration`: every target answered."""
    from workflow.targets.models import TargetKind

    entries = []
    for t in registration.targets:
        values: dict[str, Any] = {"target_id": t.id, "narrative": f"Kết quả thực hiện {t.title}", "confidence": 4}
        if t.kind == TargetKind.TASK:
            values["milestone_status"] = task_status
        else:
            values["actual"] = Decimal(percent if t.measure == "%" else actual)
        entries.append(values)
    return entries


# --- monthly self-scoring of collectives (workflow.selfscoring) -------------------------------

def recognised_months(subject, cycle: Cycle, months: int = 12, *, skip: tuple[int, ...] = ()) -> None:
    """`months` months of the collective's self-scoring recognised by the committee above (the
    12-month rule of the rules file), the months in `skip` left out; written as they stand at the
    year's end (the steps themselves: tests/test_selfscoring.py)."""
    from workflow.core.models import utcnow
    from workflow.selfscoring.models import CollectiveSelfScore, SelfScoreState

    numbers = [m for m in range(1, 13) if m not in skip][:months]
    for number in numbers:
        db.session.add(CollectiveSelfScore(subject_id=subject.id, cycle_id=cycle.id, month=number, state=SelfScoreState.RECOGNISED,
                                           points=Decimal(90), note="", returned_reason="", submitted_at=utcnow(), reviewed_at=utcnow()))
    db.session.flush()
