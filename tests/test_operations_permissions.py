"""Every operation enforces its own rule, whoever calls it: the operations of units, accounts
and cycles called directly with a person who may not act are refused (PermissionDenied, before
a stale version is noticed), and succeed for one who may. Commands on the server act as
`policy.SYSTEM`; no person (None) may do anything."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import factories as f
from workflow import policy
from workflow.accounts import operations as accounts
from workflow.accounts.models import Role
from workflow.core.errors import PermissionDenied
from workflow.cycles import operations as cycles
from workflow.cycles.models import CycleState
from workflow.extensions import db
from workflow.units import operations as units


@pytest.fixture
def world(app):
    admin = f.person(Role.ADMIN)
    head = f.person(Role.HEAD)
    group = f.group()
    empty_group = f.group()
    unit = f.unit(group=group)
    empty_unit = f.unit(group=group)
    closed = f.person(Role.STAFF)
    closed.active = False
    staff = f.person(Role.STAFF)
    colleague = f.person(Role.COMMITTEE)
    token, _ = accounts.create_token(head, "tích hợp", actor=head)
    cycle = f.cycle(2031, state=CycleState.REGISTRATION)
    db.session.flush()
    return SimpleNamespace(admin=admin, head=head, group=group, empty_group=empty_group, unit=unit, empty_unit=empty_unit, closed=closed,
                           staff=staff, colleague=colleague, token=token, cycle=cycle)


STALE = 999
# name, who may (the first one acts), the call (w: the world, a: the actor, v: the version it sends)
CASES = [
    ("create a group", "admin", lambda w, a, v: units.create_group(actor=a, code="NHOM-MOI", name="Nhóm mới")),
    ("edit a group", "admin", lambda w, a, v: units.update_group(w.group, actor=a, version=v(w.group), name="Khối mới")),
    ("delete a group", "admin", lambda w, a, v: units.delete_group(w.empty_group, actor=a)),
    ("create a unit", "admin", lambda w, a, v: units.create_unit(actor=a, code="SO-MOI", name="Sở mới", group_id=w.group.id)),
    ("edit a unit", "admin", lambda w, a, v: units.update_unit(w.unit, actor=a, version=v(w.unit), name="Sở Nội vụ")),
    ("delete a unit", "admin", lambda w, a, v: units.delete_unit(w.empty_unit, actor=a)),
    ("create an account", "admin", lambda w, a, v: accounts.create_person(actor=a, username="nguoi.moi", full_name="Người Mới", email="moi@kpi.test")),
    ("edit an account", "admin", lambda w, a, v: accounts.update_person(w.staff, actor=a, version=v(w.staff), title="Chuyên viên chính")),
    ("deactivate an account", "admin", lambda w, a, v: accounts.deactivate_person(w.staff, actor=a)),
    ("reactivate an account", "admin", lambda w, a, v: accounts.reactivate_person(w.closed, actor=a)),
    ("reset another's password", "admin", lambda w, a, v: accounts.set_password(w.colleague, "mat-khau-moi-dai-du", actor=a)),
    ("sign another out everywhere", "admin", lambda w, a, v: accounts.sign_out_everywhere(w.colleague, actor=a)),
    ("grant a role", "admin", lambda w, a, v: accounts.grant_role(w.staff, Role.COMMITTEE, actor=a)),
    ("revoke a role", "admin", lambda w, a, v: accounts.revoke_role(w.staff.roles[0], actor=a)),
    ("set one's own password", "head admin", lambda w, a, v: accounts.set_password(w.head, "mat-khau-moi-dai-du", actor=a)),
    ("set one's own language", "head", lambda w, a, v: accounts.set_locale(w.head, "en", actor=a)),
    ("create one's own token", "head", lambda w, a, v: accounts.create_token(w.head, "báo cáo", actor=a)),
    ("revoke one's own token", "head", lambda w, a, v: accounts.revoke_token(w.token, actor=a)),
    ("create a cycle", "admin", lambda w, a, v: cycles.create_cycle(2032, actor=a, state=CycleState.CLOSED)),
    ("rename a cycle", "admin", lambda w, a, v: cycles.rename_cycle(w.cycle, actor=a, version=v(w.cycle), name="Năm 2031")),
    ("advance a cycle", "admin", lambda w, a, v: cycles.advance_cycle(w.cycle, "start_execution", actor=a, version=v(w.cycle))),
]
WRONG = ["head", "staff", "admin", "nobody"]


def _actor(w, name):
    return None if name == "nobody" else getattr(w, name)


@pytest.mark.parametrize("name, allowed, call", CASES, ids=[c[0] for c in CASES])
def test_operation_refuses_a_person_who_may_not_and_checks_before_the_version(world, name, allowed, call):
    for wrong in (w for w in WRONG if w not in allowed.split()):
        with pytest.raises(PermissionDenied):
            call(world, _actor(world, wrong), lambda obj: STALE)
    call(world, _actor(world, allowed.split()[0]), lambda obj: obj.version)


def test_a_command_on_the_server_acts_as_the_system(world):
    person = accounts.create_person(actor=policy.SYSTEM, username="quan.tri", full_name="Quản Trị", email="qt@kpi.test")
    accounts.grant_role(person, Role.ADMIN, actor=policy.SYSTEM)
    db.session.flush()
    assert person.has_role(Role.ADMIN)
