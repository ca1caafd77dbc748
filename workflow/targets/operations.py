"""Every change to registrations, targets, proposals, comments and amendments.

Each function takes the acting person explicitly, checks the permission and the workflow,
checks the version the person edited, writes the revision (once the registration has been
submitted) and the audit entry. Nothing here commits: the request, job or command does.

A change to a target stamps its registration and numbers the registration's next revision, so
changes to one registration take turns (`_lock`): two people editing two targets at the same
moment both succeed, one after the other, and each revision's snapshot holds the other's change.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import select

from workflow import policy
from workflow.accounts.models import Person, Role
from workflow.calendar import WorkingCalendar, calendar_rules
from workflow.core import audit, formats
from workflow.core.concurrency import check_version, lock
from workflow.core.errors import DomainError, PermissionDenied, TransitionRefused, ValidationFailed, flatten_errors
from workflow.core.models import utcnow
from workflow.cycles.models import Cycle, CycleState
from workflow.extensions import db
from workflow.framework import operations as framework
from workflow.framework.models import Subject
from workflow.framework.rules import HEADS
from workflow.targets import notices, revisions
from workflow.targets.models import (
    Amendment,
    AmendmentState,
    ChangeKind,
    Comment,
    Proposal,
    Registration,
    RegistrationState,
    RevisionKind,
    Target,
    TargetKind,
    TargetOrigin,
)
from workflow.targets.queries import registration_of
from workflow.targets.schemas import (
    MILESTONE_FIELDS,
    QUANTITATIVE_FIELDS,
    TARGET_FIELDS,
    TASK_FIELDS,
    TargetFieldsSchema,
    kind_errors,
)
from workflow.targets.warnings import registration_rules
from workflow.targets.workflow import AMENDMENT, PROPOSAL, REGISTRATION, weights_add_up
from workflow.units.models import Unit

# --- registrations ---------------------------------------------------------------------------


def _lock(registration: Registration) -> None:
    """Lock the registration until the transaction ends, before anything about it is checked;
    if someone changed it (or its targets: each change stamps it) since the session read it,
    read it and its targets again."""
    before = registration.version
    if lock(registration) != before:
        db.session.execute(select(Target).where(Target.registration_id == registration.id).execution_options(populate_existing=True)).all()
        db.session.expire(registration, ["targets"])


def create_plan(cycle: Cycle, subject: Subject, *, actor: Person) -> Registration:
    """A new, empty plan of a subject of another track than the heads' for `cycle`: a person
    registers their own (a key leader of a commune, on their title's sheet); a collective's is
    written by the head of its unit. The plan then follows the same steps as a head's."""
    track = subject.track
    if track.code == HEADS:
        return create_registration(cycle, subject.unit, actor=actor)
    if not subject.active or (subject.person_id is not None and subject.person_id != actor.id) or (
            subject.person_id is None and subject.unit_id not in actor.head_unit_ids):
        raise PermissionDenied(gettext("Only the person evaluated (for a collective, the head of its unit) writes this plan."))
    if cycle.state == CycleState.CLOSED:
        raise DomainError(gettext("This evaluation cycle is closed."))
    framework.track_in(cycle, track.code)
    if db.session.scalar(select(Registration.id).where(Registration.cycle_id == cycle.id, Registration.subject_id == subject.id)) is not None:
        raise ValidationFailed({"subject_id": [gettext("This plan already exists for %(cycle)s.", cycle=cycle.name)]})
    registration = Registration(cycle=cycle, track=track, subject=subject, unit_id=subject.unit_id, head_id=actor.id, state=RegistrationState.DRAFT)
    db.session.add(registration)
    audit.record("registration.create", registration, actor=actor, summary=f"{track.name_vi}: {subject.unit.name} — {cycle.name}")
    return registration


def create_registration(cycle: Cycle, unit: Unit, *, actor: Person) -> Registration:
    """A new, empty registration of `unit` for `cycle`, written by its head."""
    policy.require(actor, "registration.create", unit)
    if cycle.state == CycleState.CLOSED:
        raise DomainError(gettext("This evaluation cycle is closed."))
    if registration_of(cycle.id, unit.id) is not None:
        raise ValidationFailed({"unit_id": [gettext("%(unit)s already has a registration for %(cycle)s.", unit=unit.name, cycle=cycle.name)]})
    track = framework.track_in(cycle, HEADS)
    subject = framework.subject_of(track, unit_id=unit.id, person_id=actor.id)
    registration = Registration(cycle=cycle, track=track, subject=subject, unit=unit, head_id=actor.id, state=RegistrationState.DRAFT)
    db.session.add(registration)
    audit.record("registration.create", registration, actor=actor, summary=f"{unit.name} — {cycle.name}")
    return registration


def targets_in_force(registration: Registration) -> list[Target]:
    """The targets in force: what reports and scoring use. After the official assignment this
    is the assigned set as changed by approved amendments; the assigned snapshot itself stays
    in the revision of kind "assigned".

    In the one order every page lists and numbers them (1, 2, 3 …): the quantitative targets,
    then the tasks, each in the order they were added."""
    return sorted((t for t in registration.targets if not t.dropped), key=lambda t: (t.kind != TargetKind.QUANTITATIVE, t.position))


def take_step(
    registration: Registration,
    step: str,
    *,
    actor: Person,
    version: int | None,
    reason: str = "",
    decision: dict[str, Any] | None = None,
) -> None:
    """Submit, forward, return or officially assign a registration."""
    _lock(registration)
    REGISTRATION.check(registration, step, actor=actor)
    check_version(registration, version)
    if step == "submit" and (problem := weights_add_up(registration)):
        raise ValidationFailed({"weight": [problem]}, problem)
    if step == "assign":
        _check_decision(registration, decision or {})
    old, new = REGISTRATION.fire(registration, step, actor=actor, reason=reason)
    now = utcnow()
    if step == "submit":
        registration.submitted_at = now
        registration.returned_reason = ""
        revisions.write(registration, RevisionKind.SUBMITTED, actor=actor, reason=reason)
    elif step == "forward":
        revisions.write(registration, RevisionKind.REVIEWED, actor=actor, reason=reason)
    elif step == "return":
        registration.returned_reason = reason.strip()
        notices.registration_step(registration, step, revisions.write(registration, RevisionKind.RETURNED, actor=actor, reason=reason).number)
    elif step == "assign":
        registration.assigned_at = now
        registration.assigned_by_id = actor.id
        notices.registration_step(registration, step, revisions.write(registration, RevisionKind.ASSIGNED, actor=actor, reason=reason).number)
    audit.record(
        f"registration.{step}",
        registration,
        actor=actor,
        summary=registration.unit.name,
        reason=reason,
        data={"from": old.value, "to": new.value, **({"decision_number": registration.decision_number} if step == "assign" else {})},
    )


def _check_decision(registration: Registration, decision: dict[str, Any]) -> None:
    """Fill the assignment decision (number, date, signer) or say which field is missing."""
    errors: dict[str, list[str]] = {}
    number = (decision.get("decision_number") or "").strip()
    day: date | None = decision.get("decision_date")
    signer = None
    if not number:
        errors["decision_number"] = [gettext("Give the number of the assignment decision.")]
    if day is None:
        errors["decision_date"] = [gettext("Give the date of the assignment decision.")]
    elif problem := decision_date_problem(registration.cycle, day):
        errors["decision_date"] = [problem]
    if decision.get("signer_id"):
        signer = db.session.get(Person, decision["signer_id"])
        if signer is None or not signer.has_role(Role.COMMITTEE):
            errors["signer_id"] = [gettext("The signer must be a member of the standing committee.")]
    name = (decision.get("signer_name") or "").strip() or (signer.full_name if signer else "")
    if not name:
        errors["signer_name"] = [gettext("Give the name of the person who signed the decision.")]
    if errors:
        raise ValidationFailed(errors)
    registration.decision_number = number
    registration.decision_date = day
    registration.signer_id = signer.id if signer else None
    registration.signer_name = name
    registration.signer_title = (decision.get("signer_title") or "").strip() or (signer.title if signer else "")


def decision_date_problem(cycle: Cycle, day: date) -> str | None:
    """Why `day` cannot be the date of an assignment decision for `cycle`: in the future (as of
    today where the province is), or outside the cycle's year give or take the margin of the
    rules (`[registration] decision_date_margin_days`)."""
    today = WorkingCalendar(calendar_rules(cycle)).local_date(utcnow())
    if day > today:
        return gettext("The decision cannot be dated in the future: today is %(today)s.", today=formats.day(today))
    margin = timedelta(days=registration_rules(cycle)["decision_date_margin_days"])
    earliest, latest = cycle.starts_on - margin, cycle.ends_on + margin
    if not earliest <= day <= latest:
        return gettext("A decision assigning the targets of %(cycle)s is dated from %(start)s to %(end)s.", cycle=cycle.name,
                       start=formats.day(earliest), end=formats.day(latest))
    return None


# --- targets ---------------------------------------------------------------------------------


def _current_values(target: Target) -> dict[str, Any]:
    return {name: getattr(target, name) for name in TARGET_FIELDS}


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    """Clear the fields that do not belong to the target's kind, so switching a target from
    quantitative to task (or back) leaves nothing stale behind."""
    values = dict(values)
    if values["kind"] == TargetKind.TASK:
        values.update({name: None for name in QUANTITATIVE_FIELDS})
        values["measure"] = ""
    else:
        values.update({name: None for name in TASK_FIELDS})
        values.update({name: "" for name in ("product", *MILESTONE_FIELDS)})
    for name in ("field", "measure", "product", *MILESTONE_FIELDS):
        values[name] = values.get(name) or ""
    for name in ("is_new", "is_difficult", "is_focal", "is_bottleneck"):
        values[name] = bool(values.get(name))
    return values


def _domain_errors(registration: Registration, values: dict[str, Any], *, target: Target | None = None) -> dict[str, list[str]]:
    """Checks a schema cannot make: they need the cycle or the database."""
    errors = kind_errors(values)
    cycle = registration.cycle
    due = values.get("due_date")
    if values.get("kind") == TargetKind.TASK and due is not None and not cycle.contains(due):
        errors.setdefault("due_date", []).append(
            gettext("The due date must fall within the cycle (%(start)s – %(end)s).", start=formats.day(cycle.starts_on), end=formats.day(cycle.ends_on))
        )
    previous_id = values.get("previous_target_id")
    if previous_id:
        row = db.session.execute(
            select(Registration.unit_id, Cycle.year)
            .join(Target, Target.registration_id == Registration.id)
            .join(Cycle, Registration.cycle_id == Cycle.id)
            .where(Target.id == previous_id)
        ).first()
        if row is None or row.unit_id != registration.unit_id or row.year >= cycle.year:
            errors.setdefault("previous_target_id", []).append(gettext("Choose a target of this unit from an earlier cycle."))
    return errors


def _validated(registration: Registration, values: dict[str, Any], *, prefix: str = "") -> dict[str, Any]:
    errors = _domain_errors(registration, values)
    if errors:
        raise ValidationFailed({prefix + k: v for k, v in errors.items()})
    return _normalise(values)


def _require_reason(registration: Registration, reason: str) -> str:
    """Once a registration was submitted, every change to its targets says why."""
    reason = (reason or "").strip()
    if registration.ever_submitted and not reason:
        raise ValidationFailed({"reason": [gettext("Say why this change is made: the registration has already been submitted.")]})
    return reason


def _new_target(registration: Registration, values: dict[str, Any], origin: TargetOrigin) -> Target:
    position = (max((t.position for t in registration.targets), default=0)) + 1
    target = Target(position=position, origin=origin, **values)
    registration.targets.append(target)
    registration.touch()
    db.session.flush()
    return target


def _record_change(registration: Registration, kind: RevisionKind, *, actor: Person, reason: str, changes: list[dict[str, Any]]) -> None:
    registration.touch()
    if registration.ever_submitted:
        revisions.write(registration, kind, actor=actor, reason=reason, changes=changes)


def add_target(registration: Registration, values: dict[str, Any], *, actor: Person, reason: str = "") -> Target:
    """The head adds a target to their registration (draft or returned). While the
    registration is under review, a target the committee adds is a supplementary one."""
    _lock(registration)
    if registration.state in (RegistrationState.SUBMITTED, RegistrationState.REVIEWED):
        return supplement_target(registration, values, actor=actor, reason=reason)
    policy.require(actor, "registration.edit", registration)
    reason = _require_reason(registration, reason)
    values = _validated(registration, values)
    target = _new_target(registration, values, TargetOrigin.REGISTERED)
    _record_change(registration, RevisionKind.EDITED, actor=actor, reason=reason, changes=revisions.field_changes(target, None, revisions.target_values(target)))
    audit.record("target.create", target, actor=actor, summary=f"{registration.unit.name}: {target.title}", reason=reason)
    return target


def supplement_target(registration: Registration, values: dict[str, Any], *, actor: Person, reason: str) -> Target:
    """The committee assigns a supplementary target of its own (giao bổ sung)."""
    _lock(registration)
    policy.require(actor, "target.supplement", registration)
    if not (reason or "").strip():
        raise ValidationFailed({"reason": [gettext("Please give a reason.")]})
    values = _validated(registration, values)
    target = _new_target(registration, values, TargetOrigin.SUPPLEMENTARY)
    _record_change(registration, RevisionKind.SUPPLEMENTED, actor=actor, reason=reason.strip(), changes=revisions.field_changes(target, None, revisions.target_values(target)))
    audit.record("target.supplement", target, actor=actor, summary=f"{registration.unit.name}: {target.title}", reason=reason)
    return target


def set_weights(registration: Registration, weights: dict[int, Decimal], *, actor: Person, version: int | None, reason: str = "") -> list[dict[str, Any]]:
    """The head rebalances the weights of the targets in force at once ({target id: weight});
    one revision for all of them once the registration was submitted. Returns the changes."""
    policy.require(actor, "registration.edit", registration)
    check_version(registration, version)
    targets = {t.id: t for t in targets_in_force(registration)}
    unknown = [i for i in weights if i not in targets]
    if unknown:
        raise ValidationFailed({f"weight.{unknown[0]}": [gettext("Choose one of this registration's targets in force.")]})
    reason = _require_reason(registration, reason)
    changes: list[dict[str, Any]] = []
    for ident, weight in weights.items():
        target = targets[ident]
        if Decimal(weight) != target.weight:
            before = revisions.target_values(target)
            target.weight = Decimal(weight)
            changes.extend(revisions.field_changes(target, before, revisions.target_values(target)))
    if changes:
        _record_change(registration, RevisionKind.EDITED, actor=actor, reason=reason, changes=changes)
        audit.record("registration.weights", registration, actor=actor, summary=f"{registration.unit.name}: {len(changes)}", reason=reason,
                     data={"changes": {str(c["target_id"]): [c["before"], c["after"]] for c in changes}})
    return changes


def _live_target(target: Target) -> None:
    if target.dropped:
        raise DomainError(gettext("This target was dropped; it can no longer be changed."))


def update_target(target: Target, changes: dict[str, Any], *, actor: Person, version: int | None, reason: str = "") -> list[dict[str, Any]]:
    """Change some values of a target; returns the field-level changes made."""
    registration = target.registration
    _lock(registration)
    policy.require(actor, "registration.edit", registration)
    _live_target(target)
    check_version(target, version)
    reason = _require_reason(registration, reason)
    values = _validated(registration, {**_current_values(target), **changes})
    return _apply(target, values, actor=actor, reason=reason, kind=RevisionKind.EDITED)


def _apply(target: Target, values: dict[str, Any], *, actor: Person, reason: str, kind: RevisionKind) -> list[dict[str, Any]]:
    before = revisions.target_values(target)
    for name, value in values.items():
        setattr(target, name, value)
    after = revisions.target_values(target)
    changes = revisions.field_changes(target, before, after)
    if changes:
        _record_change(target.registration, kind, actor=actor, reason=reason, changes=changes)
        audit.record("target.update", target, actor=actor, summary=f"{target.registration.unit.name}: {target.title}", reason=reason,
                     data={"fields": [c["field"] for c in changes]})
    return changes


def drop_target(target: Target, *, actor: Person, version: int | None, reason: str = "") -> None:
    """Remove a target. Before the first submission it is deleted; afterwards it is kept,
    marked dropped, so the history can still show it."""
    registration = target.registration
    _lock(registration)
    policy.require(actor, "registration.edit", registration)
    _live_target(target)
    check_version(target, version)
    reason = _require_reason(registration, reason)
    _drop(target, actor=actor, reason=reason, kind=RevisionKind.EDITED)


def _drop(target: Target, *, actor: Person, reason: str, kind: RevisionKind) -> list[dict[str, Any]]:
    registration = target.registration
    audit.record("target.drop", target, actor=actor, summary=f"{registration.unit.name}: {target.title}", reason=reason)
    changes = revisions.field_changes(target, revisions.target_values(target), None)
    if registration.ever_submitted:
        target.dropped = True
    else:
        registration.targets.remove(target)
    _record_change(registration, kind, actor=actor, reason=reason, changes=changes)
    return changes


# --- proposals and amendment items -----------------------------------------------------------


def _load_values(values: Any, *, partial: bool, prefix: str) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise ValidationFailed({prefix.rstrip("."): [gettext("Must be an object.")]})
    try:
        return TargetFieldsSchema(partial=partial).load(values)
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages, prefix)) from None


