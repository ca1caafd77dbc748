"""Every change the council and the committee make: seats and conflicts, the council's
settings, scorecards (save, submit, reopen, remind), discipline records and self-assessments,
the session (attendance, finalising, reopening, publishing), decisions and objections.

Each function takes the acting person explicitly, checks the permission and the workflow,
checks the version the person edited, writes the audit entry and queues the e-mail the step
causes. Nothing here commits.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified

from workflow import policy
from workflow.accounts.models import Person, Role
from workflow.calendar import WorkingCalendar, calendar_rules
from workflow.core import audit, formats
from workflow.core.concurrency import check_version
from workflow.core.errors import (
    DomainError,
    PermissionDenied,
    TransitionRefused,
    ValidationFailed,
    flatten_errors,
)
from workflow.core.models import utcnow
from workflow.council import mail, queries
from workflow.council.inputs import Evaluation, evaluate
from workflow.council.models import (
    CollectiveWaiver,
    ConflictDeclaration,
    CouncilMember,
    CouncilSession,
    Decision,
    DisciplineCategory,
    DisciplineForm,
    DisciplineRecord,
    LeaderRecheck,
    LevelProposal,
    Objection,
    ObjectionState,
    Position,
    QuotaException,
    Scorecard,
    ScorecardState,
    SelfAssessment,
    SelfAssessmentState,
    SessionState,
)
from workflow.council.rules import (
    CouncilRulesSchema,
    council_rules,
    council_tracks,
    rubric_for,
    rubric_of,
    settings_editable_reason,
)
from workflow.council.workflow import (
    OBJECTION,
    SCORECARD,
    SELF_ASSESSMENT,
    SESSION,
    card_changeable,
)
from workflow.cycles.models import Cycle, CycleState
from workflow.extensions import db
from workflow.framework.rules import HEADS
from workflow.scoring import frozen
from workflow.scoring.engine import FIGURES
from workflow.targets.models import Registration, RegistrationState


def _head_name(registration: Registration) -> str:
    return f"{registration.head.full_name} — {registration.unit.name}"


# --- the council's seats ---------------------------------------------------------------------

def appoint_member(cycle: Cycle, person: Person, position: Position | str, *, actor: Person) -> CouncilMember:
    """Seat `person` on the cycle's council. One chair and one secretary per cycle; the person
    must hold the council role."""
    policy.require(actor, "council.members.manage", cycle)
    position = Position(position)
    if cycle.state == CycleState.CLOSED:
        raise TransitionRefused(gettext("This evaluation cycle is closed."))
    if not person.has_role(Role.COUNCIL):
        raise ValidationFailed({"person_id": [gettext("%(name)s does not hold the advisory council role; grant it first.", name=person.full_name)]})
    if queries.member_of(person, cycle.id) is not None:
        raise ValidationFailed({"person_id": [gettext("%(name)s already sits on this council.", name=person.full_name)]})
    if position != Position.MEMBER:
        holder = queries.officer(cycle.id, position)
        if holder is not None:
            raise ValidationFailed({"position": [gettext("The council already has a %(position)s: %(name)s.", position=position_label(position).lower(), name=holder.person.full_name)]})
    member = CouncilMember(cycle_id=cycle.id, person=person, position=position)
    db.session.add(member)
    audit.record("council.member.appoint", member, actor=actor, summary=f"{cycle.name}: {person.full_name}",
                 data={"position": position.value})
    return member


def remove_member(member: CouncilMember, *, actor: Person) -> None:
    """Take a person off the council; refused once they have scored anyone."""
    policy.require(actor, "council.members.manage", member.cycle)
    cards = db.session.scalar(select(func.count()).select_from(Scorecard).where(Scorecard.member_id == member.id)) or 0
    if cards:
        raise DomainError(gettext("%(name)s has %(count)s scorecards; a member who has scored cannot be removed.", name=member.person.full_name, count=cards))
    audit.record("council.member.remove", member, actor=actor, summary=f"{member.cycle.name}: {member.person.full_name}")
    db.session.delete(member)


def position_label(position: Position) -> str:
    return {Position.CHAIR: gettext("Chair"), Position.SECRETARY: gettext("Secretary"), Position.MEMBER: gettext("Member")}[position]


def declare_conflict(member: CouncilMember, registration: Registration, reason: str, *, actor: Person) -> ConflictDeclaration:
    """The member declares a conflict of interest with the head of `registration` and is
    recused from scoring them. A card they had started for that head is withdrawn (its
    figures kept in the audit log), since a recused member's score must not count."""
    policy.require(actor, "council.member.declare_conflict", member)
    if registration.cycle_id != member.cycle_id or registration.state != RegistrationState.ASSIGNED:
        raise ValidationFailed({"registration_id": [gettext("This head is not evaluated in this cycle.")]})
    if not (reason or "").strip():
        raise ValidationFailed({"reason": [gettext("Say what the conflict of interest is.")]})
    existing = db.session.scalar(select(ConflictDeclaration).where(ConflictDeclaration.member_id == member.id, ConflictDeclaration.head_id == registration.head_id))
    if existing is not None:
        raise ValidationFailed({"registration_id": [gettext("You already declared a conflict with this head.")]})
    card = queries.scorecard(member.id, registration.id)
    if card is not None:
        reason_refused = card_changeable(card)
        if reason_refused:
            raise TransitionRefused(reason_refused)
    declaration = ConflictDeclaration(cycle_id=member.cycle_id, member_id=member.id, head_id=registration.head_id, reason=reason.strip())
    db.session.add(declaration)
    data: dict[str, Any] = {"head_id": registration.head_id, "registration_id": registration.id}
    if card is not None:
        data["withdrawn_card"] = {"state": card.state.value, "total": str(card.total) if card.total is not None else None, "general": card.general}
        db.session.delete(card)
    audit.record("council.member.declare_conflict", declaration, actor=actor, summary=f"{member.person.full_name} ↔ {_head_name(registration)}",
                 reason=reason.strip(), data=data)
    return declaration


