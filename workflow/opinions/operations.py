"""Every change to rounds of opinions. Each function takes the acting person, checks the policy and
the round's state and writes the audit entry; nothing here commits.

`answer` writes no audit entry on purpose: an entry "X answered about Y at 10:41" beside the
counts would say who gave what. What is kept of an answer is described in `models`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from flask_babel import get_locale, gettext
from sqlalchemy import and_, case, insert, or_, select, update

from workflow import policy
from workflow.accounts.models import Person
from workflow.accounts.queries import heads_of
from workflow.core import audit, formats
from workflow.core.concurrency import check_version
from workflow.core.errors import PermissionDenied, TransitionRefused, ValidationFailed
from workflow.core.models import utcnow
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework.models import Subject, SubjectKind, Track
from workflow.opinions.models import OpinionComments, OpinionRound, OpinionSubject, OpinionTally, Relation, Respondent, RoundState
from workflow.opinions.rules import for_track
from workflow.units.models import Unit

COMMENT_LENGTH = 2000
_shuffle = random.SystemRandom().shuffle


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "vi"


def today() -> date:
    return formats.local(utcnow()).date()


def open_round(*, actor: Any, cycle: Cycle, track: Track, title: str, opens_on: date | None, secretary: Person | None = None) -> OpinionRound:
    """A round of opinions for a track in a cycle, its window from `opens_on` for the rules'
    `window_days`, the cycle's rules for the track copied in."""
    policy.require(actor, "opinions.round.manage")
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [gettext("Please fill this in.")]
    if opens_on is None:
        errors["opens_on"] = [gettext("Please give a date.")]
    elif not cycle.starts_on <= opens_on <= cycle.ends_on:
        errors["opens_on"] = [gettext("The round opens within the cycle's year.")]
    if errors:
        raise ValidationFailed(errors)
    rules = for_track(cycle, track.code)
    round_ = OpinionRound(cycle=cycle, track=track, title=title.strip(), opens_on=opens_on, closes_on=opens_on + timedelta(days=rules["window_days"] - 1),
                          secretary=secretary, created_by_id=getattr(actor, "id", None), rules=rules)
    db.session.add(round_)
    audit.record("opinions.round.open", round_, actor=actor, summary=round_.title,
                 data={"track": track.code, "opens_on": opens_on.isoformat(), "closes_on": round_.closes_on.isoformat()})
    return round_


def _collecting(round_: OpinionRound) -> None:
    if round_.state != RoundState.OPEN:
        raise TransitionRefused(gettext("This round of opinions is closed."))


def add_subject(round_: OpinionRound, subject: Subject, *, actor: Any) -> OpinionSubject:
    """Collect opinions about `subject` (of the round's track). Its counts are made now, all zero,
    so that no answer ever creates a row."""
    policy.require(actor, "opinions.round.manage", round_)
    _collecting(round_)
    if subject.track_id != round_.track_id or not subject.active:
        raise ValidationFailed({"subject_id": [gettext("Choose a subject of this round's track.")]})
    existing = db.session.scalar(select(OpinionSubject).where(OpinionSubject.round_id == round_.id, OpinionSubject.subject_id == subject.id))
    if existing is not None:
        return existing
    item = OpinionSubject(round=round_, subject=subject)
    db.session.add(item)
    db.session.flush()
    db.session.execute(insert(OpinionTally), [{"opinion_subject_id": item.id, "relation": relation, "criterion": code, "value": value, "count": 0}
                                              for relation in Relation for code in round_.criterion_codes for value in round_.scale_values])
    db.session.execute(insert(OpinionComments), [{"opinion_subject_id": item.id, "relation": relation, "texts": []} for relation in Relation])
    audit.record("opinions.subject.add", round_, actor=actor, summary=item.name())
    return item