def _item_target(registration: Registration, target_id: Any, field: str) -> Target:
    target = next((t for t in registration.targets if t.id == target_id and not t.dropped), None)
    if target is None:
        raise ValidationFailed({field: [gettext("Choose one of this registration's targets in force.")]})
    return target


def check_item(registration: Registration, item: dict[str, Any], *, prefix: str = "") -> dict[str, Any]:
    """Validate one change (add, change or drop) against the targets as they are now; returns
    it JSON-safe for storage: {kind, target_id, values}."""
    kind = ChangeKind(item["kind"])
    if kind == ChangeKind.ADD:
        values = _validated(registration, _load_values(item.get("values") or {}, partial=False, prefix=prefix + "values."), prefix=prefix + "values.")
        return {"kind": kind.value, "target_id": None, "values": {k: revisions.json_value(v) for k, v in values.items()}}
    target = _item_target(registration, item.get("target_id"), prefix + "target_id")
    if kind == ChangeKind.DROP:
        return {"kind": kind.value, "target_id": target.id, "values": {}}
    changes = _load_values(item.get("values") or {}, partial=True, prefix=prefix + "values.")
    current = _current_values(target)
    _validated(registration, {**current, **changes}, prefix=prefix + "values.")
    differing = {k: revisions.json_value(v) for k, v in changes.items() if revisions.json_value(v) != revisions.json_value(current[k])}
    if not differing:
        raise ValidationFailed({prefix + "values": [gettext("Change at least one value of the target.")]})
    before = {k: revisions.json_value(current[k]) for k in differing}
    return {"kind": kind.value, "target_id": target.id, "values": differing, "before": before}


