"""Reads of rounds of opinions: the response rate, the results per subject (aggregates only, see
`results`), what a person still has to answer, the panel of the council's or manager's dossier.
No read here returns an answer or a link between an answer and a person: there is none to return.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from workflow.extensions import db
from workflow.framework.models import Subject
from workflow.opinions.models import OpinionComments, OpinionRound, OpinionSubject, OpinionTally, Respondent, RoundState
from workflow.opinions.results import SubjectResult, summarise


def _with_names(stmt):
    return stmt.options(selectinload(OpinionSubject.subject).selectinload(Subject.person), selectinload(OpinionSubject.subject).selectinload(Subject.unit))


def subjects_of(round_: OpinionRound) -> list[OpinionSubject]:
    """The round's subjects with their people and units (three statements)."""
    return list(db.session.scalars(_with_names(select(OpinionSubject).where(OpinionSubject.round_id == round_.id).order_by(OpinionSubject.id))))


def rates(round_ids: Sequence[int]) -> dict[int, tuple[dict[str, int], dict[str, int]]]:
    """(asked, answered) by relation, per opinion subject of the rounds (one statement)."""
    rows = db.session.execute(
        select(Respondent.opinion_subject_id, Respondent.relation, func.count(), func.sum(case((Respondent.answered.is_(True), 1), else_=0)))
        .where(Respondent.round_id.in_(round_ids)).group_by(Respondent.opinion_subject_id, Respondent.relation)).all() if round_ids else []
    found: dict[int, tuple[dict[str, int], dict[str, int]]] = defaultdict(lambda: ({}, {}))
    for item_id, relation, asked, answered in rows:
        found[item_id][0][relation.value] = asked
        found[item_id][1][relation.value] = int(answered or 0)
    return found


def round_rate(round_: OpinionRound) -> tuple[int, int]:
    """(answered, asked) over the whole round."""
    answered, asked = db.session.execute(select(func.sum(case((Respondent.answered.is_(True), 1), else_=0)), func.count())
                                         .where(Respondent.round_id == round_.id)).one()
    return int(answered or 0), asked


def results(round_: OpinionRound, item_ids: Sequence[int] | None = None) -> dict[int, SubjectResult]:
    """Each opinion subject's result (three statements whatever the number of subjects)."""
    if item_ids is None:
        item_ids = list(db.session.scalars(select(OpinionSubject.id).where(OpinionSubject.round_id == round_.id)))
    if not item_ids:
        return {}
    counts: dict[int, dict[tuple[str, str], dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for item_id, relation, criterion, value, count in db.session.execute(
            select(OpinionTally.opinion_subject_id, OpinionTally.relation, OpinionTally.criterion, OpinionTally.value, OpinionTally.count)
            .where(OpinionTally.opinion_subject_id.in_(item_ids), OpinionTally.count > 0)):
        counts[item_id][relation.value, criterion][value] = count
    comments: dict[int, dict[str, list[str]]] = defaultdict(dict)
    for item_id, relation, texts in db.session.execute(select(OpinionComments.opinion_subject_id, OpinionComments.relation, OpinionComments.texts)
                                                       .where(OpinionComments.opinion_subject_id.in_(item_ids))):
        comments[item_id][relation.value] = list(texts or [])
    rate = rates([round_.id])
    return {item_id: summarise(round_.rules, round_.relations, rate[item_id][0], rate[item_id][1], counts[item_id], comments[item_id])
            for item_id in item_ids}


@dataclass(frozen=True)
class Pending:
    respondent: Respondent
    round: OpinionRound
    name: str  # the subject, in words


def pending_for(person_id: int) -> list[Pending]:
    """What the person is asked and has not answered, in rounds still open (one statement)."""
    rows = db.session.execute(
        _with_names(select(Respondent, OpinionRound, OpinionSubject)).join(OpinionRound, OpinionRound.id == Respondent.round_id)
        .join(OpinionSubject, OpinionSubject.id == Respondent.opinion_subject_id)
        .where(Respondent.person_id == person_id, Respondent.answered.is_(False), OpinionRound.state == RoundState.OPEN)
        .order_by(OpinionRound.closes_on, Respondent.id)).all()
    return [Pending(respondent, round_, item.name()) for respondent, round_, item in rows]


@dataclass(frozen=True)
class Panel:
    round: OpinionRound
    item: OpinionSubject
    result: SubjectResult | None  # None while the round is open: only the response rate is shown
    answered: int
    asked: int


def panel_for(cycle_id: int, subject_id: int) -> Panel | None:
    """The dossier's panel: the latest round of the cycle that asked about the subject — its
    results once closed, its response rate meanwhile."""
    row = db.session.execute(
        select(OpinionRound, OpinionSubject).join(OpinionSubject, OpinionSubject.round_id == OpinionRound.id)
        .where(OpinionRound.cycle_id == cycle_id, OpinionSubject.subject_id == subject_id)
        .order_by(OpinionRound.opens_on.desc(), OpinionRound.id.desc()).limit(1)).first()
    if row is None:
        return None
    round_, item = row
    asked, answered = rates([round_.id]).get(item.id, ({}, {}))
    result = results(round_, [item.id])[item.id] if round_.state == RoundState.CLOSED else None
    return Panel(round_, item, result, sum(answered.values()), sum(asked.values()))


