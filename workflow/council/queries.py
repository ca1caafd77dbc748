"""Read-side queries of the council: membership, recusal, the heads of a cycle, scorecards and
the progress matrix, what the engine needs to score a head (`card_context`), the session's
quorum and objection window, decisions in force. Each runs a fixed number of statements
whatever the number of rows.

Recusal (không tham gia chấm) is computed, never stored: a member does not score
- themself (they head the unit evaluated, or registered it),
- the head of their own unit (the member's unit is the unit evaluated),
- anyone they declared a conflict of interest with (`ConflictDeclaration`).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import joinedload

from workflow.accounts.models import Person, Role
from workflow.calendar import WorkingCalendar, calendar_rules
from workflow.core.errors import NotFound
from workflow.core.models import utcnow
from workflow.council.models import (
    ConflictDeclaration,
    CouncilMember,
    CouncilSession,
    Decision,
    LevelProposal,
    Position,
    Scorecard,
    ScorecardState,
    SelfAssessment,
    SessionState,
)
from workflow.council.rules import council_rules, council_tracks, quorum_fraction, rubric_for, rubric_of
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework import sources
from workflow.framework.models import Track
from workflow.framework.rules import HEADS
from workflow.reports.facts import TargetFacts, year_end_facts
from workflow.scoring.engine import Evidence
from workflow.scoring.rubric import Rubric
from workflow.targets.models import Registration, RegistrationState
from workflow.units.models import Unit


class Recusal(enum.StrEnum):
    SELF = "self"
    OWN_UNIT = "own_unit"
    CONFLICT = "conflict"


RECUSAL_LABELS = {
    Recusal.SELF: _l("Recused: this is the member themself"),
    Recusal.OWN_UNIT: _l("Recused: head of the member's own unit"),
    Recusal.CONFLICT: _l("Recused: declared conflict of interest"),
}


# --- membership ------------------------------------------------------------------------------

def member_of(person: Any, cycle_id: int | None) -> CouncilMember | None:
    """The person's seat on the council of the cycle, or None."""
    if person is None or cycle_id is None or getattr(person, "id", None) is None:
        return None
    return db.session.scalar(select(CouncilMember).where(CouncilMember.cycle_id == cycle_id, CouncilMember.person_id == person.id))


def holds(person: Any, cycle_id: int | None, *positions: Position) -> bool:
    member = member_of(person, cycle_id)
    return member is not None and member.position in positions


def members(cycle_id: int) -> list[CouncilMember]:
    order = {Position.CHAIR: 0, Position.SECRETARY: 1, Position.MEMBER: 2}
    rows = db.session.scalars(
        select(CouncilMember).where(CouncilMember.cycle_id == cycle_id).options(joinedload(CouncilMember.person).joinedload(Person.unit))
    ).unique().all()
    return sorted(rows, key=lambda m: (order[m.position], m.person.full_name, m.id))


def officer(cycle_id: int, position: Position) -> CouncilMember | None:
    return db.session.scalar(select(CouncilMember).where(CouncilMember.cycle_id == cycle_id, CouncilMember.position == position))


def cycles_of(person: Person) -> list[Cycle]:
    """The cycles on whose council `person` sits, newest first."""
    return list(
        db.session.scalars(
            select(Cycle).join(CouncilMember, CouncilMember.cycle_id == Cycle.id).where(CouncilMember.person_id == person.id).order_by(Cycle.year.desc())
        )
    )


# --- heads of a cycle ------------------------------------------------------------------------

def heads_stmt(cycle_id: int) -> Select[Any]:
    """The registrations the council evaluates: every officially assigned registration of the
    cycle, by group and unit, with unit, group and head loaded."""
    return (
        select(Registration)
        .join(Unit, Registration.unit_id == Unit.id)
        .where(Registration.cycle_id == cycle_id, Registration.state == RegistrationState.ASSIGNED)
        .options(joinedload(Registration.unit).joinedload(Unit.group), joinedload(Registration.head), joinedload(Registration.cycle))
        .order_by(Unit.group_id, Unit.name, Registration.id)
    )


def heads(cycle_id: int) -> list[Registration]:
    return list(db.session.scalars(heads_stmt(cycle_id)).unique())


def head_count(cycle_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.cycle_id == cycle_id, Registration.state == RegistrationState.ASSIGNED)
    ) or 0


# --- recusal ---------------------------------------------------------------------------------