def _apply_item(registration: Registration, item: dict[str, Any], *, origin: TargetOrigin, kind: RevisionKind, actor: Person, reason: str) -> list[dict[str, Any]]:
    """Apply a stored change to the targets as they are now (they may have moved since the
    change was proposed, so it is validated again)."""
    change = ChangeKind(item["kind"])
    if change == ChangeKind.ADD:
        values = _validated(registration, _load_values(item["values"], partial=False, prefix="values."), prefix="values.")
        target = _new_target(registration, values, origin)
        audit.record("target.create", target, actor=actor, summary=f"{registration.unit.name}: {target.title}", reason=reason)
        return revisions.field_changes(target, None, revisions.target_values(target))
    target = next((t for t in registration.targets if t.id == item["target_id"]), None)
    if target is None or target.dropped:
        raise TransitionRefused(gettext("A target named in this change was dropped meanwhile; the change can no longer be applied."))
    if change == ChangeKind.DROP:
        target.dropped = True
        audit.record("target.drop", target, actor=actor, summary=f"{registration.unit.name}: {target.title}", reason=reason)
        return revisions.field_changes(target, revisions.target_values(target), None)
    values = _validated(registration, {**_current_values(target), **_load_values(item["values"], partial=True, prefix="values.")}, prefix="values.")
    before = revisions.target_values(target)
    for name, value in values.items():
        setattr(target, name, value)
    return revisions.field_changes(target, before, revisions.target_values(target))


