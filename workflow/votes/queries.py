"""Reads of vote rounds: counts, the ballots as tallies, dossiers, receipts. Nothing here writes."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from workflow.extensions import db
from workflow.votes.models import BallotCode, BallotTally, Candidate, Method, PaperCount, PaperTally, Receipt, VoteResult, VoteRound, Voter
from workflow.votes.results import Totals


def digest(round_id: int, secret: str) -> str:
    """The stored form of a code or a receipt: what the voter holds cannot be read back from it."""
    normal = "".join(ch for ch in secret.upper() if ch.isalnum())
    return hashlib.sha256(f"{round_id}:{normal}".encode()).hexdigest()


def summoned_count(round_: VoteRound) -> int:
    return db.session.scalar(select(func.count()).where(Voter.round_id == round_.id)) or 0


def attended_count(round_: VoteRound) -> int:
    return db.session.scalar(select(func.count()).where(Voter.round_id == round_.id, Voter.attended.is_(True))) or 0


def paper_count_of(round_: VoteRound) -> PaperCount | None:
    return db.session.scalar(select(PaperCount).where(PaperCount.round_id == round_.id))


def ballots_cast(round_: VoteRound) -> int:
    """Electronic ballots cast: one per code spent (both are written in one transaction)."""
    return db.session.scalar(select(func.count()).where(BallotCode.round_id == round_.id, BallotCode.spent.is_(True))) or 0


def receipt_counted(round_: VoteRound, receipt: str) -> bool:
    return db.session.scalar(select(func.count()).where(Receipt.round_id == round_.id, Receipt.digest == digest(round_.id, receipt))) == 1


def tallies(round_: VoteRound) -> tuple[Totals, dict[int, dict[str, int]]]:
    """The round's totals and each eligible candidate's count per level: the confirmed paper
    count and the electronic ballots together."""
    summoned, attended = summoned_count(round_), attended_count(round_)
    counts: dict[int, Counter[str]] = {c.id: Counter() for c in round_.eligible}
    cast = valid = 0
    if round_.method == Method.PAPER:
        paper = paper_count_of(round_)
        if paper is not None:
            cast, valid = paper.collected, paper.collected - paper.invalid
            for tally in paper.tallies:
                if tally.candidate_id in counts:
                    counts[tally.candidate_id].update(tally.counts)
    else:
        cast = valid = ballots_cast(round_)
        for candidate_id, level, n in db.session.execute(select(BallotTally.candidate_id, BallotTally.level, BallotTally.count)
                                                         .where(BallotTally.round_id == round_.id)):
            if candidate_id in counts:
                counts[candidate_id][level] += n
    return Totals(summoned, attended, cast, valid), {k: dict(v) for k, v in counts.items()}


def results_of(round_: VoteRound) -> list[VoteResult]:
    return list(db.session.scalars(select(VoteResult).join(Candidate).where(VoteResult.round_id == round_.id)
                                   .order_by(Candidate.position, Candidate.id)))


def dossier(candidate: Candidate) -> dict[str, Any]:
    """What the voters may read about a candidate before the day: their evaluation results in this
    product (the levels the committee published, each with the head's self-assessment), read-only."""
    from workflow.council.models import CouncilSession, Decision, SelfAssessment, SessionState
    from workflow.cycles.models import Cycle
    from workflow.targets.models import Registration

    latest = select(Decision.registration_id, func.max(Decision.number).label("number")).group_by(Decision.registration_id).subquery()
    rows = db.session.execute(
        select(Cycle.year, Cycle.name, Decision.level, Registration.id, SelfAssessment.summary, SelfAssessment.shortcomings)
        .join(latest, (latest.c.registration_id == Decision.registration_id) & (latest.c.number == Decision.number))
        .join(Registration, Registration.id == Decision.registration_id)
        .join(Cycle, Cycle.id == Decision.cycle_id)
        .join(CouncilSession, (CouncilSession.cycle_id == Cycle.id) & (CouncilSession.state == SessionState.PUBLISHED))
        .outerjoin(SelfAssessment, SelfAssessment.registration_id == Registration.id)
        .where(Registration.head_id == candidate.person_id)
        .order_by(Cycle.year)
    ).all()
    return {"candidate": candidate, "years": [dict(year=r[0], cycle=r[1], level=r[2], registration_id=r[3], summary=r[4] or "",
                                                   shortcomings=r[5] or "") for r in rows]}