def invite(item: OpinionSubject, person: Person, relation: Relation | str, *, actor: Any, criteria: Iterable[str] = (),
           on_behalf_of: Unit | None = None) -> Respondent:
    """Ask `person` about the subject as its direct superior (for `on_behalf_of`, an agency, on
    `criteria`, that agency's field), a direct subordinate, or a peer when the track asks peers."""
    round_ = item.round
    policy.require(actor, "opinions.round.manage", round_)
    _collecting(round_)
    relation = Relation(relation)
    criteria = list(dict.fromkeys(criteria))
    errors: dict[str, list[str]] = {}
    if relation not in round_.relations:
        errors["relation"] = [gettext("This track does not ask peers for their opinion.")]
    if item.subject.person_id == person.id:
        errors["person"] = [gettext("Nobody gives an opinion about themself.")]
    if relation != Relation.SUPERIOR and (criteria or on_behalf_of is not None):
        errors["criteria"] = [gettext("Only a superior answers on the criteria of its own field.")]
    if set(criteria) - set(round_.criterion_codes):
        errors["criteria"] = [gettext("Choose criteria of this round.")]
    if errors:
        raise ValidationFailed(errors)
    existing = db.session.scalar(select(Respondent).where(Respondent.opinion_subject_id == item.id, Respondent.person_id == person.id))
    if existing is not None:
        raise ValidationFailed({"person": [gettext("%(name)s is already asked about this subject.", name=person.full_name)]})
    respondent = Respondent(round_id=round_.id, opinion_subject=item, person=person, relation=relation, criteria=criteria, on_behalf_of=on_behalf_of)
    db.session.add(respondent)
    audit.record("opinions.respondent.invite", round_, actor=actor, summary=f"{person.full_name} — {item.name()}",
                 data={"relation": relation.value, "criteria": criteria})
    return respondent


def direct_relations(subject: Subject) -> tuple[list[Person], list[Person]]:
    """(superiors, subordinates) of a subject from the organisation: for a person, their direct
    manager (else the head of the parent unit) and the people they manage (and, for the head of
    a unit, its people); for a collective, the head of the parent unit and the unit's people
    with the heads of its subordinate units."""
    unit = subject.unit
    superiors: list[Person] = []
    subordinates: list[Person] = []
    person = subject.person
    if subject.kind == SubjectKind.PERSON and person is not None:
        if person.manager_id is not None:
            superiors = [person.manager] if person.manager.active else []
        elif unit.parent_id is not None:
            superiors = list(heads_of([unit.parent_id]))
        subordinates = list(db.session.scalars(select(Person).where(Person.active.is_(True), Person.manager_id == person.id)))
        if unit.id in person.head_unit_ids:
            subordinates += db.session.scalars(select(Person).where(Person.active.is_(True), Person.unit_id == unit.id, Person.manager_id.is_(None)))
    else:
        superiors = list(heads_of([unit.parent_id])) if unit.parent_id is not None else []
        subordinates = list(db.session.scalars(select(Person).where(Person.active.is_(True), Person.unit_id == unit.id)))
        children = db.session.scalars(select(Unit.id).where(Unit.parent_id == unit.id, Unit.active.is_(True))).all()
        subordinates += heads_of(children)
    own = subject.person_id
    superiors = [p for p in dict.fromkeys(superiors) if p.id != own]
    subordinates = [p for p in dict.fromkeys(subordinates) if p.id != own and p not in superiors]
    return superiors, subordinates


def invite_direct(item: OpinionSubject, *, actor: Any) -> int:
    """Ask the subject's direct superior and direct subordinates, as the organisation records them,
    those not asked yet; returns how many were asked."""
    policy.require(actor, "opinions.round.manage", item.round)
    _collecting(item.round)
    asked = set(db.session.scalars(select(Respondent.person_id).where(Respondent.opinion_subject_id == item.id)))
    superiors, subordinates = direct_relations(item.subject)
    added = 0
    for relation, people in ((Relation.SUPERIOR, superiors), (Relation.SUBORDINATE, subordinates)):
        for person in people:
            if person.id not in asked:
                db.session.add(Respondent(round_id=item.round_id, opinion_subject=item, person=person, relation=relation, criteria=[]))
                asked.add(person.id)
                added += 1
    audit.record("opinions.respondent.invite", item.round, actor=actor, summary=item.name(), data={"added": added})
    return added