def create_proposal(registration: Registration, item: dict[str, Any], *, actor: Person, reason: str) -> Proposal:
    """A staff officer proposes to add, change or drop a target, with a reason."""
    _lock(registration)
    policy.require(actor, "proposal.create", registration)
    if registration.state not in (RegistrationState.SUBMITTED, RegistrationState.REVIEWED):
        raise TransitionRefused(gettext("Proposals can be made only while the registration is under review."))
    if not (reason or "").strip():
        raise ValidationFailed({"reason": [gettext("Please give a reason.")]})
    checked = check_item(registration, item)
    proposal = Proposal(
        registration_id=registration.id,
        kind=ChangeKind(checked["kind"]),
        target_id=checked["target_id"],
        values=checked["values"],
        before=checked.get("before"),
        reason=reason.strip(),
        author_id=actor.id,
    )
    db.session.add(proposal)
    registration.touch()
    audit.record("proposal.create", proposal, actor=actor, summary=registration.unit.name, reason=reason, data={"kind": checked["kind"]})
    return proposal


def decide_proposal(proposal: Proposal, step: str, *, actor: Person, version: int | None, note: str = "") -> None:
    """Accept (applying the change as a revision), reject (with a note) or withdraw."""
    _lock(proposal.registration)
    PROPOSAL.check(proposal, step, actor=actor)
    check_version(proposal, version)
    registration = proposal.registration
    old, new = PROPOSAL.fire(proposal, step, actor=actor, reason=note)
    if step == "accept":
        item = {"kind": proposal.kind.value, "target_id": proposal.target_id, "values": proposal.values}
        reason = proposal.reason if not note.strip() else f"{proposal.reason} — {note.strip()}"
        changes = _apply_item(registration, item, origin=TargetOrigin.PROPOSAL, kind=RevisionKind.PROPOSAL_ACCEPTED, actor=actor, reason=reason)
        _record_change(registration, RevisionKind.PROPOSAL_ACCEPTED, actor=actor, reason=reason, changes=changes)
    else:
        registration.touch()
    if step != "withdraw":
        proposal.decided_by_id = actor.id
        proposal.decided_at = utcnow()
    proposal.decision_note = note.strip()
    audit.record(f"proposal.{step}", proposal, actor=actor, summary=registration.unit.name,
                 reason=note, data={"from": old.value, "to": new.value, "kind": proposal.kind.value})


