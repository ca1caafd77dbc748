"""API: rounds of opinions (/api/v1/opinions/rounds) — a round with each subject's response rate,
and the results (aggregates per criterion) of a closed round, of the subjects the caller may see.
Answers are given only on the answer page, by the person asked."""

from __future__ import annotations

from dataclasses import asdict
from types import SimpleNamespace
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
from workflow.opinions import queries
from workflow.opinions.models import OpinionRound, RoundState
from workflow.opinions.schemas import OpinionResultSchema, OpinionRoundBriefSchema, OpinionRoundSchema

blp = Blueprint("opinions_api", __name__, url_prefix=f"{API_PREFIX}/opinions/rounds",
                description="Opinions from above and below: rounds, response rates, results (aggregates only).")


def _round(round_id: int) -> OpinionRound:
    round_ = get_or_404(OpinionRound, round_id)
    policy.require(current_user, "opinions.round.view", round_)
    return round_


@blp.get("")
@blp.response(200, OpinionRoundBriefSchema(many=True))
def list_rounds():
    policy.require(current_user, "opinions.round.view")
    return db.session.scalars(select(OpinionRound).order_by(OpinionRound.opens_on.desc(), OpinionRound.id.desc())).all()


@blp.get("/<int:round_id>")
@blp.response(200, OpinionRoundSchema)
def get_round(round_id: int):
    round_ = _round(round_id)
    rate = queries.rates([round_.id])
    subjects: list[dict[str, Any]] = [{"subject_id": item.subject_id, "name": item.name(), "asked": rate[item.id][0], "answered": rate[item.id][1]}
                                      for item in queries.subjects_of(round_)]
    return SimpleNamespace(**{name: getattr(round_, name) for name in ("id", "title", "track", "cycle", "opens_on", "closes_on", "state", "version", "rules")},
                           subjects=subjects)


@blp.get("/<int:round_id>/results")
@blp.response(200, OpinionResultSchema(many=True))
def get_results(round_id: int):
    round_ = _round(round_id)
    if round_.state != RoundState.CLOSED:
        raise TransitionRefused(gettext("The results are shown once the round is closed."))
    visible = [item for item in queries.subjects_of(round_) if policy.can(current_user, "opinions.results.view", item)]
    found = queries.results(round_, [item.id for item in visible])
    return [{"subject_id": item.subject_id, "name": item.name(), **asdict(found[item.id])} for item in visible]