# --- settings --------------------------------------------------------------------------------

def update_settings(cycle: Cycle, values: dict[str, Any], *, actor: Person, version: int | None) -> dict[str, list[Any]]:
    """Change the cycle's copy of the [council] rules; only before scoring opens."""
    policy.require(actor, "council.settings.edit", cycle)
    reason = settings_editable_reason(cycle)
    if reason:
        raise TransitionRefused(reason)
    check_version(cycle, version)
    schema = CouncilRulesSchema()
    current = council_rules(cycle)
    try:
        new = schema.dump(schema.load({**current, **values}))
    except ValidationError as exc:  # a quorum that is no fraction: beside its field, never a server error
        raise ValidationFailed(flatten_errors(exc.messages)) from None
    changed = {k: [current.get(k), v] for k, v in new.items() if current.get(k) != v}
    if changed:
        cycle.rules = {**cycle.rules, "council": new}
        audit.record("council.settings", cycle, actor=actor, summary=cycle.name, data={"changes": changed})
    return changed


# --- scorecards ------------------------------------------------------------------------------

def scorecard_for(member: CouncilMember, registration: Registration, *, actor: Person) -> Scorecard:
    """The member's card for the head; the first time, an empty card that is not saved (reading
    a page writes nothing): the first save writes it (`save_scorecard`). Refused, with the
    reason, when the member may not score this head or cards can no longer be started."""
    if not policy.can(actor, "council.member.score", (member, registration)):
        why = queries.recusal(member, registration) if member.person_id == actor.id else None
        if why is not None:
            raise PermissionDenied(str(queries.RECUSAL_LABELS[why]))
        raise PermissionDenied(gettext("You are not allowed to do this."))
    card = queries.scorecard(member.id, registration.id)
    if card is not None:
        return card
    card = Scorecard(cycle_id=member.cycle_id, member=member, registration=registration, state=ScorecardState.DRAFT, general={}, judgements={},
                     comment="", version=1)
    reason = card_changeable(card)
    if reason:
        raise TransitionRefused(reason)
    return card


def _write_new(card: Scorecard, actor: Person) -> None:
    """Write the empty card `scorecard_for` made, as version 1: the save that follows is
    version 2, so another tab still holding the empty card is refused as stale."""
    if card.id is None and card not in db.session:
        db.session.add(card)
        audit.record("council.scorecard.open", card, actor=actor, summary=f"{card.member.person.full_name} → {_head_name(card.registration)}")
        db.session.flush()


def open_scorecard(member: CouncilMember, registration: Registration, *, actor: Person) -> Scorecard:
    """The member's card for the head, written (empty) the first time it is opened (the API's
    explicit step; the pages write it at the first save)."""
    card = scorecard_for(member, registration, actor=actor)
    _write_new(card, actor)
    return card


_JUDGEMENT_KEYS = {"errors", "delays", "quality_percent", "exceeded", "overrides"}


def clean_inputs(data: dict[str, Any], context: queries.CardContext, card: Scorecard | None, by: str, *, complete: bool) -> tuple[dict[str, str], dict[str, Any], dict[str, list[str]]]:
    """The general scores and judgements as stored (numbers as text), with an error per field.
    `complete`: every general criterion must be scored (submitting)."""
    rubric = context.rubric
    errors: dict[str, list[str]] = {}
    general: dict[str, str] = {}
    raw_general = data.get("general") or {}
    for criterion in rubric.general:
        value = raw_general.get(criterion.code)
        key = f"general.{criterion.code}"
        if value in (None, ""):
            if complete:
                errors[key] = [gettext("Score this criterion.")]
            continue
        try:
            number = formats.read_number(value)
        except formats.FormatError as exc:
            errors[key] = [exc.message]
            continue
        if not 0 <= number <= criterion.max_points:
            errors[key] = [gettext("Must be between %(min)s and %(max)s.", min=0, max=formats.number(criterion.max_points))]
        elif number != round(number, rubric.decimals):
            errors[key] = [gettext("At most %(places)s decimal places.", places=rubric.decimals)]
        else:
            general[criterion.code] = str(number)
    for code in raw_general:
        if code not in {c.code for c in rubric.general}:
            errors[f"general.{code}"] = [gettext("Unknown criterion.")]

    known = {str(f.target_id) for f in context.facts}
    previous = (card.judgements if card is not None else {}) or {}
    judgements: dict[str, Any] = {}
    for target_id, raw in (data.get("judgements") or {}).items():
        key = f"judgements.{target_id}"
        if str(target_id) not in known:
            errors[key] = [gettext("This target is not in force in this registration.")]
            continue
        raw = raw or {}
        unknown = set(raw) - _JUDGEMENT_KEYS
        if unknown:
            errors[f"{key}.{sorted(unknown)[0]}"] = [gettext("Unknown field.")]
        item: dict[str, Any] = {}
        for name in ("errors", "delays"):
            value = raw.get(name)
            if value in (None, ""):
                continue
            try:
                whole = formats.read_number(value)
            except formats.FormatError as exc:
                errors[f"{key}.{name}"] = [exc.message]
                continue
            if whole != whole.to_integral_value():
                errors[f"{key}.{name}"] = [gettext("Must be a whole number.")]
                continue
            count = int(whole)
            if not 0 <= count <= 20:
                errors[f"{key}.{name}"] = [gettext("Must be between %(min)s and %(max)s.", min=0, max=20)]
            elif count:
                item[name] = count
        quality = raw.get("quality_percent")
        if quality not in (None, ""):
            try:
                q = formats.read_number(quality)
                if not 0 <= q <= 100:
                    raise formats.FormatError(gettext("Must be between %(min)s and %(max)s.", min=0, max=100))
                if q != round(q, 2):
                    errors[f"{key}.quality_percent"] = [gettext("At most %(places)s decimal places.", places=2)]
                elif q != 100:
                    item["quality_percent"] = str(q)
            except formats.FormatError as exc:
                errors[f"{key}.quality_percent"] = [exc.message]
        if raw.get("exceeded") in (True, "1", "on", "true"):
            item["exceeded"] = True
        kept = {o["figure"]: o for o in (previous.get(str(target_id)) or {}).get("overrides", [])}
        overrides = []
        for i, override in enumerate(raw.get("overrides") or []):
            figure = (override or {}).get("figure")
            value = (override or {}).get("value")
            reason = ((override or {}).get("reason") or "").strip()
            where = f"{key}.overrides.{figure if figure in FIGURES else i}"
            if figure not in FIGURES:
                errors[where] = [gettext("This figure cannot be changed.")]
                continue
            if value in (None, ""):
                continue  # an emptied override is removed
            try:
                number = formats.read_number(value)
            except formats.FormatError as exc:
                errors[where] = [exc.message]
                continue
            if not reason:
                errors[where] = [gettext("Give the reason for changing this figure.")]
                continue
            if len(reason) > 2000:
                errors[where] = [gettext("At most %(max)s characters (this has %(length)s).", max=2000, length=len(reason))]
                continue
            old = kept.get(figure)
            same = old is not None and old.get("value") == str(number) and old.get("reason") == reason
            overrides.append({"figure": figure, "value": str(number), "reason": reason,
                              "by": old["by"] if same else by, "at": old["at"] if same else utcnow().isoformat()})
        if overrides:
            item["overrides"] = overrides
        if item:
            judgements[str(target_id)] = item
    return general, judgements, errors