# --- comments --------------------------------------------------------------------------------


def add_comment(registration: Registration, body: str, *, actor: Person, target_id: int | None = None) -> Comment:
    policy.require(actor, "comment.create", registration)
    if target_id is not None:
        _item_target(registration, target_id, "target_id")
    comment = Comment(registration_id=registration.id, target_id=target_id, author_id=actor.id, body=body.strip())
    db.session.add(comment)
    audit.record("comment.create", comment, actor=actor, summary=f"{registration.unit.name}: {body.strip()[:200]}")
    return comment


# --- amendments after the official assignment ------------------------------------------------


def request_amendment(registration: Registration, items: list[dict[str, Any]], *, actor: Person, reason: str) -> Amendment:
    """The head or a committee member asks to change assigned targets."""
    policy.require(actor, "amendment.request", registration)
    if not (reason or "").strip():
        raise ValidationFailed({"reason": [gettext("Please give a reason.")]})
    if not items:
        raise ValidationFailed({"items": [gettext("Name at least one change.")]})
    checked = [check_item(registration, item, prefix=f"items.{i}.") for i, item in enumerate(items)]
    amendment = Amendment(registration_id=registration.id, requested_by_id=actor.id, reason=reason.strip(), items=checked)
    db.session.add(amendment)
    audit.record("amendment.request", amendment, actor=actor, summary=registration.unit.name, reason=reason, data={"items": len(checked)})
    return amendment