def _recusal(member: CouncilMember, registration: Registration, conflicts: set[tuple[int, int]]) -> Recusal | None:
    person = member.person
    if registration.head_id == person.id or registration.unit_id in person.head_unit_ids:
        return Recusal.SELF
    if person.unit_id is not None and person.unit_id == registration.unit_id:
        return Recusal.OWN_UNIT
    if (member.id, registration.head_id) in conflicts:
        return Recusal.CONFLICT
    return None


def conflict_pairs(cycle_id: int) -> set[tuple[int, int]]:
    return {(m, h) for m, h in db.session.execute(select(ConflictDeclaration.member_id, ConflictDeclaration.head_id).where(ConflictDeclaration.cycle_id == cycle_id))}


def recusal(member: CouncilMember, registration: Registration) -> Recusal | None:
    """Why `member` does not score the head of `registration`, or None when they do."""
    conflicts = {
        (member.id, h)
        for h in db.session.scalars(select(ConflictDeclaration.head_id).where(ConflictDeclaration.member_id == member.id, ConflictDeclaration.head_id == registration.head_id))
    }
    return _recusal(member, registration, conflicts)


def recusals(cycle_id: int, members_: Sequence[CouncilMember], registrations: Iterable[Registration]) -> dict[tuple[int, int], Recusal]:
    """{(member id, registration id): why} for every recused pair (one statement)."""
    conflicts = conflict_pairs(cycle_id)
    out = {}
    for registration in registrations:
        for member in members_:
            why = _recusal(member, registration, conflicts)
            if why is not None:
                out[(member.id, registration.id)] = why
    return out


def conflicts_of(member: CouncilMember) -> list[ConflictDeclaration]:
    return list(
        db.session.scalars(
            select(ConflictDeclaration).where(ConflictDeclaration.member_id == member.id).options(joinedload(ConflictDeclaration.head)).order_by(ConflictDeclaration.declared_at)
        )
    )


# --- scorecards ------------------------------------------------------------------------------

def scorecard(member_id: int, registration_id: int) -> Scorecard | None:
    return db.session.scalar(select(Scorecard).where(Scorecard.member_id == member_id, Scorecard.registration_id == registration_id))


def cards_for_head(registration_id: int) -> list[Scorecard]:
    return list(
        db.session.scalars(
            select(Scorecard).where(Scorecard.registration_id == registration_id).options(joinedload(Scorecard.member).joinedload(CouncilMember.person)).order_by(Scorecard.member_id)
        )
    )


def card_states(cycle_id: int) -> dict[tuple[int, int], ScorecardState]:
    """{(member id, registration id): state} of every scorecard of the cycle (one statement)."""
    rows = db.session.execute(select(Scorecard.member_id, Scorecard.registration_id, Scorecard.state).where(Scorecard.cycle_id == cycle_id))
    return {(m, r): s for m, r, s in rows}


@dataclass
class Slot:
    """One cell of the members × heads matrix."""

    member: CouncilMember
    registration: Registration
    state: str  # not_started | draft | submitted | reopened | recused
    recusal: Recusal | None = None


SLOT_LABELS = {
    "not_started": _l("Not started"),
    "draft": _l("Draft"),
    "submitted": _l("Scored"),
    "reopened": _l("Reopened"),
    "recused": _l("Recused"),
}
SLOT_TONES = {"not_started": "light", "draft": "secondary", "submitted": "success", "reopened": "warning", "recused": "dark"}


def slots(cycle_id: int, members_: Sequence[CouncilMember], registrations: Sequence[Registration]) -> dict[tuple[int, int], Slot]:
    states = card_states(cycle_id)
    recused = recusals(cycle_id, members_, registrations)
    out = {}
    for registration in registrations:
        for member in members_:
            key = (member.id, registration.id)
            if key in recused:
                out[key] = Slot(member, registration, "recused", recused[key])
            else:
                state = states.get(key)
                out[key] = Slot(member, registration, state.value if state else "not_started")
    return out


# --- who sees which scores ------------------------------------------------------------------