def _engine_errors(exc: ValidationFailed, context: queries.CardContext) -> dict[str, list[str]]:
    """The engine names fields "<target code>.<figure>" and "general.<code>"; the form names
    them "judgements.<target id>.overrides.<figure>" (or the judgement's own field)."""
    out: dict[str, list[str]] = {}
    for key, messages in exc.errors.items():
        head, _, figure = key.partition(".")
        if head == "general" or not figure:
            out[key] = messages
        elif figure in ("errors", "delays", "quality_percent"):
            out[f"judgements.{head}.{figure}"] = messages
        else:
            out[f"judgements.{head}.overrides.{figure}"] = messages
    return out


def compute(general: dict[str, str], judgements: dict[str, Any], context: queries.CardContext, *, fill_missing: bool = False) -> Evaluation:
    """The engine's figures for a card's inputs; `fill_missing` scores an unscored criterion 0
    (the live total of a draft)."""
    if fill_missing:
        general = {c.code: general.get(c.code, "0") for c in context.rubric.general}
    try:
        return evaluate(context.facts, general, judgements, context.rubric, disciplined=context.disciplined,
                        evidence=context.evidence)
    except ValidationFailed as exc:
        raise ValidationFailed(_engine_errors(exc, context)) from None


def _require_editable(card: Scorecard, actor: Person) -> None:
    if not policy.can(actor, "council.member.score", card):
        raise PermissionDenied(gettext("You are not allowed to do this."))
    if card.state == ScorecardState.SUBMITTED:
        raise TransitionRefused(gettext("This scorecard was submitted and is locked; the council's secretary can reopen it."))
    reason = card_changeable(card)
    if reason:
        raise TransitionRefused(reason)


def save_scorecard(card: Scorecard, data: dict[str, Any], *, actor: Person, version: int | None) -> Scorecard:
    """Save a draft (any number of times, automatically from the page): the general scores,
    the judgements of each target and the member's comment. Refused whole, with an error per
    field, when a value is out of its limits or a changed figure has no reason. A card the
    page showed empty (`scorecard_for`) is written here, at its first save."""
    _require_editable(card, actor)
    check_version(card, version)
    _write_new(card, actor)
    context = queries.card_context(card.registration)
    general, judgements, errors = clean_inputs(data, context, card, actor.full_name, complete=False)
    if not errors:
        try:
            compute(general, judgements, context, fill_missing=True)
        except ValidationFailed as exc:
            errors = exc.errors
    if errors:
        raise ValidationFailed(errors)
    comment = (data.get("comment") or "").strip() if "comment" in data else card.comment
    changed = audit.apply_changes(card, {"general": general, "judgements": judgements, "comment": comment})
    card.saved_at = utcnow()
    if changed:
        overrides = [dict(o, target_id=t) for t, j in judgements.items() for o in j.get("overrides", [])]
        audit.record("council.scorecard.save", card, actor=actor, summary=f"{card.member.person.full_name} → {_head_name(card.registration)}",
                     data={"fields": sorted(changed), "overrides": overrides})
    else:
        # Versions move with every save the page makes, so a second tab's stale save is caught.
        card.saved_at = utcnow()
    return card


def preview(card: Scorecard, data: dict[str, Any], *, actor: Person) -> tuple[Evaluation, bool]:
    """The live total of what the member typed, computed by the engine and saving nothing:
    (evaluation, complete). Unscored criteria count 0 and `complete` is False."""
    if not policy.can(actor, "council.member.score", card):
        raise PermissionDenied(gettext("You are not allowed to do this."))
    context = queries.card_context(card.registration)
    general, judgements, errors = clean_inputs(data, context, card, actor.full_name, complete=False)
    if errors:
        raise ValidationFailed(errors)
    complete = all(c.code in general for c in context.rubric.general)
    return compute(general, judgements, context, fill_missing=True), complete