def add_amendment_item(amendment: Amendment, item: dict[str, Any], *, actor: Person, version: int | None) -> None:
    """Add one more change to a request not decided yet (only its author may)."""
    if amendment.requested_by_id != actor.id or not policy.can(actor, "amendment.request", amendment.registration):
        raise PermissionDenied(gettext("You are not allowed to do this."))
    if amendment.state != AmendmentState.REQUESTED:
        raise TransitionRefused(gettext("This amendment has already been decided."))
    check_version(amendment, version)
    if len(amendment.items) >= 20:
        raise ValidationFailed({"items": [gettext("Between 1 and 20 changes.")]})
    checked = check_item(amendment.registration, item)
    amendment.items = [*amendment.items, checked]
    audit.record("amendment.add_item", amendment, actor=actor, summary=amendment.registration.unit.name, data={"kind": checked["kind"]})


def decide_amendment(
    amendment: Amendment, step: str, *, actor: Person, version: int | None, note: str = "",
    decision_number: str = "", decision_date: date | None = None,
) -> None:
    """Approve (applying every change as one revision of kind "amended") or reject."""
    _lock(amendment.registration)
    AMENDMENT.check(amendment, step, actor=actor)
    check_version(amendment, version)
    registration = amendment.registration
    old, new = AMENDMENT.fire(amendment, step, actor=actor, reason=note)
    if step == "approve":
        changes: list[dict[str, Any]] = []
        for item in amendment.items:
            changes.extend(_apply_item(registration, item, origin=TargetOrigin.AMENDMENT, kind=RevisionKind.AMENDED, actor=actor, reason=amendment.reason))
        db.session.flush()
        problem = weights_add_up(registration)
        if problem:
            raise TransitionRefused(gettext("After these changes: %(problem)s Ask for a complete amendment.", problem=problem))
        reason = amendment.reason if not note.strip() else f"{amendment.reason} — {note.strip()}"
        _record_change(registration, RevisionKind.AMENDED, actor=actor, reason=reason, changes=changes)
    amendment.decided_by_id = actor.id
    amendment.decided_at = utcnow()
    amendment.decision_note = note.strip()
    amendment.decision_number = (decision_number or "").strip()
    amendment.decision_date = decision_date
    audit.record(f"amendment.{step}", amendment, actor=actor, summary=f"{registration.unit.name}", reason=note,
                 data={"from": old.value, "to": new.value})