def scores_seen_by(person: Any, cycle: Cycle) -> Any:
    """SQL condition on a query of the registrations of `cycle`: the heads whose scores (and
    everything computed from them) `person` may see. The policy's `council.scores.view` reads
    it; lists filter with it.

    The committee and administrators see every head's. A member of the cycle's council sees a
    head's when the cycle does not hide scores, once the chair has finalised the proposal list,
    or once their own scorecard for the head is submitted or they are recused from the head
    (the head themself, of their own unit, a declared conflict). A head sees their own once
    the decisions are published."""
    if person is None or getattr(person, "id", None) is None or not getattr(person, "is_active", False):
        return false()
    roles = person.role_set
    if roles & {Role.COMMITTEE, Role.ADMIN}:
        return true()
    session = session_of(cycle.id)
    conditions = []
    if person.head_unit_ids and session is not None and session.state == SessionState.PUBLISHED:
        conditions.append(Registration.unit_id.in_(person.head_unit_ids))
    member = member_of(person, cycle.id)
    if member is not None:
        if not council_rules(cycle)["hide_scores_until_submitted"] or (session is not None and session.state != SessionState.OPEN):
            return true()
        submitted = select(Scorecard.registration_id).where(Scorecard.member_id == member.id, Scorecard.state == ScorecardState.SUBMITTED)
        conditions += [Registration.id.in_(submitted), recused_from(member)]
    return or_(*conditions) if conditions else false()


def recused_from(member: CouncilMember) -> Any:
    """SQL condition on Registration: the heads `member` is recused from (see `_recusal`)."""
    person = member.person
    conflicts = select(ConflictDeclaration.head_id).where(ConflictDeclaration.member_id == member.id)
    conditions = [Registration.head_id == person.id, Registration.head_id.in_(conflicts)]
    if person.head_unit_ids:
        conditions.append(Registration.unit_id.in_(person.head_unit_ids))
    if person.unit_id is not None:
        conditions.append(Registration.unit_id == person.unit_id)
    return or_(*conditions)


def sees_scores(person: Any, registration: Registration) -> bool:
    """Whether `person` may see the scores of the head of `registration` (one statement)."""
    condition = scores_seen_by(person, registration.cycle)
    return bool(db.session.scalar(select(exists().where(Registration.id == registration.id, condition))))


def hidden_heads(person: Any, cycle: Cycle, registration_ids: Iterable[int]) -> set[int]:
    """Of these registrations of `cycle`, those whose scores `person` may not see."""
    ids = set(registration_ids)
    if not ids:
        return set()
    seen = db.session.scalars(select(Registration.id).where(Registration.id.in_(ids), scores_seen_by(person, cycle)))
    return ids - set(seen)


def sees_every_score(person: Any, cycle: Cycle) -> bool:
    """Whether `person` may see the scores of every head the council evaluates in `cycle`, as
    the figures computed across heads need (counts by level, the raters, the what-if, the
    workbook). One statement."""
    hidden = select(Registration.id).where(
        Registration.cycle_id == cycle.id, Registration.state == RegistrationState.ASSIGNED, not_(scores_seen_by(person, cycle))
    )
    return not db.session.scalar(select(exists(hidden)))


def of_cycle(cycle_id: int, model: type, ident: Any) -> Any:
    """An object of the cycle (a seat, a card, an objection, a registration) by id, or 404, also
    when the id belongs to another cycle."""
    obj = db.session.get(model, ident)
    if obj is None or obj.cycle_id != cycle_id:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    return obj


# --- session, proposals and decisions --------------------------------------------------------

def session_or_404(cycle_id: int) -> CouncilSession:
    session = session_of(cycle_id)
    if session is None:
        raise NotFound(gettext("The council's secretary has not recorded the session yet."))
    return session


def session_of(cycle_id: int) -> CouncilSession | None:
    return db.session.scalar(select(CouncilSession).where(CouncilSession.cycle_id == cycle_id))


def frozen_proposals(session: CouncilSession) -> dict[int, LevelProposal]:
    """{registration id: proposal} of the session's latest round."""
    rows = db.session.scalars(select(LevelProposal).where(LevelProposal.session_id == session.id, LevelProposal.round == session.round))
    return {p.registration_id: p for p in rows}


def proposal_for(session: CouncilSession | None, registration_id: int) -> LevelProposal | None:
    if session is None or session.round == 0:
        return None
    return db.session.scalar(
        select(LevelProposal).where(LevelProposal.session_id == session.id, LevelProposal.round == session.round, LevelProposal.registration_id == registration_id)
    )


def latest_decisions(cycle_id: int) -> dict[int, Decision]:
    """{registration id: the decision in force} for the cycle (one statement)."""
    latest = (
        select(Decision.registration_id, func.max(Decision.number).label("number"))
        .where(Decision.cycle_id == cycle_id)
        .group_by(Decision.registration_id)
        .subquery()
    )
    rows = db.session.scalars(
        select(Decision)
        .join(latest, (Decision.registration_id == latest.c.registration_id) & (Decision.number == latest.c.number))
        .options(joinedload(Decision.decided_by))
    )
    return {d.registration_id: d for d in rows}


