"""The shared mechanisms: declared workflows, the policy table, pagination, concurrency, rules."""

import enum
from dataclasses import dataclass

import pytest

import factories as f
from workflow import policy
from workflow.accounts.models import Role
from workflow.core.concurrency import check_version
from workflow.core.errors import PermissionDenied, StaleObject, TransitionRefused, ValidationFailed
from workflow.core.pagination import clamp
from workflow.core.transitions import Transition, Workflow
from workflow.rules import RulesError, parse_rules


class Light(enum.StrEnum):
    RED = "red"
    GREEN = "green"


@dataclass
class Thing:
    state: Light
    ready: bool = True


LIGHTS = Workflow(
    "lights",
    Light,
    [
        Transition("go", (Light.RED,), Light.GREEN, "admin.audit.view", "Go", guards=(lambda t: None if t.ready else "not ready",)),
        Transition("stop", (Light.GREEN,), Light.RED, "dashboard.view", "Stop", reason_required=True),
    ],
    labels={Light.RED: "Red", Light.GREEN: "Green"},
)


def test_workflow_fires_allowed_steps():
    admin = f.person(Role.ADMIN)
    thing = Thing(Light.RED)
    assert LIGHTS.fire(thing, "go", actor=admin) == (Light.RED, Light.GREEN)
    assert thing.state == Light.GREEN


@pytest.mark.parametrize(
    "state, step, role, ready, reason, error",
    [
        (Light.GREEN, "go", Role.ADMIN, True, None, TransitionRefused),  # wrong state
        (Light.RED, "go", Role.STAFF, True, None, PermissionDenied),  # not allowed
        (Light.RED, "go", Role.ADMIN, False, None, TransitionRefused),  # guard refuses
        (Light.GREEN, "stop", Role.STAFF, True, "  ", ValidationFailed),  # reason missing
        (Light.RED, "fly", Role.ADMIN, True, None, TransitionRefused),  # unknown step
    ],
)
def test_workflow_refuses_with_a_reason(state, step, role, ready, reason, error):
    thing = Thing(state, ready)
    with pytest.raises(error) as info:
        LIGHTS.fire(thing, step, actor=f.person(role), reason=reason)
    assert str(info.value)
    assert thing.state == state


def test_guard_reason_is_the_message():
    with pytest.raises(TransitionRefused, match="not ready"):
        LIGHTS.fire(Thing(Light.RED, ready=False), "go", actor=f.person(Role.ADMIN))


def test_available_lists_steps_with_their_refusals():
    admin = f.person(Role.ADMIN)
    assert [(t.name, r) for t, r in LIGHTS.available(Thing(Light.RED, ready=False), admin)] == [("go", "not ready")]
    assert LIGHTS.available(Thing(Light.RED), f.person(Role.STAFF)) == []


def test_workflow_declaration_is_checked():
    with pytest.raises(ValueError, match="declared twice"):
        Workflow("x", Light, [Transition("a", (Light.RED,), Light.GREEN, "x", "A")] * 2, labels={Light.RED: "", Light.GREEN: ""})
    with pytest.raises(ValueError, match="without a label"):
        Workflow("x", Light, [], labels={Light.RED: ""})


@pytest.mark.parametrize(
    "role, action, allowed",
    [
        (Role.ADMIN, "admin.audit.view", True),
        (Role.STAFF, "admin.audit.view", False),
        (Role.COMMITTEE, "admin.audit.view", False),
        (Role.HEAD, "admin.accounts.manage", False),
        (Role.HEAD, "dashboard.view", True),
        (Role.COUNCIL, "account.tokens.manage", True),
    ],
)
def test_platform_policy(role, action, allowed):
    assert policy.can(f.person(role), action) is allowed


def test_policy_refuses_inactive_and_anonymous_people():
    admin = f.person(Role.ADMIN, active=False)
    assert not policy.can(admin, "admin.audit.view")
    assert not policy.can(None, "dashboard.view")


def test_policy_without_a_rule_is_a_programming_error():
    with pytest.raises(LookupError):
        policy.can(f.person(Role.ADMIN), "no.such.action")


def test_every_action_named_by_a_workflow_has_a_rule():
    from workflow.core import transitions

    workflows = [obj for obj in transitions.__dict__.values() if isinstance(obj, Workflow)]
    known = set(policy.actions())
    for wf in workflows:
        for _, _, _, action in wf.rows():
            assert action in known


@pytest.mark.parametrize(
    "page, per_page, expected",
    [(1, 25, (1, 25)), ("3", "10", (3, 10)), ("-1", "0", (1, 1)), ("x", "y", (1, 25)), (None, 10**9, (1, 100))],
)
def test_page_arguments_are_clamped(page, per_page, expected):
    assert clamp(page, per_page) == expected


def test_check_version():
    unit = f.unit()
    check_version(unit, unit.version)
    with pytest.raises(StaleObject) as info:
        check_version(unit, unit.version - 1 if unit.version > 1 else 99)
    assert info.value.current_version == unit.version
    with pytest.raises(StaleObject):
        check_version(unit, None)


def test_version_column_detects_a_concurrent_write():
    from sqlalchemy.orm.exc import StaleDataError

    from workflow.extensions import db
    from workflow.units.models import Unit

    unit = f.unit(name="Sở Tài chính")
    # Someone else saves the row after this session loaded it (a Core UPDATE, which the
    # session does not see):
    table = Unit.__table__
    db.session.execute(table.update().where(table.c.id == unit.id).values(version=table.c.version + 1, name="khác"))
    unit.name = "Sở Kế hoạch"
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()


def test_rules_file_errors_name_the_file():
    with pytest.raises(RulesError, match="version"):
        parse_rules("", "x.toml")
    with pytest.raises(RulesError, match=r"x.toml: .*line 2"):
        parse_rules('version = "1"\nfoo = = 2\n', "x.toml")
    with pytest.raises(RulesError, match=r"unknown section \[nonsense\]"):
        parse_rules('version = "1"\n[nonsense]\na = 1\n', "x.toml")


def test_default_rules_load():
    from workflow.rules import load_rules

    rules = load_rules("config/rules/default.toml")
    assert rules["version"]


def test_a_schemas_checks_do_not_pile_up_with_its_instances():
    """marshmallow copies a declared field shallowly for each schema instance: the checks every
    field gets (workflow.core.schemas._bound) must not be added to the declared field again each
    time, or loading would slow down with every request."""
    from marshmallow import fields

    from workflow.core.schemas import BaseSchema

    class Sample(BaseSchema):
        code = fields.String()
        names = fields.Dict(keys=fields.String(), values=fields.String())
        count = fields.Integer()

    counts = {(len(s.fields["code"].validators), len(s.fields["names"].value_field.validators), len(s.fields["count"].validators))
              for s in (Sample() for _ in range(5))}
    assert counts == {(1, 1, 1)}
