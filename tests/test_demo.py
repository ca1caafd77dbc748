"""`kpi demo` loads the province once and prints the logins of every role."""

import pytest
from sqlalchemy import func, select

from workflow.accounts.models import Person, Role, RoleGrant
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.units.models import Unit, UnitGroup


@pytest.mark.demo
def test_demo_loads_once_and_prints_logins(app, demo):
    runner = app.test_cli_runner()
    for role in ("admin", "staff", "committee", "council chair", "council secretary", "council member", "head"):
        assert f"\n  {role} " in demo.output
    assert "vinhphuc-2027" in demo.output
    assert db.session.scalar(select(func.count()).select_from(UnitGroup)) == 4
    heads = db.session.scalar(select(func.count()).select_from(RoleGrant).where(RoleGrant.role == Role.HEAD))
    assert 43 <= heads <= 50
    assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.staff_officer_id.is_(None))) == 0
    assert {c.year for c in db.session.scalars(select(Cycle))} == {2025, 2026, 2027}
    # A city's one-stop counters with a year of citizens' ratings and their cases (workflow/ratings/demo.py).
    from workflow.ratings.models import CaseState, Counter, Rating, RatingCase

    assert db.session.scalar(select(func.count()).select_from(Counter)) == 3
    assert db.session.scalar(select(func.count(func.distinct(Rating.month))).select_from(Rating)) == 12
    assert db.session.scalar(select(func.count()).select_from(Rating)) == 12 * 95
    states = dict(db.session.execute(select(RatingCase.state, func.count()).group_by(RatingCase.state)).all())
    assert states[CaseState.OPEN] == 2 and states[CaseState.ANSWERED] > 5
    # The mid-term confidence vote: six directors voted on, two left out, one result awaiting the committee.
    from workflow.votes.models import FollowUp, VoteResult, VoteRound

    vote = db.session.scalar(select(VoteRound))
    assert vote.state.value == "closed" and len(vote.eligible) == 6 and len(vote.candidates) == 8
    assert [r.outcome for r in db.session.scalars(select(VoteResult)) if r.outcome] == ["review"]
    assert db.session.scalar(select(FollowUp)).state.value == "open"
    # The round of opinions about two directors (workflow/opinions/demo.py): closed; Home Affairs' four
    # subordinates shown with a flagged gap, Finance's two answers of three too few to show.
    from workflow.opinions import queries as opinion_queries
    from workflow.opinions.models import OpinionRound

    opinions = db.session.scalar(select(OpinionRound))
    assert opinions.state.value == "closed"
    shown = sorted((r.shown["subordinate"], r.answered["subordinate"], bool(r.flagged)) for r in opinion_queries.results(opinions).values())
    assert shown == [(False, 2, False), (True, 4, True)]
    people = db.session.scalar(select(func.count()).select_from(Person))
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "already loaded" in again.output and "vinhphuc-2027" in again.output
    assert db.session.scalar(select(func.count()).select_from(Person)) == people


@pytest.mark.demo
def test_demo_logins_work(app, demo):
    client = app.test_client()
    response = client.post("/login", data={"username": "gd.skhdt", "password": "vinhphuc-2027"})
    assert response.status_code == 302
    assert "Nguyễn Văn Hùng" in client.get("/").get_data(as_text=True)
