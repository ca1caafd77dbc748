"""API: vote rounds (/api/v1/votes/rounds) — a round with its people, attendance and state, its
published results, and its steps (open, close, publish) with the round's version. Ballots are
cast only on the ballot page, with a one-time code."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from workflow import policy
from workflow.core.api import API_PREFIX
from workflow.core.errors import TransitionRefused
from workflow.core.web import get_or_404
from workflow.extensions import db
from workflow.votes import operations, queries
from workflow.votes.models import RoundState, VoteRound
from workflow.votes.schemas import VoteResultSchema, VoteRoundBriefSchema, VoteRoundSchema, VoteStepSchema

blp = Blueprint("votes_api", __name__, url_prefix=f"{API_PREFIX}/votes/rounds",
                description="Confidence votes and secret-ballot classification: rounds, results, steps.")


def _payload(round_: VoteRound) -> dict[str, Any]:
    return {**{name: getattr(round_, name) for name in ("id", "title", "organiser", "term", "held_on", "profile", "version", "rules", "candidates")},
            "method": round_.method.value, "state": round_.state.value,
            "summoned": queries.summoned_count(round_), "attended": queries.attended_count(round_)}


def _round(round_id: int, action: str = "vote.round.view") -> VoteRound:
    round_ = get_or_404(VoteRound, round_id)
    policy.require(current_user, action, round_)
    return round_


@blp.get("")
@blp.response(200, VoteRoundBriefSchema(many=True))
def list_rounds():
    policy.require(current_user, "vote.round.view")
    rounds = db.session.scalars(select(VoteRound).order_by(VoteRound.held_on.desc(), VoteRound.id.desc())).all()
    return [r for r in rounds if policy.can(current_user, "vote.round.view", r)]


@blp.get("/<int:round_id>")
@blp.response(200, VoteRoundSchema)
def get_round(round_id: int):
    return _payload(_round(round_id))


@blp.get("/<int:round_id>/results")
@blp.response(200, VoteResultSchema(many=True))
def get_results(round_id: int):
    round_ = _round(round_id, "vote.results.view")
    if round_.state != RoundState.CLOSED:
        raise TransitionRefused(gettext("The results are shown once they are published."))
    return queries.results_of(round_)


@blp.post("/<int:round_id>/step")
@blp.arguments(VoteStepSchema)
@blp.response(200, VoteRoundSchema)
def take_step(data, round_id: int):
    round_ = _round(round_id)
    operations.take_step(round_, data["step"], actor=current_user, version=data["version"])
    db.session.flush()
    return _payload(round_)