def submit_scorecard(card: Scorecard, *, actor: Person, version: int | None) -> Evaluation:
    """Lock the card and store the engine's total, level and counts with it."""
    SCORECARD.check(card, "submit", actor=actor)
    check_version(card, version)
    context = queries.card_context(card.registration)
    general, judgements, errors = clean_inputs({"general": card.general, "judgements": card.judgements}, context, card, actor.full_name, complete=True)
    if errors:
        raise ValidationFailed(errors, gettext("The scorecard cannot be submitted yet: score every criterion first."))
    evaluation = compute(general, judgements, context)
    old, new = SCORECARD.fire(card, "submit", actor=actor)
    facts = evaluation.facts
    card.total = evaluation.total.total
    card.task_points = evaluation.task_points.points
    card.general_points = evaluation.total.general_points
    card.level = evaluation.classification.level
    card.n_targets, card.n_done, card.n_on_time, card.n_exceeded, card.n_late = facts.targets, facts.done, facts.on_time, facts.exceeded, facts.late
    card.submitted_at = utcnow()
    card.reopen_reason = ""
    audit.record("council.scorecard.submit", card, actor=actor, summary=f"{card.member.person.full_name} → {_head_name(card.registration)}",
                 data={"from": old.value, "to": new.value, "total": str(card.total), "level": card.level})
    return evaluation


def reopen_scorecard(card: Scorecard, *, actor: Person, version: int | None, reason: str) -> None:
    """The secretary opens a submitted card again (it stops counting until resubmitted); the
    member is told by e-mail."""
    SCORECARD.check(card, "reopen", actor=actor)
    check_version(card, version)
    old, new = SCORECARD.fire(card, "reopen", actor=actor, reason=reason)
    card.reopen_reason = reason.strip()
    number = db.session.scalar(
        select(func.count()).select_from(audit.AuditEntry).where(audit.AuditEntry.action == "council.scorecard.reopen", audit.AuditEntry.object_id == card.id)
    ) or 0
    audit.record("council.scorecard.reopen", card, actor=actor, summary=f"{card.member.person.full_name} → {_head_name(card.registration)}",
                 reason=reason.strip(), data={"from": old.value, "to": new.value, "total": str(card.total)})
    mail.scorecard_reopened(card, number + 1)


def remind_member(member: CouncilMember, *, actor: Person, today: date | None = None) -> bool:
    """The secretary sends the member a reminder of the heads left to score; at most one per
    member and day (a second click that day queues nothing). Returns whether one was queued."""
    policy.require(actor, "council.secretary.remind", member)
    left = queries.to_score(member)
    if not left:
        raise DomainError(gettext("%(name)s has scored every head; there is nothing to remind them of.", name=member.person.full_name))
    day = today or WorkingCalendar(calendar_rules(member.cycle)).local_date(utcnow())
    queued = mail.reminder(member, left, day)
    audit.record("council.secretary.remind", member, actor=actor, summary=member.person.full_name,
                 data={"left": len(left), "queued": queued, "day": day.isoformat()})
    return queued


# --- facts about the head --------------------------------------------------------------------

def _require_discipline_changeable(registration: Registration, actor: Person) -> None:
    policy.require(actor, "council.secretary.discipline", registration)
    refusal = queries.discipline_refusal(registration)
    if refusal:
        raise TransitionRefused(refusal)


def record_discipline(registration: Registration, *, actor: Person, reference: str, reason: str,
                      category: DisciplineCategory = DisciplineCategory.DISCIPLINE, form: DisciplineForm | None = None,
                      duty_related: bool = False) -> DisciplineRecord:
    """Record a case of the year that bears on the head's level: a disciplinary decision (its
    form, and whether the violation was related to duty), a conclusion of degradation, or the
    head's agency dealt with for corruption or waste."""
    _require_discipline_changeable(registration, actor)
    errors = {}
    if not (reference or "").strip():
        errors["reference"] = [gettext("Give the number and date of the disciplinary decision.")]
    if not (reason or "").strip():
        errors["reason"] = [gettext("This field is required.")]
    if category != DisciplineCategory.DISCIPLINE and (form is not None or duty_related):
        errors["form"] = [gettext("Only a disciplinary decision has a form of discipline.")]
    if errors:
        raise ValidationFailed(errors)
    if db.session.scalar(select(DisciplineRecord.id).where(DisciplineRecord.registration_id == registration.id)) is not None:
        raise ValidationFailed({"reference": [gettext("A discipline in the year is already recorded for this head.")]})
    record = DisciplineRecord(cycle_id=registration.cycle_id, registration_id=registration.id, reference=reference.strip()[:200], reason=reason.strip(),
                              recorded_by_id=actor.id, category=category, form=form, duty_related=duty_related)
    db.session.add(record)
    audit.record("council.discipline.record", record, actor=actor, summary=_head_name(registration), reason=reason.strip(),
                 data={"reference": record.reference, "category": category.value, "form": form.value if form else None, "duty_related": duty_related})
    return record


def remove_discipline(record: DisciplineRecord, *, actor: Person, reason: str) -> None:
    _require_discipline_changeable(record.registration, actor)
    if not (reason or "").strip():
        raise ValidationFailed({"reason": [gettext("Please give a reason.")]})
    audit.record("council.discipline.remove", record, actor=actor, summary=_head_name(record.registration), reason=reason.strip(),
                 data={"reference": record.reference, "recorded_reason": record.reason})
    db.session.delete(record)


