"""Who may do what in the council, as a table: members score only in their cycle's council and
never a head they are recused from; the secretary, the chair and the committee each have their
own acts; a head sees their own result and objects to it."""

from __future__ import annotations

import pytest

import factories as f
from council_support import council, open_scoring, reported_registration
from workflow import policy
from workflow.accounts.models import Role
from workflow.council.models import Scorecard


@pytest.fixture
def world(app):
    cycle = f.year(2027)
    mine = reported_registration(cycle)
    other = reported_registration(cycle)
    chairs = reported_registration(cycle)  # the chair heads a unit that is evaluated too
    open_scoring(cycle)
    head = f.head_of(mine)
    seats = council(cycle, members=1, chair=f.head_of(chairs))
    other_cycle = f.year(2028)
    outsider = f.person(Role.COUNCIL)
    people = {
        "chair": seats["chair"].person, "secretary": seats["secretary"].person, "member": seats["m1"].person, "outsider": outsider,
        "committee": f.person(Role.COMMITTEE), "admin": f.person(Role.ADMIN), "staff": f.person(Role.STAFF), "head": head,
        "other head": f.head_of(other),
    }
    objects = {
        "cycle": cycle, "other cycle": other_cycle, "mine": mine, "other": other,
        "member seat": seats["m1"], "card on other": Scorecard(cycle_id=cycle.id, member=seats["m1"], registration=other),
        "chair card on own": Scorecard(cycle_id=cycle.id, member=seats["chair"], registration=chairs),
        "secretary card on other": Scorecard(cycle_id=cycle.id, member=seats["secretary"], registration=other),
    }
    return people, objects


TABLE = [
    # action, object, people allowed (everyone else refused)
    ("council.view", "cycle", {"chair", "secretary", "member", "committee", "admin", "staff"}),
    ("council.view", "other cycle", {"committee", "admin", "staff"}),
    ("council.members.manage", "cycle", {"admin"}),
    ("council.settings.edit", "cycle", {"secretary", "admin"}),
    ("council.member.declare_conflict", "member seat", {"member"}),
    ("council.member.score", "card on other", {"member"}),
    ("council.member.score", "chair card on own", set()),  # the chair never scores herself
    ("council.member.score", "secretary card on other", {"secretary"}),
    ("council.member.scorecards", "cycle", {"chair", "secretary", "member"}),
    ("council.secretary.progress", "cycle", {"chair", "secretary", "admin"}),
    ("council.secretary.remind", "member seat", {"secretary"}),
    ("council.secretary.reopen", "card on other", {"secretary"}),
    ("council.secretary.session", "cycle", {"secretary"}),
    ("council.secretary.discipline", "other", {"secretary"}),
    ("council.chair.finalise", "cycle", {"chair"}),
    ("council.chair.reopen", "cycle", {"chair"}),
    # Figures across heads: the chair and the secretary too, once they may see every head's
    # scores (nobody has scored here; see test_score_visibility.py for the states).
    ("council.chair.raters", "cycle", {"committee", "admin"}),
    ("council.proposals.view", "cycle", {"chair", "secretary", "member", "committee", "admin"}),
    ("council.decisions.view", "cycle", {"chair", "secretary", "committee", "admin"}),
    ("council.what_if", "cycle", {"committee", "admin"}),
    ("council.export", "cycle", {"committee", "admin"}),
    ("council.committee.decide", "cycle", {"committee"}),
    ("council.committee.publish", "cycle", {"committee"}),
    ("council.committee.waive", "cycle", {"committee"}),
    ("council.objection.decide", "cycle", {"committee"}),
    ("council.result.view", "mine", {"chair", "secretary", "committee", "admin", "head"}),
    ("council.result.view", "other", {"chair", "secretary", "committee", "admin", "other head"}),
    ("council.objection.file", "mine", {"head"}),
    ("council.self_assessment.edit", "other", {"other head"}),
]


@pytest.mark.parametrize("action, target, allowed", TABLE, ids=[f"{a}:{o}" for a, o, _ in TABLE])
def test_council_policy_table(world, action, target, allowed):
    people, objects = world
    decided = {name for name, person in people.items() if policy.can(person, action, objects[target])}
    assert decided == allowed
