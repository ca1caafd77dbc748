"""Who may do what with vote rounds, as a table (workflow.policy, votes section)."""

from __future__ import annotations

import pytest

import factories as f
from vote_support import vote_round
from workflow import policy
from workflow.accounts.models import Role
from workflow.extensions import db
from workflow.votes.models import FollowUp

WHO = ("staff", "committee", "admin", "secretary", "board", "voter", "candidate", "outsider")
# action: the people allowed, of WHO
TABLE = {
    "vote.round.manage": {"staff"},
    "vote.round.view": {"staff", "committee", "admin", "secretary", "board"},
    "vote.attendance.record": {"staff", "secretary"},
    "vote.count": {"board"},
    "vote.results.view": {"staff", "committee", "admin", "board"},
    "vote.dossier.view": {"staff", "committee", "voter", "candidate"},
    "vote.follow_up.record": {"committee"},
}


@pytest.fixture
def people():
    ctx = vote_round(candidates=1)
    secretary = f.person()
    ctx.round.secretary = secretary
    db.session.flush()
    return ctx, {
        "staff": ctx.staff, "committee": f.person(Role.COMMITTEE), "admin": f.person(Role.ADMIN), "secretary": secretary,
        "board": ctx.board[1], "voter": ctx.voters[0], "candidate": ctx.candidates[0].person, "outsider": f.person(),
    }


def test_the_votes_permissions_as_a_table(people):
    ctx, who = people
    candidate = ctx.candidates[0]
    objects = {"vote.dossier.view": candidate, "vote.follow_up.record": FollowUp(outcome="review")}
    for action, allowed in TABLE.items():
        obj = objects.get(action, ctx.round)
        got = {name for name, person in who.items() if policy.can(person, action, obj)}
        assert got == allowed, action