def _self_assessment_open(registration: Registration) -> str | None:
    if registration.state != RegistrationState.ASSIGNED or registration.cycle.state not in (CycleState.EXECUTION, CycleState.SCORING):
        return gettext("The self-assessment is written at the end of the year, once the targets were assigned.")
    session = queries.session_of(registration.cycle_id)
    if session is not None and session.state != SessionState.OPEN:
        return gettext("The council's proposal list is final; the self-assessment can no longer change.")
    return None


def save_self_assessment(registration: Registration, data: dict[str, Any], *, actor: Person, version: int | None) -> SelfAssessment:
    policy.require(actor, "council.self_assessment.edit", registration)
    reason = _self_assessment_open(registration)
    if reason:
        raise TransitionRefused(reason)
    item = queries.self_assessment_of(registration)
    if item is None:
        item = SelfAssessment(registration_id=registration.id, summary="", shortcomings="")
        db.session.add(item)
    else:
        check_version(item, version)
        if item.state == SelfAssessmentState.SUBMITTED:
            raise TransitionRefused(gettext("Your self-assessment was submitted; it can no longer change."))
    level = data.get("proposed_level") or None
    if level is not None and level not in rubric_for(registration).level_codes:
        raise ValidationFailed({"proposed_level": [gettext("Not one of the allowed values.")]})
    changed = audit.apply_changes(item, {"summary": data.get("summary", item.summary), "shortcomings": data.get("shortcomings", item.shortcomings), "proposed_level": level})
    if changed or item.id is None:
        audit.record("council.self_assessment.save", item, actor=actor, summary=_head_name(registration), data={"fields": sorted(changed)})
    return item


def submit_self_assessment(item: SelfAssessment, *, actor: Person, version: int | None) -> None:
    SELF_ASSESSMENT.check(item, "submit", actor=actor)
    reason = _self_assessment_open(item.registration)
    if reason:
        raise TransitionRefused(reason)
    check_version(item, version)
    errors = {}
    if not item.summary.strip():
        errors["summary"] = [gettext("Required before submitting.")]
    if not item.proposed_level:
        errors["proposed_level"] = [gettext("Required before submitting.")]
    if errors:
        raise ValidationFailed(errors)
    SELF_ASSESSMENT.fire(item, "submit", actor=actor)
    item.submitted_at = utcnow()
    audit.record("council.self_assessment.submit", item, actor=actor, summary=_head_name(item.registration), data={"proposed_level": item.proposed_level})


# --- the session -----------------------------------------------------------------------------

def open_session(cycle: Cycle, *, actor: Person, held_on: date, place: str = "") -> CouncilSession:
    policy.require(actor, "council.secretary.session", cycle)
    if cycle.state != CycleState.SCORING:
        raise TransitionRefused(gettext("The council scores while the cycle is in the scoring phase."))
    if queries.session_of(cycle.id) is not None:
        raise ValidationFailed({"held_on": [gettext("The session of this cycle is already recorded.")]})
    session = CouncilSession(cycle_id=cycle.id, held_on=held_on, place=(place or "").strip()[:200], notes="")
    db.session.add(session)
    audit.record("council.session.open", session, actor=actor, summary=cycle.name, data={"held_on": held_on.isoformat()})
    return session


def update_session(session: CouncilSession, *, actor: Person, version: int | None, held_on: date, place: str, notes: str, attendee_ids: list[int]) -> None:
    """Record the date, place, minutes and who attends; only while the list is not final."""
    policy.require(actor, "council.secretary.session", session)
    if session.state != SessionState.OPEN:
        raise TransitionRefused(gettext("The proposal list is final; the chair must reopen it before the session's record changes."))
    check_version(session, version)
    seats = {m.id: m for m in queries.members(session.cycle_id)}
    unknown = [i for i in attendee_ids if i not in seats]
    if unknown:
        raise ValidationFailed({"attendee_ids": [gettext("Only members of this council can attend.")]})
    before = sorted(m.id for m in session.attendees)
    changed = audit.apply_changes(session, {"held_on": held_on, "place": (place or "").strip()[:200], "notes": (notes or "").strip()})
    session.attendees = [seats[i] for i in sorted(set(attendee_ids))]
    after = sorted(set(attendee_ids))
    if before != after:
        changed["attendees"] = [before, after]
        # The attendance is another table: mark the row changed so that its version moves too.
        flag_modified(session, "notes")
    if changed:
        audit.record("council.session.update", session, actor=actor, summary=session.cycle.name,
                     data={"changes": {k: [str(v[0]), str(v[1])] for k, v in changed.items()}})


def _frozen(proposal: Any, row: Any, round_: int, session: CouncilSession) -> LevelProposal:
    from workflow.council.proposals import flags_of

    panel = proposal.panel
    flags = flags_of(proposal)
    notes = [{"code": n.code, "params": frozen.params_to_json(n.params)} for n in (*proposal.notes, *proposal.quota.notes)]
    checks = frozen.checks_to_json(proposal.classification.checks if proposal.classification else ())
    return LevelProposal(
        session_id=session.id, round=round_, registration_id=row.registration_id, panel_score=panel.score, method=panel.method,
        ratings=panel.ratings, stdev=panel.stdev, spread=panel.range, level=proposal.level,
        classified_level=proposal.classification.level if proposal.classification else None, quota_status=proposal.quota.status.value,
        options=list(proposal.quota.options), flags=flags, notes=notes, checks=checks,
    )


