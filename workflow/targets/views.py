"""Pages of the target-assignment workflow: the list of registrations, "my registration",
the registration page (targets, warnings, proposals, amendments, comments), target forms,
the assignment form, the history and the side-by-side diff.

Views load, check and delegate: forms go through the API's schemas (`load_form`), changes
through `operations`. A stale form answers 409 and shows the person's input again.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from workflow import policy
from workflow.accounts.models import Person, Role, RoleGrant
from workflow.core.errors import NotFound, StaleObject, ValidationFailed
from workflow.core.inputs import whole_number
from workflow.core.pagination import paginate
from workflow.core.web import form_version, get_or_404, load_form, page_args
from workflow.cycles.models import Cycle
from workflow.cycles.operations import current_cycle
from workflow.drafts import web as drafts
from workflow.extensions import db
from workflow.targets import display, operations, presenters, queries, revisions
from workflow.targets.dashboard import next_step_for_head
from workflow.targets.models import Amendment, AmendmentState, ChangeKind, Proposal, Registration, RegistrationState, Target, TargetKind
from workflow.targets.schemas import (
    AmendmentDecisionSchema,
    AssignFormSchema,
    CommentCreateSchema,
    ProposalStepSchema,
    RegistrationFilterSchema,
    StepSchema,
    TARGET_FIELDS,
    TargetFieldsSchema,
    TargetWriteSchema,
    TransitionSchema,
    field_labels,
)
from workflow.targets.warnings import warnings_for, weight_total
from workflow.targets.workflow import AMENDMENT, AMENDMENT_TONES, PROPOSAL, PROPOSAL_TONES, REGISTRATION, STATE_TONES
from workflow.units.models import Unit, UnitGroup

bp = Blueprint("targets", __name__, url_prefix="/registrations")


@bp.record_once
def _template_globals(state: Any) -> None:
    # Globals rather than a context processor, so the macros in targets/_macros.html see them.
    state.app.jinja_env.globals.update({
        "registration_workflow": REGISTRATION,
        "state_tones": STATE_TONES,
        "proposal_workflow": PROPOSAL,
        "proposal_tones": PROPOSAL_TONES,
        "amendment_workflow": AMENDMENT,
        "amendment_tones": AMENDMENT_TONES,
    })


@bp.app_template_filter("target_value")
def _target_value(value: Any, field: str) -> str:
    return display.show(field, value)


def _registration(registration_id: int) -> Registration:
    registration = get_or_404(Registration, registration_id)
    policy.require(current_user, "registration.view", registration)
    return registration


def _target(registration: Registration, target_id: int) -> Target:
    return queries.child_of(registration, Target, target_id)


def _to_registration(registration: Registration, anchor: str = "") -> Any:
    return redirect(url_for("targets.detail", registration_id=registration.id) + (f"#{anchor}" if anchor else ""))


# --- lists -----------------------------------------------------------------------------------

@bp.get("")
def index():
    policy.require(current_user, "registration.list")
    raw = {k: v for k, v in request.args.items() if k in RegistrationFilterSchema().fields and v != ""}
    try:
        filters = RegistrationFilterSchema().load(raw)
    except ValidationError:  # a mistyped filter (hand-edited address) shows the unfiltered list
        filters = RegistrationFilterSchema().load({})
    if "cycle_id" not in raw and (cycle := current_cycle()) is not None:
        filters["cycle_id"] = cycle.id
    page = paginate(queries.registrations(current_user, filters), *page_args(), count=queries.registration_count(current_user, filters))
    rows = presenters.summaries(page.items)
    cycles = db.session.scalars(select(Cycle).order_by(Cycle.year.desc())).all()
    groups = db.session.scalars(select(UnitGroup).order_by(UnitGroup.position)).all()
    return render_template("targets/index.html", page=page, rows=rows, filters=filters, cycles=cycles, groups=groups)


@bp.get("/mine")
def mine():
    """The head's registration for the current cycle (or a button to start it), and the
    registrations of earlier cycles."""
    units = sorted(current_user.head_unit_ids)
    if not units:
        policy.require(current_user, "registration.create")
    cycle = current_cycle()
    history = db.session.scalars(
        select(Registration).join(Cycle, Registration.cycle_id == Cycle.id).where(Registration.unit_id.in_(units)).order_by(Cycle.year.desc())
    ).all()
    current = [r for r in history if cycle is not None and r.cycle_id == cycle.id]
    if len(units) == 1 and len(current) == 1:
        return _to_registration(current[0])
    started = {r.unit_id for r in current}
    missing = [db.session.get(Unit, u) for u in units if u not in started] if cycle is not None else []
    return render_template("targets/mine.html", cycle=cycle, history=history, missing=missing)


@bp.post("/mine")
def start():
    cycle = current_cycle()
    if cycle is None:
        flash(gettext("There is no open evaluation cycle."), "warning")
        return redirect(url_for("targets.mine"))
    raw = request.form.get("unit_id", "")
    unit_id = whole_number(raw)
    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    registration = operations.create_registration(cycle, unit, actor=current_user)
    db.session.flush()
    flash(gettext("Your registration for %(cycle)s was created. Add your targets and tasks.", cycle=cycle.name), "success")
    return _to_registration(registration)


# --- the registration page -------------------------------------------------------------------

@bp.get("/<int:registration_id>")
def detail(registration_id: int):
    return _detail_page(_registration(registration_id))


def _detail_page(registration: Registration, *, errors: dict[str, list[str]] | None = None, values: Any = None, status: int = 200):
    """The registration page; `errors` and `values` are those of a refused weights form or
    submission (the weights keep what was typed, and the errors stand beside them)."""
    proposals = db.session.scalars(queries.proposals(registration)).all()
    amendments = db.session.scalars(queries.amendments(registration)).all()
    comments = db.session.scalars(queries.comments(registration).limit(100)).all()
    available = REGISTRATION.available(registration, current_user)
    my_open_amendment = next(
        (a for a in amendments if a.state == AmendmentState.REQUESTED and a.requested_by_id == current_user.id), None
    )
    return render_template(
        "targets/detail.html",
        registration=registration,
        targets=operations.targets_in_force(registration),
        warnings=warnings_for(registration),
        total=weight_total(registration.targets),
        proposals=proposals,
        amendments=amendments,
        comments=comments,
        steps=[(t, r) for t, r in available if t.name != "assign"],
        assign_step=next(((t, r) for t, r in available if t.name == "assign"), None),
        my_open_amendment=my_open_amendment,
        head_hint=next_step_for_head(registration) if registration.unit_id in current_user.head_unit_ids else None,
        targets_by_id={t.id: t for t in registration.targets},
        labels=field_labels(),
        kind_labels=display.kind_labels(),
        origin_labels=display.origin_labels(),
        change_labels=display.change_labels(),
        errors=errors or {},
        values=values or {},
        weights_editable=policy.can(current_user, "registration.edit", registration),
    ), status


@bp.post("/<int:registration_id>/step")
def step(registration_id: int):
    registration = _registration(registration_id)
    data = load_form(TransitionSchema())
    if data["step"] == "assign":
        return redirect(url_for("targets.assign", registration_id=registration.id))
    try:
        operations.take_step(registration, data["step"], actor=current_user, version=data.get("version"), reason=data["reason"])
    except ValidationFailed as exc:
        if "weight" not in exc.errors:
            raise
        db.session.rollback()
        return _detail_page(registration, errors=exc.errors, status=422)
    flash(gettext("Done: the registration is now “%(state)s”.", state=REGISTRATION.label(registration.state)), "success")
    return _to_registration(registration)


@bp.route("/<int:registration_id>/assign", methods=["GET", "POST"])
def assign(registration_id: int):
    registration = _registration(registration_id)
    policy.require(current_user, "registration.assign", registration)
    committee = db.session.scalars(
        select(Person).join(RoleGrant, RoleGrant.person_id == Person.id).where(RoleGrant.role == Role.COMMITTEE, Person.active.is_(True)).order_by(Person.full_name)
    ).unique().all()
    action = url_for("targets.assign", registration_id=registration.id)
    if (reply := drafts.handle(action, permission="registration.assign", obj=registration)) is not None:
        return reply
    errors: dict[str, list[str]] = {}
    values: Any = {"version": registration.version, "signer_id": current_user.id}
    status = 200
    restored = None
    if request.method == "POST":
        values = request.form
        try:
            data = load_form(AssignFormSchema())
            operations.take_step(registration, "assign", actor=current_user, version=data.get("version"), decision=data)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except StaleObject as exc:
            errors, status = {"_schema": [exc.message]}, 409
        else:
            drafts.forget(action)
            flash(gettext("The targets were officially assigned (decision %(number)s).", number=registration.decision_number), "success")
            return _to_registration(registration)
    else:
        values, restored = drafts.restored(action, values)
    refusal = REGISTRATION.refusal(registration, "assign", actor=current_user)
    return render_template(
        "targets/assign.html", registration=registration, committee=committee, errors=errors, values=values,
        refusal=refusal.reason if refusal else None, warnings=warnings_for(registration),
        action=action, draft=restored or drafts.draft(action), restored=restored is not None,
    ), status


@bp.post("/<int:registration_id>/weights")
def weights(registration_id: int):
    """The weights of every target in force, set at once from the registration page."""
    registration = _registration(registration_id)
    policy.require(current_user, "registration.edit", registration)
    schema = TargetFieldsSchema(only=("weight",))
    weights: dict[int, Any] = {}
    errors: dict[str, list[str]] = {}
    for t in operations.targets_in_force(registration):
        name = f"weight.{t.id}"
        try:
            weights[t.id] = schema.load({"weight": request.form.get(name, "").strip()})["weight"]
        except ValidationError as exc:
            errors[name] = [str(m) for m in exc.messages["weight"]]  # type: ignore[index]
    try:
        if errors:
            raise ValidationFailed(errors)
        changes = operations.set_weights(registration, weights, actor=current_user, version=form_version(),
                                         reason=request.form.get("reason", ""))
    except ValidationFailed as exc:
        db.session.rollback()
        return _detail_page(registration, errors=exc.errors, values=request.form, status=422)
    except StaleObject as exc:
        db.session.rollback()
        return _detail_page(registration, errors={"weight": [exc.message]}, values=request.form, status=409)
    flash(gettext("The weights were saved.") if changes else gettext("Nothing was changed."), "success" if changes else "info")
    return _to_registration(registration, "targets-h")


# --- targets ---------------------------------------------------------------------------------

def _form_values(target: Target | None, kind: str | None) -> dict[str, Any]:
    if target is None:
        return {"kind": kind or TargetKind.QUANTITATIVE.value, "direction": "higher"}
    values = revisions.target_values(target)
    # Numbers and dates as objects: the form's inputs show them the Vietnamese way (650,5).
    values.update({name: getattr(target, name) for name in (*display.NUMBER_FIELDS, "due_date")})
    values["version"] = target.version
    return values


def _target_form(registration: Registration, *, mode: str, action: str, values: Any, errors: dict[str, list[str]],
                 target: Target | None = None, status: int = 200, **extra: Any):
    """The target form (every mode). Opened afresh, it shows what the person typed in it and did
    not save, if anything (its form draft, kept under the form's address `action`)."""
    errors = {k.removeprefix("values."): v for k, v in errors.items()}
    previous = _previous_targets(registration)
    restored = None
    if request.method == "GET":
        values, restored = drafts.restored(action, values)
    return render_template(
        "targets/target_form.html", registration=registration, mode=mode, action=action, values=values, errors=errors,
        target=target, labels=field_labels(), kind_labels=display.kind_labels(), direction_labels=display.direction_labels(),
        previous=previous, draft=restored or drafts.draft(action), restored=restored is not None, **extra,
    ), status


def _previous_targets(registration: Registration) -> list[Target]:
    """This unit's targets of the year before, to link a target to its predecessor."""
    return db.session.scalars(
        select(Target)
        .join(Registration, Target.registration_id == Registration.id)
        .join(Cycle, Registration.cycle_id == Cycle.id)
        .where(Registration.unit_id == registration.unit_id, Cycle.year == registration.cycle.year - 1, Target.dropped.is_(False))
        .order_by(Target.position)
    ).all()


def _values_only(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in TARGET_FIELDS}


@bp.route("/<int:registration_id>/targets/new", methods=["GET", "POST"])
def new_target(registration_id: int):
    registration = _registration(registration_id)
    supplementary = registration.state in (RegistrationState.SUBMITTED, RegistrationState.REVIEWED)
    policy.require(current_user, "target.supplement" if supplementary else "registration.edit", registration)
    mode = "supplement" if supplementary else "add"
    action = url_for("targets.new_target", registration_id=registration.id)
    if (reply := drafts.handle(action, permission="target.supplement" if supplementary else "registration.edit", obj=registration)) is not None:
        return reply
    if request.method == "GET":
        return _target_form(registration, mode=mode, action=action, values=_form_values(None, request.args.get("kind")), errors={})
    try:
        data = load_form(TargetWriteSchema())
        target = operations.add_target(registration, _values_only(data), actor=current_user, reason=data.get("reason", ""))
    except ValidationFailed as exc:
        return _target_form(registration, mode=mode, action=action, values=request.form, errors=exc.errors, status=422)
    drafts.forget(action)
    flash(gettext("“%(title)s” was added.", title=target.title), "success")
    return _to_registration(registration, f"target-{target.id}")


@bp.route("/<int:registration_id>/targets/<int:target_id>/edit", methods=["GET", "POST"])
def edit_target(registration_id: int, target_id: int):
    registration = _registration(registration_id)
    target = _target(registration, target_id)
    policy.require(current_user, "registration.edit", registration)
    action = url_for("targets.edit_target", registration_id=registration.id, target_id=target.id)
    if (reply := drafts.handle(action, permission="registration.edit", obj=registration)) is not None:
        return reply
    if request.method == "GET":
        return _target_form(registration, mode="edit", action=action, values=_form_values(target, None), errors={}, target=target)
    try:
        data = load_form(TargetWriteSchema())
        changes = operations.update_target(target, _values_only(data), actor=current_user, version=data.get("version"), reason=data.get("reason", ""))
    except ValidationFailed as exc:
        return _target_form(registration, mode="edit", action=action, values=request.form, errors=exc.errors, target=target, status=422)
    except StaleObject as exc:
        return _target_form(registration, mode="edit", action=action, values=request.form, errors={"_schema": [exc.message]},
                            target=target, status=409, current=_form_values(target, None))
    drafts.forget(action)
    flash(gettext("“%(title)s” was saved.", title=target.title) if changes else gettext("Nothing was changed."), "success" if changes else "info")
    return _to_registration(registration, f"target-{target.id}")


@bp.post("/<int:registration_id>/targets/<int:target_id>/drop")
def drop_target(registration_id: int, target_id: int):
    registration = _registration(registration_id)
    target = _target(registration, target_id)
    data = load_form(StepSchema(only=("version", "note")))
    operations.drop_target(target, actor=current_user, version=data.get("version"), reason=data["note"])
    flash(gettext("“%(title)s” was removed.", title=target.title), "success")
    return _to_registration(registration)


# --- proposals and amendment items (one change each) -----------------------------------------

def _change_form(registration: Registration, *, mode: str, kind: ChangeKind, target: Target | None, action: str,
                 values: Any, errors: dict[str, list[str]], status: int = 200, amendment: Amendment | None = None):
    return _target_form(registration, mode=mode, action=action, values=values, errors=errors, target=target, status=status,
                        change_kind=kind, change_label=display.change_labels()[kind], amendment=amendment)


def _change_request(registration: Registration) -> tuple[ChangeKind, Target | None]:
    try:
        kind = ChangeKind(request.values.get("kind", "add"))
    except ValueError:
        raise NotFound(gettext("This page or item does not exist, or was removed.")) from None
    target = None
    if kind != ChangeKind.ADD:
        raw = request.values.get("target", "")
        target_id = whole_number(raw)
        target = _target(registration, target_id) if target_id is not None else None
        if target is None or target.dropped:
            raise NotFound(gettext("This page or item does not exist, or was removed."))
    return kind, target


def _item_from_form(kind: ChangeKind, target: Target | None) -> tuple[dict[str, Any], str]:
    """One change from the target form: for "change", only the values that differ."""
    if kind == ChangeKind.DROP:
        data = load_form(StepSchema(only=("note",)), MultiDict({"note": request.form.get("reason", "")}))
        return {"kind": kind, "target_id": target.id, "values": {}}, data["note"]
    data = load_form(TargetWriteSchema())
    values = {k: revisions.json_value(v) for k, v in _values_only(data).items()}
    if kind == ChangeKind.CHANGE:
        current = revisions.target_values(target)
        values = {k: v for k, v in values.items() if v != current.get(k)}
    return {"kind": kind, "target_id": target.id if target else None, "values": values}, data.get("reason", "")


@bp.route("/<int:registration_id>/proposals/new", methods=["GET", "POST"])
def new_proposal(registration_id: int):
    registration = _registration(registration_id)
    policy.require(current_user, "proposal.create", registration)
    kind, target = _change_request(registration)
    action = url_for("targets.new_proposal", registration_id=registration.id, kind=kind.value, target=target.id if target else None)
    if (reply := drafts.handle(action, permission="proposal.create", obj=registration)) is not None:
        return reply
    if request.method == "GET":
        return _change_form(registration, mode="proposal", kind=kind, target=target, action=action,
                            values=_form_values(target, request.args.get("as")), errors={})
    try:
        item, reason = _item_from_form(kind, target)
        operations.create_proposal(registration, item, actor=current_user, reason=reason)
    except ValidationFailed as exc:
        return _change_form(registration, mode="proposal", kind=kind, target=target, action=action, values=request.form, errors=exc.errors, status=422)
    drafts.forget(action)
    flash(gettext("Your proposal was filed; the committee will decide on it."), "success")
    return _to_registration(registration, "proposals")


@bp.post("/<int:registration_id>/proposals/<int:proposal_id>/decide")
def decide_proposal(registration_id: int, proposal_id: int):
    registration = _registration(registration_id)
    proposal = queries.child_of(registration, Proposal, proposal_id)
    data = load_form(ProposalStepSchema(), MultiDict({"step": request.form.get("step", ""), "note": request.form.get("reason", ""), "version": request.form.get("version", "")}))
    operations.decide_proposal(proposal, data["step"], actor=current_user, version=data.get("version"), note=data["note"])
    flash(gettext("The proposal is now “%(state)s”.", state=PROPOSAL.label(proposal.state)), "success")
    return _to_registration(registration, "proposals")


@bp.route("/<int:registration_id>/amendments/new", methods=["GET", "POST"])
def new_amendment(registration_id: int):
    """Ask for one change to the assigned targets; with `amendment=<id>`, add it to one's own
    request that is not decided yet (so a request can carry several changes)."""
    registration = _registration(registration_id)
    policy.require(current_user, "amendment.request", registration)
    kind, target = _change_request(registration)
    amendment = None
    amendment_id = whole_number(request.values.get("amendment"))
    if amendment_id is not None:
        amendment = queries.child_of(registration, Amendment, amendment_id)
    action = url_for("targets.new_amendment", registration_id=registration.id, kind=kind.value,
                     target=target.id if target else None, amendment=amendment.id if amendment else None)
    if (reply := drafts.handle(action, permission="amendment.request", obj=registration)) is not None:
        return reply
    if request.method == "GET":
        values = _form_values(target, request.args.get("as"))
        if amendment is not None:
            values["amendment_version"] = amendment.version
        return _change_form(registration, mode="amendment", kind=kind, target=target, action=action, values=values, errors={}, amendment=amendment)
    try:
        item, reason = _item_from_form(kind, target)
        if amendment is None:
            operations.request_amendment(registration, [item], actor=current_user, reason=reason)
        else:
            version = request.form.get("amendment_version", "")
            operations.add_amendment_item(amendment, item, actor=current_user, version=whole_number(version))
    except ValidationFailed as exc:
        errors = {k.removeprefix("items.0."): v for k, v in exc.errors.items()}
        return _change_form(registration, mode="amendment", kind=kind, target=target, action=action, values=request.form,
                            errors=errors, status=422, amendment=amendment)
    drafts.forget(action)
    flash(gettext("Your amendment request was recorded; the committee will decide on it."), "success")
    return _to_registration(registration, "amendments")


@bp.post("/<int:registration_id>/amendments/<int:amendment_id>/decide")
def decide_amendment(registration_id: int, amendment_id: int):
    registration = _registration(registration_id)
    amendment = queries.child_of(registration, Amendment, amendment_id)
    form = MultiDict({k: v for k, v in request.form.items() if k in ("step", "version", "decision_number", "decision_date")})
    form["note"] = request.form.get("reason", "")
    data = load_form(AmendmentDecisionSchema(), form)
    operations.decide_amendment(amendment, data["step"], actor=current_user, version=data.get("version"), note=data["note"],
                                decision_number=data["decision_number"], decision_date=data["decision_date"])
    flash(gettext("The amendment is now “%(state)s”.", state=AMENDMENT.label(amendment.state)), "success")
    return _to_registration(registration, "amendments")


# --- comments --------------------------------------------------------------------------------

@bp.post("/<int:registration_id>/comments")
def comment(registration_id: int):
    registration = _registration(registration_id)
    data = load_form(CommentCreateSchema())
    operations.add_comment(registration, data["body"], actor=current_user, target_id=data["target_id"])
    flash(gettext("Your comment was added."), "success")
    return _to_registration(registration, "comments")


# --- history ---------------------------------------------------------------------------------

@bp.get("/<int:registration_id>/history")
def history(registration_id: int):
    registration = _registration(registration_id)
    page = paginate(queries.revisions(registration), *page_args(20))
    return render_template("targets/history.html", registration=registration, page=page, labels=field_labels(),
                           kind_labels=revisions.kind_labels(), added=revisions.ADDED)


@bp.get("/<int:registration_id>/diff")
def diff(registration_id: int):
    registration = _registration(registration_id)
    default_from, default_to = revisions.default_keys(registration)
    before = revisions.version(registration, request.args.get("from") or default_from)
    after = revisions.version(registration, request.args.get("to") or default_to)
    registered, assigned = revisions.as_registered(registration.id), revisions.as_assigned(registration.id)
    choices = [(str(r.number), revisions.revision_label(r, registration, registered=registered, assigned=assigned))
               for r in db.session.scalars(queries.revisions(registration).limit(200))]
    return render_template("targets/diff.html", registration=registration, diff=revisions.diff(before, after),
                           choices=[("current", gettext("Current"))] + choices)