def check_answer(round_: OpinionRound, respondent: Respondent, scores: Mapping[str, Any]) -> dict[str, int]:
    """A value of the scale for every criterion the respondent is asked on, or the fields to correct."""
    allowed = set(round_.scale_values)
    names = {c["code"]: c for c in round_.criteria}
    clean: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for code in respondent.asked_on(round_):
        raw = scores.get(code)
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            value = None
        if value not in allowed:
            errors[f"scores.{code}"] = [gettext("Choose one level for “%(criterion)s”.", criterion=names[code].get(_language()) or names[code]["vi"])]
        else:
            clean[code] = value
    if set(scores) - set(respondent.asked_on(round_)):
        errors["scores"] = [gettext("The answer names a criterion you are not asked about.")]
    if errors:
        raise ValidationFailed(errors)
    return clean


def answer(respondent: Respondent, *, actor: Any, scores: Mapping[str, Any], comment: str = "") -> None:
    """Record the respondent's opinion: one value of the scale per criterion asked, an optional
    comment. Once: a second answer is refused. Kept as counts and a shuffled list (see `models`)."""
    round_ = respondent.round
    if actor is None or getattr(actor, "id", None) != respondent.person_id:
        raise PermissionDenied(gettext("You are not allowed to do this."))
    policy.require(actor, "opinions.answer", respondent)
    _collecting(round_)
    day = today()
    if day < round_.opens_on:
        raise TransitionRefused(gettext("The round takes answers from %(day)s.", day=formats.day(round_.opens_on)))
    if day > round_.closes_on:
        raise TransitionRefused(gettext("The round took answers until %(day)s.", day=formats.day(round_.closes_on)))
    clean = check_answer(round_, respondent, scores)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LENGTH:
        raise ValidationFailed({"comment": [gettext("At most %(n)s characters.", n=COMMENT_LENGTH)]})
    marked = db.session.execute(update(Respondent).where(Respondent.id == respondent.id, Respondent.answered.is_(False))
                                .values(answered=True).execution_options(synchronize_session=False)).rowcount
    if marked != 1:
        raise TransitionRefused(gettext("You have already given your opinion on this subject."))
    relation = respondent.relation.value
    chosen = or_(*[and_(OpinionTally.relation == relation, OpinionTally.criterion == code, OpinionTally.value == value) for code, value in clean.items()])
    # Every count of the subject is written, the chosen ones plus one: no row says what was chosen.
    db.session.execute(update(OpinionTally).where(OpinionTally.opinion_subject_id == respondent.opinion_subject_id)
                       .values(count=OpinionTally.count + case((chosen, 1), else_=0)).execution_options(synchronize_session=False))
    row = db.session.scalar(select(OpinionComments).where(OpinionComments.opinion_subject_id == respondent.opinion_subject_id,
                                                          OpinionComments.relation == relation).with_for_update())
    texts = list(row.texts or []) + ([comment] if comment else [])
    _shuffle(texts)
    row.texts = texts
    respondent.answered = True


def close_round(round_: OpinionRound, *, actor: Any, version: int | None = None) -> None:
    """Close the round: no more answers; the results are shown to those who may see them."""
    policy.require(actor, "opinions.round.close", round_)
    if version is not None:
        check_version(round_, version)
    _collecting(round_)
    round_.state, round_.closed_at = RoundState.CLOSED, utcnow()
    answered = db.session.scalar(select(db.func.count()).select_from(Respondent).where(Respondent.round_id == round_.id, Respondent.answered.is_(True)))
    asked = db.session.scalar(select(db.func.count()).select_from(Respondent).where(Respondent.round_id == round_.id))
    audit.record("opinions.round.close", round_, actor=actor, summary=round_.title, data={"answered": answered, "asked": asked})


def subject_of(round_: OpinionRound, opinion_subject_id: int) -> OpinionSubject:
    found = db.session.scalar(select(OpinionSubject).where(OpinionSubject.round_id == round_.id, OpinionSubject.id == opinion_subject_id))
    if found is None:
        raise ValidationFailed({"subject_id": [gettext("Choose a subject of this round.")]})
    return found