def finalise_session(session: CouncilSession, *, actor: Person, version: int | None) -> int:
    """The chair freezes the proposal list as it stands into a new round; returns its size."""
    from workflow.council.proposals import compute as compute_panel

    SESSION.check(session, "finalise", actor=actor)
    check_version(session, version)
    # Every track the council scores, each with its own rubric and quota.
    panels = [compute_panel(session.cycle, track=track) for track in council_tracks(session.cycle)]
    SESSION.fire(session, "finalise", actor=actor)
    session.round += 1
    session.finalised_at = utcnow()
    session.finalised_by_id = actor.id
    rows = []
    counts: dict[str, int] = {}
    for panel in panels:
        for proposal, head, candidate in zip(panel.proposals, panel.heads, panel.candidates, strict=True):
            row = _frozen(proposal, head, session.round, session)
            row.facts = candidate.facts.to_json()
            rows.append(row)
        for level, n in panel.proposals.counts().items():
            counts[level] = counts.get(level, 0) + n
    db.session.add_all(rows)
    audit.record("council.session.finalise", session, actor=actor, summary=session.cycle.name,
                 data={"heads": len(rows), "round": session.round, "counts": counts, "present": [m.id for m in session.attendees]})
    return len(rows)


def reopen_session(session: CouncilSession, *, actor: Person, version: int | None, reason: str) -> None:
    SESSION.check(session, "reopen", actor=actor)
    check_version(session, version)
    SESSION.fire(session, "reopen", actor=actor, reason=reason)
    session.reopen_reason = reason.strip()
    audit.record("council.session.reopen", session, actor=actor, summary=session.cycle.name, reason=reason.strip(), data={"round": session.round})


def publish(session: CouncilSession, *, actor: Person, version: int | None, now: datetime | None = None) -> int:
    """The committee publishes its decisions: every head is told, and the objection window
    opens for `objection_days` calendar days (to the end of its last day). Returns how many
    heads were told."""
    SESSION.check(session, "publish", actor=actor)
    check_version(session, version)
    SESSION.fire(session, "publish", actor=actor)
    at = now or utcnow()
    today = WorkingCalendar(calendar_rules(session.cycle)).local_date(at)
    session.published_at = at
    session.published_by_id = actor.id
    session.objection_deadline = today + timedelta(days=council_rules(session.cycle)["objection_days"])
    told = mail.results_published(session)
    audit.record("council.committee.publish", session, actor=actor, summary=session.cycle.name,
                 data={"heads": told, "objection_deadline": session.objection_deadline.isoformat()})
    return told


# --- decisions -------------------------------------------------------------------------------

def _next_number(registration_id: int) -> int:
    return (db.session.scalar(select(func.max(Decision.number)).where(Decision.registration_id == registration_id)) or 0) + 1


def refuse_unclassified(cycle: Cycle, registration_id: int) -> None:
    """A collective left unclassified by the 12-month rule (`workflow.selfscoring.standing`) has
    no level to decide: refused with its sentence, beside the level."""
    from workflow.selfscoring.standing import not_classified

    standing = not_classified(cycle, [registration_id]).get(registration_id)
    if standing is not None:
        raise ValidationFailed({"level": [standing.sentence() + " " + gettext("The committee cannot decide a level for it.")]},
                               standing.sentence())


def decide(proposal: LevelProposal, *, actor: Person, level: str | None, reason: str = "", objection: Objection | None = None) -> Decision:
    """The committee's level for one head: the proposal's (accepting it), or another with a
    mandatory reason. Each call records a new version; nothing is ever overwritten. A tie at
    the quota's cut has no proposed level: the committee chooses one, with its reason.

    Collectives first (tập thể trước, cá nhân sau): a leader is decided once the collectives they
    lead are decided, unless the committee waived the wait for them (`record_collective_waiver`).
    A leader whose collective's decision came after them (`LeaderRecheck`) is decided again, even
    once published: accepting then takes the level recomputed with the collective's."""
    from workflow.council import collectives

    policy.require(actor, "council.committee.decide", proposal)
    session = db.session.get(CouncilSession, proposal.session_id)
    assert session is not None
    recheck = collectives.open_rechecks(session.cycle_id, [proposal.registration_id]).get(proposal.registration_id)
    if objection is None:
        if session.state != SessionState.FINALISED and not (session.state == SessionState.PUBLISHED and recheck is not None):
            if session.state == SessionState.PUBLISHED:
                raise TransitionRefused(gettext("The decisions are published; a decision now changes only through an objection's outcome."))
            raise TransitionRefused(gettext("The committee decides once the chair has finalised the proposal list."))
        if proposal.round != session.round:
            raise TransitionRefused(gettext("This proposal list was replaced by a newer one."))
        waiting = collectives.waiting_for(session.cycle_id, [proposal.registration_id]).get(proposal.registration_id)
        if waiting:
            raise TransitionRefused(gettext(
                "The collectives this head leads are not decided yet: %(names)s. Decide the collectives first "
                "(collectives before their leaders), or record the standing committee's waiver with its reason.",
                names=", ".join(waiting)))
    if proposal.registration.track.code == collectives.COLLECTIVES:
        refuse_unclassified(session.cycle, proposal.registration_id)
    rubric = rubric_of(session.cycle)
    proposed = recheck.recomputed_level if recheck is not None and recheck.recomputed_level else proposal.level
    level = level or proposed
    reason = (reason or "").strip()
    if level is None:
        raise ValidationFailed({"level": [gettext("The council's proposal is tied at the quota's cut: choose the level.")]})
    if level not in rubric.level_codes:
        raise ValidationFailed({"level": [gettext("Not one of the allowed values.")]})
    follows = level == proposed
    if not follows and not reason:
        raise ValidationFailed({"reason": [gettext("Give the reason for deciding a level other than the council's proposal.")]})
    current = queries.latest_decision(proposal.registration_id)
    if current is not None and current.level == level and objection is None and recheck is None:
        raise ValidationFailed({"level": [gettext("This is already the committee's decision for this head.")]})
    decision = Decision(
        cycle_id=session.cycle_id, registration_id=proposal.registration_id, number=_next_number(proposal.registration_id),
        proposal_id=proposal.id, level=level, follows_proposal=follows, reason=reason, decided_by_id=actor.id,
        objection_id=objection.id if objection is not None else None,
    )
    db.session.add(decision)
    data: dict[str, Any] = {"number": decision.number, "proposal": proposal.level, "level": level, "follows_proposal": follows,
                            "previous": current.level if current else None}
    if recheck is not None:
        db.session.flush()
        for open_one in db.session.scalars(select(LeaderRecheck).where(LeaderRecheck.registration_id == proposal.registration_id,
                                                                      LeaderRecheck.cleared_at.is_(None))):
            open_one.cleared_at, open_one.cleared_by_id = utcnow(), decision.id
        data["recomputed"] = recheck.recomputed_level
    audit.record("council.committee.decide", decision, actor=actor, summary=_head_name(proposal.registration), reason=reason, data=data)
    if proposal.registration.track.code == collectives.COLLECTIVES:
        _recheck_leaders(session, decision, current.level if current else None, actor=actor)
    return decision