def decision_history(registration_id: int) -> list[Decision]:
    return list(
        db.session.scalars(select(Decision).where(Decision.registration_id == registration_id).options(joinedload(Decision.decided_by)).order_by(Decision.number))
    )


def latest_decision(registration_id: int) -> Decision | None:
    return db.session.scalar(select(Decision).where(Decision.registration_id == registration_id).order_by(Decision.number.desc()).limit(1))


def decision_count(cycle_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Decision).where(Decision.cycle_id == cycle_id)) or 0


# --- what a member scores ---------------------------------------------------------------------

@dataclass(frozen=True)
class CardContext:
    """What the engine needs about a head besides the member's inputs."""

    facts: list[TargetFacts]
    rubric: Rubric
    disciplined: bool
    evidence: tuple[Evidence, ...] = ()


def card_context(registration: Registration) -> CardContext:
    facts = list(year_end_facts(registration).values())
    evidence = sources.evidence_for(registration.cycle_id, [registration.id]).get(registration.id, ())
    disciplined = sources.disciplined(evidence)
    # The units led bound a head through their collectives' decisions (`collectives.py`, facts of
    # the evidence), not through the [subordinates] rule, which is 335's for leaders of công chức.
    return CardContext(facts, rubric_for(registration), disciplined, evidence)


def to_score(member: CouncilMember) -> list[Registration]:
    """The heads the member has still to score (not recused, card not submitted)."""
    registrations = heads(member.cycle_id)
    states = card_states(member.cycle_id)
    recused = recusals(member.cycle_id, [member], registrations)
    return [r for r in registrations if (member.id, r.id) not in recused and states.get((member.id, r.id)) != ScorecardState.SUBMITTED]


# --- facts about the head --------------------------------------------------------------------

def discipline_refusal(registration: Registration) -> str | None:
    """Why the discipline in the year of this head cannot be recorded or removed now, or None.
    The levels read it: once the chair has frozen the proposal list it would change a result
    nobody scored, and once the decisions are published a result changes only through an
    objection or a new decision version."""
    session = session_of(registration.cycle_id)
    if session is None or session.state == SessionState.OPEN:
        return None
    if session.state == SessionState.PUBLISHED:
        return gettext("The decisions are published: a published result changes only through an objection or a new decision version.")
    return gettext("The proposal list is final; the chair must reopen it before the discipline record changes.")


def self_assessment_of(registration: Registration) -> SelfAssessment | None:
    return db.session.scalar(select(SelfAssessment).where(SelfAssessment.registration_id == registration.id))


# --- the session -----------------------------------------------------------------------------

@dataclass(frozen=True)
class QuorumStatus:
    present: int
    total: int
    needed: int
    fraction: str

    @property
    def met(self) -> bool:
        return self.total > 0 and self.present >= self.needed


def quorum_status(session: CouncilSession) -> QuorumStatus:
    total = len(members(session.cycle_id))
    rules = council_rules(session.cycle)
    fraction: Fraction = quorum_fraction(rules)
    needed = math.ceil(fraction * total)
    return QuorumStatus(len(session.attendees), total, max(needed, 1), rules["quorum"])


def undecided_count(session: CouncilSession) -> int:
    proposals = frozen_proposals(session)
    decided = latest_decisions(session.cycle_id)
    return sum(1 for r in proposals if r not in decided)


def objection_window(session: CouncilSession | None, at: datetime | None = None) -> tuple[bool, date | None]:
    """(open now, last day) of the objection window."""
    if session is None or session.state != SessionState.PUBLISHED or session.objection_deadline is None:
        return False, None
    today = WorkingCalendar(calendar_rules(session.cycle)).local_date(at or utcnow())
    return today <= session.objection_deadline, session.objection_deadline


def council_track_plans(cycle: Cycle) -> list[tuple[Any, int]]:
    """The tracks the council scores in the cycle, each with its number of assigned plans (one
    statement), the heads track first; a track without plans is left out unless it is the heads'."""
    codes = council_tracks(cycle)
    counts = dict(db.session.execute(
        select(Track.code, func.count(Registration.id)).join(Registration, Registration.track_id == Track.id)
        .where(Registration.cycle_id == cycle.id, Registration.state == RegistrationState.ASSIGNED, Track.code.in_(codes))
        .group_by(Track.code)).all())
    tracks = {t.code: t for t in db.session.scalars(select(Track).where(Track.code.in_(codes)))}
    return [(tracks[code], counts.get(code, 0)) for code in codes if code in tracks and (counts.get(code) or code == HEADS)]
