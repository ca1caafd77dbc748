"""The scheduler job of vote rounds: `votes.remind_follow_ups` reminds the standing committee of
every result that calls for an action and has no decision recorded, every `remind_every_days`
days (the round's rules) from the day the results were published, until the decision is
recorded. Keyed per follow-up, reminder and person, so a rerun or a second scheduler sends
nothing twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from scheduler import job
from workflow.accounts.models import Person, Role, RoleGrant
from workflow.core import formats
from workflow.extensions import db
from workflow.notifications.keys import event_key
from workflow.notifications.operations import notify
from workflow.votes.models import Candidate, FollowUp, FollowUpState, RoundState, VoteResult, VoteRound


@job("votes.remind_follow_ups", order=45)
def remind_follow_ups(now: datetime) -> dict[str, int]:
    """Remind the standing committee of the vote results still awaiting its decision."""
    rows = db.session.execute(
        select(FollowUp, VoteRound, Candidate)
        .join(VoteResult, VoteResult.id == FollowUp.result_id)
        .join(Candidate, Candidate.id == VoteResult.candidate_id)
        .join(VoteRound, VoteRound.id == VoteResult.round_id)
        .where(FollowUp.state == FollowUpState.OPEN, VoteRound.state == RoundState.CLOSED)
        .order_by(FollowUp.id)
    ).all()
    if not rows:
        return {"reminded": 0}
    committee = db.session.scalars(select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
                                   .where(RoleGrant.role == Role.COMMITTEE, Person.active.is_(True)).distinct()).all()
    reminded = 0
    today = formats.local(now).date()
    for follow_up, round_, candidate in rows:
        opened = formats.local(follow_up.created_at).date()
        if today < opened:
            continue
        number = (today - opened).days // round_.rules.get("remind_every_days", 7)
        words = {o["code"]: o["words"] for o in round_.rules["outcomes"]}.get(follow_up.outcome, {})
        for person in committee:
            reminded += notify(person, "vote_follow_up", event_key("vote_follow_up", follow_up, number, recipient=person), "vote_follow_up",
                               {"round": round_, "candidate": candidate, "follow_up": follow_up, "words": words,
                                "path": f"/votes/{round_.id}", "day": formats.day(round_.held_on),
                                "due": formats.day(follow_up.due_on) if follow_up.due_on else ""}, when=now)
    return {"reminded": reminded}