def _recheck_leaders(session: CouncilSession, decision: Decision, previous: str | None, *, actor: Person) -> list[LeaderRecheck]:
    """A collective's decision came or changed: each of its leaders already frozen in the proposal
    list or decided has their proposal recomputed with the collective's level and waits for the
    committee's new decision; the council's secretary is told, in the same transaction."""
    from workflow.council import collectives
    from workflow.council.proposals import compute as compute_panel

    leaders = collectives.leaders_of(decision.registration)
    frozen = queries.frozen_proposals(session) if session.round else {}
    decided = queries.latest_decisions(session.cycle_id)
    concerned = [r for r in leaders if r in frozen or r in decided]
    if not concerned:
        return []
    db.session.flush()  # the recomputation reads the new decision
    panels: dict[str, Any] = {}
    made = []
    for registration_id in concerned:
        registration = db.session.get(Registration, registration_id)
        assert registration is not None
        code = registration.track.code
        if code not in panels:
            panels[code] = compute_panel(session.cycle, track=code)
        live = panels[code].proposal(registration_id) if registration_id in {h.registration_id for h in panels[code].heads} else None
        recheck = LeaderRecheck(
            cycle_id=session.cycle_id, registration_id=registration_id, collective_decision_id=decision.id, collective_level=decision.level,
            previous_collective_level=previous, proposed_level=frozen[registration_id].level if registration_id in frozen else None,
            recomputed_level=live.level if live is not None else None,
            decided_level=decided[registration_id].level if registration_id in decided else None,
        )
        db.session.add(recheck)
        made.append(recheck)
        audit.record("council.leader.recheck", recheck, actor=actor, summary=f"{_head_name(registration)} ← {decision.registration.unit.name}",
                     data={"collective": decision.registration_id, "collective_level": decision.level, "previous_collective_level": previous,
                           "proposed_level": recheck.proposed_level, "recomputed_level": recheck.recomputed_level,
                           "decided_level": recheck.decided_level})
    db.session.flush()
    mail.leaders_to_recheck(session, decision, made)
    return made


