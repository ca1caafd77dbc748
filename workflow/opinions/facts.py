"""The evidence source `opinions`: what closed rounds of the cycle say about each plan's subject,
as facts for the engine (the rubric decides what they mean; nothing here decides a level).

For the latest closed round of the plan's cycle that asked about its subject, per criterion:
- `opinions.superior.<criterion>`: the superior's mean on the round's scale;
- `opinions.subordinate.<criterion>` (and `opinions.peer.<criterion>`): the mean of the
  subordinates (peers), only when at least the round's `min_answers` answered;
- `opinions.gap.<criterion>`: the superior's mean minus the subordinates', when it reaches the
  round's `gap_threshold` either way.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from workflow.extensions import db
from workflow.framework.sources import source
from workflow.opinions import queries
from workflow.opinions.models import OpinionRound, OpinionSubject, RoundState
from workflow.scoring.engine.evidence import Evidence
from workflow.targets.models import Registration


@source("opinions")
def opinion_evidence(cycle_id: int, registration_ids: Sequence[int] | None) -> dict[int, list[Evidence]]:
    """Aggregates of the closed rounds of the cycle, by plan (a fixed number of statements per round)."""
    stmt = (select(Registration.id, OpinionSubject.id, OpinionRound)
            .join(OpinionSubject, OpinionSubject.subject_id == Registration.subject_id)
            .join(OpinionRound, (OpinionRound.id == OpinionSubject.round_id) & (OpinionRound.cycle_id == Registration.cycle_id)
                  & (OpinionRound.state == RoundState.CLOSED))
            .where(Registration.cycle_id == cycle_id)
            .order_by(OpinionRound.opens_on, OpinionRound.id))
    if registration_ids is not None:
        stmt = stmt.where(Registration.id.in_(registration_ids))
    latest: dict[int, tuple[int, OpinionRound]] = {}
    for registration_id, item_id, round_ in db.session.execute(stmt):
        latest[registration_id] = (item_id, round_)  # ordered by date: the last one wins
    by_round: dict[int, list[int]] = {}
    rounds: dict[int, OpinionRound] = {}
    for item_id, round_ in latest.values():
        by_round.setdefault(round_.id, []).append(item_id)
        rounds[round_.id] = round_
    summaries = {}
    for round_id, item_ids in by_round.items():
        summaries.update(queries.results(rounds[round_id], item_ids))
    found: dict[int, list[Evidence]] = {}
    for registration_id, (item_id, round_) in latest.items():
        result = summaries[item_id]
        answered, asked = result.rate
        origin = f"{round_.title}: {answered}/{asked} ý kiến"
        facts = found.setdefault(registration_id, [])
        for criterion in result.criteria:
            for relation, value in criterion.means.items():
                facts.append(Evidence(f"opinions.{relation}.{criterion.code}", value, origin, ref=f"opinion_subject:{item_id}"))
            if criterion.flagged:
                facts.append(Evidence(f"opinions.gap.{criterion.code}", criterion.gap, origin, ref=f"opinion_subject:{item_id}"))
    return found
