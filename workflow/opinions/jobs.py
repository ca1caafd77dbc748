"""The scheduler job of rounds of opinions: `opinions.remind`. From the day a round opens, each
person asked who has not answered gets the request once; on each day of `remind_days_before`
before the last day, a reminder of what is still unanswered. Each message is keyed by the round,
the reminder and the person (`event_key`), so a rerun or a second scheduler sends nothing twice;
a day the scheduler missed is made up by the next reminder only, never by two at once."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select

from scheduler import job
from workflow.accounts.models import Person
from workflow.core import formats
from workflow.extensions import db
from workflow.notifications.keys import event_key
from workflow.notifications.operations import notify
from workflow.opinions.models import OpinionRound, Respondent, RoundState


@job("opinions.remind", order=46)
def remind(now: datetime) -> dict[str, int]:
    """Ask for opinions when a round opens and remind those who have not answered before it closes."""
    today = formats.local(now).date()
    rounds = db.session.scalars(select(OpinionRound).where(OpinionRound.state == RoundState.OPEN, OpinionRound.opens_on <= today,
                                                           OpinionRound.closes_on >= today).order_by(OpinionRound.id)).all()
    requested = reminded = 0
    for round_ in rounds:
        waiting = Counter(db.session.scalars(select(Respondent.person_id).where(Respondent.round_id == round_.id, Respondent.answered.is_(False))))
        if not waiting:
            continue
        people = db.session.scalars(select(Person).where(Person.id.in_(waiting), Person.active.is_(True)).order_by(Person.id)).all()
        days_left = (round_.closes_on - today).days
        reached = [d for d in round_.rules["remind_days_before"] if days_left <= d]
        context = {"round": round_, "closes_on": formats.day(round_.closes_on), "path": "/opinions/mine"}
        for person in people:
            values = {**context, "count": waiting[person.id]}
            if notify(person, "opinion_request", event_key("opinion_request", round_, recipient=person), "opinion_request", values,
                      when=now, cycle=round_.cycle_id):
                requested += 1
            elif reached:
                reminded += notify(person, "opinion_reminder", event_key("opinion_reminder", round_, min(reached), recipient=person),
                                   "opinion_reminder", {**values, "days_left": days_left}, when=now, cycle=round_.cycle_id)
    return {"requested": requested, "reminded": reminded}
