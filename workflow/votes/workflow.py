"""The steps of a vote round, in one table: preparing → voting (only with quorum) → counting →
closed (results published, only once the paper count is confirmed)."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from workflow.core.transitions import Transition, Workflow
from workflow.votes.models import Method, RoundState, VoteRound
from workflow.votes.queries import attended_count, paper_count_of, summoned_count
from workflow.votes.results import quorum_met, quorum_needed

S = RoundState


def has_candidates(round_: VoteRound) -> str | None:
    if not round_.eligible:
        return gettext("No one is to be voted on yet.")
    return None


def quorum(round_: VoteRound) -> str | None:
    summoned, attended = summoned_count(round_), attended_count(round_)
    if quorum_met(round_.rules, summoned, attended):
        return None
    return gettext("Voting cannot open: %(attended)s of the %(summoned)s people summoned attend, and at least %(needed)s must (%(share)s).",
                   attended=attended, summoned=summoned, needed=quorum_needed(round_.rules, summoned) if summoned else 0,
                   share=round_.rules["quorum"])


def counted(round_: VoteRound) -> str | None:
    if round_.method != Method.PAPER:
        return None
    count = paper_count_of(round_)
    if count is None:
        return gettext("The counting board has not entered the paper ballots yet.")
    if count.confirmed_by_id is None:
        return gettext("A second member of the counting board must confirm the count first.")
    return None


ROUND = Workflow(
    "vote_round",
    RoundState,
    [
        Transition("open", (S.PREPARING,), S.VOTING, "vote.round.manage", _l("Open voting"), guards=(has_candidates, quorum), style="success"),
        Transition("close", (S.VOTING,), S.COUNTING, "vote.round.manage", _l("Close voting"), style="warning"),
        Transition("publish", (S.COUNTING,), S.CLOSED, "vote.round.manage", _l("Publish the results"), guards=(counted,), style="success"),
    ],
    labels={S.PREPARING: _l("Preparing"), S.VOTING: _l("Voting"), S.COUNTING: _l("Counting"), S.CLOSED: _l("Results published")},
)
STATE_TONES = {S.PREPARING: "secondary", S.VOTING: "success", S.COUNTING: "info", S.CLOSED: "dark"}