def record_collective_waiver(session: CouncilSession, collective: Registration, *, actor: Person, reason: str) -> CollectiveWaiver:
    """The standing committee decides the leaders of `collective` before the collective itself,
    and records why (tập thể trước, cá nhân sau is the rule it departs from). Once per collective;
    refused for a collective already decided."""
    from workflow.council import collectives

    policy.require(actor, "council.committee.waive", session)
    if session.state == SessionState.OPEN:
        raise TransitionRefused(gettext("The committee decides once the chair has finalised the proposal list."))
    if session.state == SessionState.PUBLISHED:
        raise TransitionRefused(gettext("The decisions are published; a decision now changes only through an objection's outcome."))
    pending = {c.id: c for c in collectives.undecided_collectives(session.cycle_id)}
    errors: dict[str, list[str]] = {}
    if collective.cycle_id != session.cycle_id or collective.track.code != collectives.COLLECTIVES:
        errors["collective_id"] = [gettext("Choose a collective of this list.")]
    elif collective.id not in pending:
        errors["collective_id"] = [gettext("This collective is decided already, or its leaders may already be decided before it.")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [gettext("Say why the committee decides the leaders before their collective.")]
    elif len(reason) > 2000:
        errors["reason"] = [gettext("At most %(max)s characters (this has %(length)s).", max=2000, length=len(reason))]
    if errors:
        raise ValidationFailed(errors)
    waiver = CollectiveWaiver(cycle_id=session.cycle_id, collective_id=collective.id, reason=reason, recorded_by_id=actor.id)
    db.session.add(waiver)
    audit.record("council.collective.waiver", waiver, actor=actor, summary=f"{session.cycle.name}: {collective.unit.name}", reason=reason,
                 data={"collective": collective.id, "leaders": collectives.leaders_of(collective)})
    return waiver


def accept_all(session: CouncilSession, *, actor: Person) -> int:
    """Accept every proposal that has a level and no decision yet, the collectives first (ties are
    left for the committee to choose, and leaders whose collectives are neither decided nor
    waived wait); returns how many decisions were recorded."""
    from workflow.council import collectives

    policy.require(actor, "council.committee.decide", session)
    from workflow.selfscoring.standing import not_classified

    decided = queries.latest_decisions(session.cycle_id)
    frozen = queries.frozen_proposals(session)
    unclassified = not_classified(session.cycle)  # nothing to decide (a list frozen before the rule counted them)
    count = 0
    # The collectives first: their decisions are what their leaders' wait on, and recompute.
    for is_collective in (True, False):
        db.session.flush()
        waiting = {} if is_collective else collectives.waiting_for(session.cycle_id)
        rechecks = {} if is_collective else collectives.open_rechecks(session.cycle_id)
        for registration_id, proposal in frozen.items():
            if registration_id in decided or registration_id in waiting or registration_id in unclassified or (proposal.registration.track.code == collectives.COLLECTIVES) != is_collective:
                continue
            recheck = rechecks.get(registration_id)
            level = recheck.recomputed_level if recheck is not None else proposal.level
            if level is not None:
                decide(proposal, actor=actor, level=level)
                count += 1
    return count


def record_quota_exception(session: CouncilSession, group_id: int | None, *, actor: Person, reason: str, legal_basis: str,
                           track: str = HEADS) -> QuotaException:
    """The committee records why, and on which legal basis, it decides more heads at the quota's
    level in one scope (a group of units; None when the quota counts every head together) than the
    quota allows. It covers the heads so decided now; one more needs another exception."""
    from workflow.council.quota import scope_of

    policy.require(actor, "council.committee.decide", session)
    if session.state == SessionState.OPEN:
        raise TransitionRefused(gettext("The committee decides once the chair has finalised the proposal list."))
    scope = scope_of(session, group_id, track)
    errors: dict[str, list[str]] = {}
    if scope is None:
        errors["group_id"] = [gettext("Choose a group of units of this list.")]
    elif not scope.count.exceeded:
        errors["group_id"] = [gettext("%(scope)s keeps to the quota: no exception is needed.", scope=scope.name)]
    elif scope.covered:
        errors["group_id"] = [gettext("An exception already covers the %(count)s heads of %(scope)s.", count=scope.count.count, scope=scope.name)]
    reason, legal_basis = (reason or "").strip(), (legal_basis or "").strip()
    if not reason:
        errors["reason"] = [gettext("Say why the committee decides beyond the quota.")]
    if not legal_basis:
        errors["legal_basis"] = [gettext("Name the legal basis (the provision that allows the exception).")]
    if errors:
        raise ValidationFailed(errors)
    assert scope is not None
    count = scope.count
    exception = QuotaException(cycle_id=session.cycle_id, session_id=session.id, track=scope.track, group_id=scope.group_id, level=count.level, heads=count.count,
                               base=count.base, allowance=count.allowance, reason=reason, legal_basis=legal_basis, recorded_by_id=actor.id)
    db.session.add(exception)
    audit.record("council.quota.exception", exception, actor=actor, summary=f"{session.cycle.name}: {scope.name} ({count.count}/{count.allowance})",
                 reason=reason, data={"track": scope.track, "group_id": scope.group_id, "level": count.level, "heads": count.count, "base": count.base,
                                      "allowance": count.allowance, "legal_basis": legal_basis})
    return exception


# --- objections ------------------------------------------------------------------------------

def file_objection(registration: Registration, text: str, *, actor: Person, now: datetime | None = None) -> Objection:
    """The head objects to their published decision, within the window; one pending at a time."""
    policy.require(actor, "council.objection.file", registration)
    session = queries.session_of(registration.cycle_id)
    is_open, deadline = queries.objection_window(session, now)
    if not is_open:
        if deadline is None:
            raise TransitionRefused(gettext("An objection can be filed once the committee has published its decisions."))
        raise TransitionRefused(gettext("The time for objections ended on %(day)s.", day=formats.day(deadline)))
    if not (text or "").strip():
        raise ValidationFailed({"text": [gettext("Write what you object to and why.")]})
    decision = queries.latest_decision(registration.id)
    if decision is None:
        raise TransitionRefused(gettext("There is no decision to object to."))
    pending = db.session.scalar(select(Objection.id).where(Objection.registration_id == registration.id, Objection.state == ObjectionState.FILED))
    if pending is not None:
        raise TransitionRefused(gettext("Your objection is waiting for the committee; you can file another once it is answered."))
    objection = Objection(cycle_id=registration.cycle_id, registration_id=registration.id, decision_id=decision.id, filed_by_id=actor.id,
                          text=text.strip(), filed_at=now or utcnow())
    db.session.add(objection)
    audit.record("council.objection.file", objection, actor=actor, summary=_head_name(registration), data={"decision": decision.number})
    return objection


def decide_objection(objection: Objection, step: str, *, actor: Person, version: int | None, outcome: str, level: str | None = None) -> Decision | None:
    """Uphold (a new decision version with `level`) or reject (the decision stands); the outcome
    is written and the head told."""
    OBJECTION.check(objection, step, actor=actor)
    check_version(objection, version)
    if not (outcome or "").strip():
        raise ValidationFailed({"outcome": [gettext("Write the committee's answer.")]})
    decision = None
    if step == "uphold":
        current = queries.latest_decision(objection.registration_id)
        if not level or (current is not None and level == current.level):
            raise ValidationFailed({"level": [gettext("Upholding an objection records a different level: choose it.")]})
        proposal = objection.decision.proposal
        if proposal is None:
            raise DomainError(gettext("This decision has no proposal to refer to."))
        db.session.flush()
        decision = decide(proposal, actor=actor, level=level, reason=outcome, objection=objection)
    OBJECTION.fire(objection, step, actor=actor, reason=outcome)
    objection.outcome = outcome.strip()
    objection.decided_by_id = actor.id
    objection.decided_at = utcnow()
    audit.record(f"council.objection.{step}", objection, actor=actor, summary=_head_name(objection.registration), reason=outcome.strip(),
                 data={"level": level if decision else None})
    mail.objection_decided(objection, decision)
    return decision
