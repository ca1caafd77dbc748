"""The evidence source `votes`: what the published vote results say about each plan's subject, as
facts for the engine (the rubric decides what they mean; nothing here decides a level).

For a round held within the cycle's year, about the person who is the plan's subject:
- `votes.<level>_share`: the share, in percent, of the level the round's outcomes read — for a
  confidence vote `votes.low_share` (the preset 366 rubrics read it as "trên 50% số phiếu tín
  nhiệm thấp", cited there as 366-QĐ/TW Điều 11 k4 điểm 4.2; the copies of 366-QĐ/TW read for
  config/votes.toml confirm Điều 11's levels, not that point), for a vote of confidence `votes.no_trust_share`. Rounded up to two decimals, so that a
  share just above a threshold never shows as on it and a share below never reaches it;
- `votes.outcome.<code>`: what the result calls for (e.g. `votes.outcome.dismissal`);
- `votes.level.<code>`: the level a classification round decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction

from sqlalchemy import select

from workflow.core import formats
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework.models import Subject
from workflow.framework.sources import source
from workflow.scoring.engine.evidence import Evidence
from workflow.targets.models import Registration
from workflow.votes.models import RoundState, VoteResult, VoteRound


def percent_up(share: Fraction) -> Decimal:
    return (Decimal(share.numerator) * 100 / Decimal(share.denominator)).quantize(Decimal("0.01"), ROUND_CEILING)


@source("votes")
def vote_evidence(cycle_id: int, registration_ids: Sequence[int] | None) -> dict[int, list[Evidence]]:
    """The published results of rounds held in the cycle's year, by plan (one statement)."""
    stmt = (
        select(Registration.id, VoteResult.id, VoteResult.low_share, VoteResult.outcome, VoteRound.title, VoteRound.held_on, VoteRound.rules)
        .join(Cycle, Cycle.id == Registration.cycle_id)
        .join(Subject, Subject.id == Registration.subject_id)
        .join(VoteResult, VoteResult.person_id == Subject.person_id)
        .join(VoteRound, (VoteRound.id == VoteResult.round_id) & (VoteRound.state == RoundState.CLOSED)
              & VoteRound.held_on.between(Cycle.starts_on, Cycle.ends_on))
        .where(Registration.cycle_id == cycle_id)
        .order_by(VoteRound.held_on, VoteResult.id)
    )
    if registration_ids is not None:
        stmt = stmt.where(Registration.id.in_(registration_ids))
    found: dict[int, list[Evidence]] = {}
    for registration_id, result_id, share, outcome, title, held_on, rules in db.session.execute(stmt):
        origin, ref = f"{title} ngày {formats.day(held_on)}", f"vote_result:{result_id}"
        facts = found.setdefault(registration_id, [])
        if rules["form"]["code"] == "classification":
            if outcome:
                facts.append(Evidence(f"votes.level.{outcome}", Decimal(1), origin, ref=ref))
            continue
        if share and rules["outcomes"]:
            facts.append(Evidence(f"votes.{rules['outcomes'][0]['level']}_share", percent_up(Fraction(share)), origin, ref=ref))
        if outcome:
            facts.append(Evidence(f"votes.outcome.{outcome}", Decimal(1), origin, ref=ref))
    return found
