"""Who may do what with a registration, as a table: role × action × state."""

import pytest

import factories as f
from workflow import policy
from workflow.accounts.models import Role
from workflow.extensions import db
from workflow.targets.models import RegistrationState

S = RegistrationState
ALL = frozenset(S)
NONE: frozenset = frozenset()
REVIEW = frozenset({S.SUBMITTED, S.REVIEWED})
ROLES = ("head", "other_head", "staff", "committee", "council", "admin")

# action -> role -> the states in which the role may take the action
EXPECTED = {
    "registration.view": {"head": ALL, "staff": ALL, "committee": ALL, "council": {S.ASSIGNED}, "admin": ALL},
    "registration.edit": {"head": {S.DRAFT, S.RETURNED}, "committee": REVIEW},
    "registration.submit": {"head": ALL},
    "registration.review": {"staff": ALL},
    "registration.return": {"staff": ALL, "committee": ALL},
    "registration.assign": {"committee": ALL},
    "target.supplement": {"committee": REVIEW},
    "proposal.create": {"staff": REVIEW},
    "comment.create": {"head": ALL, "staff": ALL, "committee": ALL},
    "amendment.request": {"head": {S.ASSIGNED}, "committee": {S.ASSIGNED}},
}
CASES = [(action, role, state, state in EXPECTED[action].get(role, NONE)) for action in EXPECTED for role in ROLES for state in S]


def _actor(role, reg):
    if role == "head":
        return db.session.get(f.Person, reg.head_id)
    if role == "other_head":
        return f.person(Role.HEAD)
    return f.person(Role(role))


@pytest.mark.parametrize("action, role, state, allowed", CASES, ids=lambda v: getattr(v, "value", str(v)))
def test_registration_policy(action, role, state, allowed):
    reg = f.registration(state=state)
    assert policy.can(_actor(role, reg), action, reg) is allowed


@pytest.mark.parametrize("role, allowed", [("head", False), ("staff", True), ("committee", True), ("council", True), ("admin", True)])
def test_who_sees_the_list_of_registrations(role, allowed):
    person = f.person(Role.HEAD) if role == "head" else f.person(Role(role))
    assert policy.can(person, "registration.list") is allowed


@pytest.mark.parametrize("role, state, allowed", [
    ("committee", S.SUBMITTED, True), ("committee", S.REVIEWED, True), ("committee", S.RETURNED, False),
    ("committee", S.ASSIGNED, False), ("staff", S.SUBMITTED, False), ("head", S.SUBMITTED, False), ("admin", S.REVIEWED, False),
])
def test_who_decides_proposals(role, state, allowed):
    from workflow.targets.models import Proposal

    reg = f.registration(state=state)
    proposal = Proposal(registration=reg, kind="drop", reason="x", author_id=f.person(Role.STAFF).id)
    assert policy.can(_actor(role, reg), "proposal.decide", proposal) is allowed


@pytest.mark.parametrize("role, allowed", [("committee", True), ("staff", False), ("head", False), ("admin", False), ("council", False)])
def test_who_decides_amendments(role, allowed):
    from workflow.targets.models import Amendment

    reg = f.registration(state=S.ASSIGNED)
    amendment = Amendment(registration=reg, reason="x", requested_by_id=reg.head_id)
    assert policy.can(_actor(role, reg), "amendment.decide", amendment) is allowed


def test_only_the_author_withdraws_a_proposal():
    from workflow.targets.models import Proposal

    reg = f.registration(state=S.SUBMITTED)
    author = f.person(Role.STAFF)
    proposal = Proposal(registration=reg, kind="drop", reason="x", author_id=author.id)
    assert policy.can(author, "proposal.withdraw", proposal)
    assert not policy.can(f.person(Role.STAFF), "proposal.withdraw", proposal)


def test_a_head_creates_registrations_only_for_the_unit_they_lead():
    unit = f.unit()
    head = f.person((Role.HEAD, unit))
    assert policy.can(head, "registration.create", unit)
    assert not policy.can(head, "registration.create", f.unit())
    assert not policy.can(f.person(Role.STAFF), "registration.create", unit)
