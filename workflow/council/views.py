"""Pages of the council and the committee: the council of a cycle (seats, settings), a member's
heads to score, the scoring page (with autosave and the live total), the secretary's progress
matrix, the proposal list with its what-if, the session, the committee's decisions and
objections, the chair's figures on the raters, a head's result and self-assessment, and the
exports.

Views load, check and delegate: every posted form goes through the API's schemas (`load_form`), the
scoring form's criteria and targets through `presenters.form_to_data`; changes through
`operations`; a head's result is built in `results`, which the API shares. A refused form comes
back on its page with its fields' messages (`workflow.core.web.refused_form_page`).
Everything here is also in the API (`api.py`).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflow import policy
from workflow.accounts.models import Person, Role, RoleGrant
from workflow.core import formats
from workflow.core.errors import (
    DomainError,
    NotFound,
    StaleObject,
    ValidationFailed,
)
from workflow.core.models import utcnow
from workflow.core.pagination import Page
from workflow.core.web import form_version, get_or_404, load_form, page_args
from workflow.council import collectives, operations, presenters, proposals, queries, quota, results
from workflow.council.models import (
    CouncilMember,
    DisciplineRecord,
    Objection,
    Position,
    Scorecard,
    ScorecardState,
    SessionState,
)
from workflow.council.rules import council_rules, council_tracks, rubric_for, rubric_of, settings_editable_reason
from workflow.council.schemas import (
    AppointSchema,
    ConflictCreateSchema,
    DecisionCreateSchema,
    DisciplineCreateSchema,
    ObjectionCreateSchema,
    ObjectionStepSchema,
    QuotaExceptionCreateSchema,
    CollectiveWaiverCreateSchema,
    ReasonSchema,
    ScorecardInputSchema,
    SelfAssessmentInputSchema,
    SessionCreateSchema,
    SessionStepSchema,
    SessionUpdateSchema,
    SettingsFormSchema,
)
from workflow.council.workflow import (
    CARD_TONES,
    OBJECTION,
    OBJECTION_TONES,
    SCORECARD,
    SELF_ASSESSMENT,
    SESSION,
    SESSION_TONES,
)
from workflow.cycles.models import Cycle, CycleState
from workflow.drafts import web as drafts
from workflow.extensions import db
from workflow.framework.rules import HEADS
from workflow.opinions import queries as opinion_queries
from workflow.opinions import views as opinion_views
from workflow.reports.workflow import REPORT
from workflow.scoring.engine import FIGURES
from workflow.scoring.explain import FIGURES as FIGURE_LABELS
from workflow.scoring.explain import WORDS, describe_check
from workflow.scoring.rubric import RubricError
from workflow.scoring.what_if_form import WHAT_IF_FIELDS, what_if_changes
from workflow.selfscoring.standing import not_classified_named
from workflow.targets.models import Registration

bp = Blueprint("council", __name__, url_prefix="/council")


@bp.record_once
def _template_globals(state: Any) -> None:
    state.app.jinja_env.globals.update({
        "scorecard_workflow": SCORECARD, "card_tones": CARD_TONES, "session_workflow": SESSION, "session_tones": SESSION_TONES,
        "objection_workflow": OBJECTION, "objection_tones": OBJECTION_TONES, "slot_labels": queries.SLOT_LABELS,
        "slot_tones": queries.SLOT_TONES, "recusal_labels": queries.RECUSAL_LABELS, "figure_labels": FIGURE_LABELS,
        "report_workflow": REPORT,
    })
    state.app.jinja_env.filters["describe_check"] = describe_check


def flag_labels() -> dict[str, str]:
    return {
        "unrated": gettext("Not scored"),
        "disagreement": gettext("Scores disagree"),
        "too_few": gettext("Too few scores"),
        "tie": gettext("Tie at the quota's cut"),
    }


def quota_labels() -> dict[str, str]:
    return {
        "not_limited": gettext("Not limited"), "within": gettext("Within the quota"), "kept": gettext("Kept (above the cut)"),
        "demoted": gettext("Beyond the quota"), "tie": gettext("Tie: the committee chooses"), "unrated": gettext("Not scored"),
    }


def method_labels() -> dict[str, str]:
    return {"mean": gettext("mean"), "median": gettext("median"), "trimmed_mean": gettext("trimmed mean")}


def position_labels() -> dict[str, str]:
    return {p.value: operations.position_label(p) for p in Position}


def _cycle(cycle_id: int, action: str = "council.view") -> Cycle:
    cycle = get_or_404(Cycle, cycle_id)
    policy.require(current_user, action, cycle)
    return cycle


def _registration(cycle: Cycle, registration_id: int) -> Registration:
    return queries.of_cycle(cycle.id, Registration, registration_id)


def _chosen(model: type[Any], schema: Any, data: dict[str, Any], name: str) -> Any:
    """The row picked in a form's list; one that does not exist is refused beside that list, with
    the field's own message (a list offers only rows that exist: the page was old or edited)."""
    row = db.session.get(model, data[name])
    if row is None:
        raise ValidationFailed({name: [str(schema.fields[name].error_messages["required"])]})
    return row


def _page(items: list[Any], page: int, per_page: int) -> Page[Any]:
    return Page(items=items[(page - 1) * per_page: page * per_page], page=page, per_page=per_page, total=len(items))


def _track(cycle: Cycle) -> str:
    """The track a council page is about (`?track=`): one the council scores, the heads' by default."""
    code = request.args.get("track", HEADS)[:32]
    if code not in council_tracks(cycle):
        raise NotFound(gettext("The council does not score this track in this cycle."))
    return code


def _common(cycle: Cycle, track: str = HEADS) -> dict[str, Any]:
    rubric = rubric_of(cycle, track)
    return {"cycle": cycle, "rubric": rubric, "track": track, "tracks": queries.council_track_plans(cycle), "level_names": presenters.level_names(rubric), "me": queries.member_of(current_user, cycle.id),
            "session": queries.session_of(cycle.id), "flag_labels": flag_labels(), "quota_labels": quota_labels(),
            "position_labels": position_labels(), "method_labels": method_labels(), "measure_labels": {k: str(v) for k, v in WORDS.items()}}


# --- the council of a cycle ------------------------------------------------------------------

@bp.get("")
def index():
    """The council of the newest cycle the person can see: on its council, or any for the
    committee, administrators and staff."""
    if current_user.role_set & {Role.COMMITTEE, Role.ADMIN, Role.STAFF}:
        cycle = db.session.scalar(select(Cycle).where(Cycle.state.in_((CycleState.SCORING, CycleState.CLOSED))).order_by(Cycle.year.desc()).limit(1))
        cycle = cycle or db.session.scalar(select(Cycle).order_by(Cycle.year.desc()).limit(1))
    else:
        mine = queries.cycles_of(current_user)
        cycle = mine[0] if mine else None
    if cycle is None:
        policy.require(current_user, "council.view", None)
        abort(404)
    return redirect(url_for("council.overview", cycle_id=cycle.id))


@bp.get("/<int:cycle_id>")
def overview(cycle_id: int):
    cycle = _cycle(cycle_id)
    members = queries.members(cycle.id)
    candidates = []
    if policy.can(current_user, "council.members.manage", cycle):
        seated = {m.person_id for m in members}
        candidates = [p for p in db.session.scalars(
            select(Person).join(RoleGrant, RoleGrant.person_id == Person.id).where(RoleGrant.role == Role.COUNCIL, Person.active.is_(True)).order_by(Person.full_name)
        ).unique() if p.id not in seated]
    cycles = db.session.scalars(select(Cycle).order_by(Cycle.year.desc())).all()
    return render_template(
        "council/overview.html", **_common(cycle), members=members, candidates=candidates, cycles=cycles, settings=council_rules(cycle),
        settings_refusal=settings_editable_reason(cycle), heads=queries.head_count(cycle.id), decided=len(queries.latest_decisions(cycle.id)),
    )


@bp.post("/<int:cycle_id>/members")
def appoint(cycle_id: int):
    cycle = _cycle(cycle_id, "council.members.manage")
    schema = AppointSchema()
    data = load_form(schema)
    person = _chosen(Person, schema, data, "person_id")
    member = operations.appoint_member(cycle, person, data["position"], actor=current_user)
    flash(gettext("%(name)s now sits on the council (%(position)s).", name=person.full_name, position=operations.position_label(member.position).lower()), "success")
    return redirect(url_for("council.overview", cycle_id=cycle.id))


@bp.post("/<int:cycle_id>/members/<int:member_id>/remove")
def remove(cycle_id: int, member_id: int):
    cycle = _cycle(cycle_id)
    member = queries.of_cycle(cycle.id, CouncilMember, member_id)
    name = member.person.full_name
    operations.remove_member(member, actor=current_user)
    flash(gettext("%(name)s no longer sits on the council.", name=name), "success")
    return redirect(url_for("council.overview", cycle_id=cycle.id))


@bp.post("/<int:cycle_id>/settings")
def settings(cycle_id: int):
    cycle = _cycle(cycle_id, "council.settings.edit")
    data = load_form(SettingsFormSchema())
    version = data.pop("version")
    changed = operations.update_settings(cycle, data, actor=current_user, version=version)
    flash(gettext("The council's settings were saved.") if changed else gettext("Nothing was changed."), "success" if changed else "info")
    return redirect(url_for("council.overview", cycle_id=cycle.id))


# --- a member's heads ------------------------------------------------------------------------

@bp.get("/<int:cycle_id>/mine")
def mine(cycle_id: int):
    cycle = _cycle(cycle_id, "council.member.scorecards")
    member = queries.member_of(current_user, cycle.id)
    heads = queries.heads(cycle.id)
    slots = queries.slots(cycle.id, [member], heads)
    rows = [slots[(member.id, h.id)] for h in heads]
    counts = {state: sum(1 for s in rows if s.state == state) for state in queries.SLOT_LABELS}
    page = _page(rows, *page_args())
    return render_template("council/mine.html", **_common(cycle), page=page, counts=counts, conflicts=queries.conflicts_of(member),
                           heads=[h for h in heads if slots[(member.id, h.id)].state != "recused"])


@bp.post("/<int:cycle_id>/conflicts")
def declare_conflict(cycle_id: int):
    cycle = _cycle(cycle_id, "council.member.scorecards")
    member = queries.member_of(current_user, cycle.id)
    policy.require(current_user, "council.member.declare_conflict", member)
    schema = ConflictCreateSchema()
    data = load_form(schema)
    registration = _chosen(Registration, schema, data, "registration_id")
    operations.declare_conflict(member, registration, data["reason"], actor=current_user)
    flash(gettext("Your conflict of interest with %(name)s was recorded; you will not score them.", name=registration.head.full_name), "success")
    return redirect(url_for("council.mine", cycle_id=cycle.id))


# --- the scoring page ------------------------------------------------------------------------

def _card(cycle: Cycle, registration: Registration) -> tuple[CouncilMember, Scorecard]:
    member = queries.member_of(current_user, cycle.id)
    if member is None:
        policy.require(current_user, "council.member.scorecards", cycle)
    card = operations.scorecard_for(member, registration, actor=current_user)
    policy.require(current_user, "council.member.score", card)
    return member, card


def _scoring_page(cycle: Cycle, registration: Registration, member: CouncilMember, card: Scorecard, *, values: dict[str, Any] | None = None,
                  errors: dict[str, list[str]] | None = None, status: int = 200):
    context = queries.card_context(registration)
    rubric = context.rubric
    data = presenters.form_to_data(_multidict(values), presenters.dossier(registration, context).targets, rubric) if values else {"general": card.general, "judgements": card.judgements}
    try:
        evaluation = operations.compute({k: v for k, v in data["general"].items() if v}, data["judgements"], context, fill_missing=True)
    except ValidationFailed:
        evaluation = operations.compute(card.general, card.judgements, context, fill_missing=True)
    dossier = presenters.dossier(registration, context)
    lines = presenters.breakdown(dossier.targets, dossier.facts, evaluation, rubric, data["judgements"])
    panel_cards = []
    if policy.can(current_user, "council.member_scores.view", registration):
        panel_cards = [c for c in queries.cards_for_head(registration.id) if c.state == ScorecardState.SUBMITTED and c.member_id != member.id]
    editable = card.state != ScorecardState.SUBMITTED and operations.card_changeable(card) is None
    return render_template(
        "council/score.html", **_common(cycle), registration=registration, member=member, card=card, dossier=dossier, lines=lines,
        evaluation=evaluation, values=values or presenters.form_values(card.general, card.judgements, card.comment), errors=errors or {},
        editable=editable, panel_cards=panel_cards, steps=SCORECARD.available(card, current_user), figures=FIGURES,
        payload=presenters.evaluation_payload(evaluation, rubric), level_tone=presenters.level_toner(rubric),
        disciplined=context.disciplined, override_errors={k.split(".")[1] for k in (errors or {}) if k.startswith("o.")},
        # What the other evidence sources say (citizens' ratings with their counts …), each once, in words.
        other_facts=list(dict.fromkeys(e.origin for e in context.evidence if e.origin and not e.kind.startswith(("discipline.", "opinions.")))),
        opinions=opinions_panel(registration), opinion_relations=opinion_views.relation_labels(),
    ), status


def opinions_panel(registration: Registration) -> Any:
    """The opinions of the head's superior and subordinates, when a round asked about them and the
    person may see its results (aggregates only)."""
    panel = opinion_queries.panel_for(registration.cycle_id, registration.subject_id)
    return panel if panel is not None and policy.can(current_user, "opinions.results.view", panel.item) else None


def _multidict(values: Any) -> Any:
    from werkzeug.datastructures import MultiDict

    return values if isinstance(values, MultiDict) else MultiDict(values or {})


@bp.get("/<int:cycle_id>/score/<int:registration_id>")
def score(cycle_id: int, registration_id: int):
    cycle = _cycle(cycle_id, "council.member.scorecards")
    registration = _registration(cycle, registration_id)
    member, card = _card(cycle, registration)
    return _scoring_page(cycle, registration, member, card)


@bp.post("/<int:cycle_id>/score/<int:registration_id>")
def save_score(cycle_id: int, registration_id: int):
    """The form without script: Save, or Save and submit."""
    cycle = _cycle(cycle_id, "council.member.scorecards")
    registration = _registration(cycle, registration_id)
    member, card = _card(cycle, registration)
    try:
        data = _scoring_form(registration)
        with formats.typed_by_person():
            operations.save_scorecard(card, data, actor=current_user, version=form_version())
        db.session.flush()
        if request.form.get("action") == "submit":
            operations.submit_scorecard(card, actor=current_user, version=card.version)
            flash(gettext("Your scorecard was submitted: total %(total)s.", total=formats.number(card.total, "#,##0.00")), "success")
        else:
            flash(gettext("Saved."), "success")
    except ValidationFailed as exc:
        db.session.rollback()
        return _scoring_page(cycle, registration, member, card, values=request.form, errors=presenters.form_errors(exc.errors), status=422)
    except StaleObject as exc:
        db.session.rollback()
        return _scoring_page(cycle, registration, member, card, values=request.form, errors={"_schema": [exc.message]}, status=409)
    return redirect(url_for("council.score", cycle_id=cycle.id, registration_id=registration.id))


def _scoring_form(registration: Registration) -> dict[str, Any]:
    """The scoring form as `operations.save_scorecard` reads it: the criteria and the targets'
    judgements by `presenters.form_to_data` (inputs named per criterion and target, each checked by
    the operation within the rubric's limits), the comment through the API's schema."""
    targets = presenters.dossier(registration, queries.card_context(registration)).targets
    data = presenters.form_to_data(request.form, targets, rubric_for(registration))
    data.update(load_form(ScorecardInputSchema(only=("comment",))))
    return data


def _json_error(exc: DomainError) -> tuple[Response, int]:
    return drafts.refused(exc, presenters.form_errors(exc.errors) if isinstance(exc, ValidationFailed) else None)


@bp.post("/<int:cycle_id>/score/<int:registration_id>/autosave")
def autosave(cycle_id: int, registration_id: int):
    """The page's script saves the draft a few seconds after each change (JSON answer)."""
    cycle = _cycle(cycle_id, "council.member.scorecards")
    registration = _registration(cycle, registration_id)
    member, card = _card(cycle, registration)
    try:
        data = _scoring_form(registration)
        with formats.typed_by_person():
            operations.save_scorecard(card, data, actor=current_user, version=form_version())
        db.session.flush()
    except DomainError as exc:
        db.session.rollback()
        return _json_error(exc)
    return drafts.autosaved(card.version, card.saved_at)


@bp.post("/<int:cycle_id>/score/<int:registration_id>/preview")
def preview(cycle_id: int, registration_id: int):
    """The live total: what the member typed, computed by the server's engine, nothing saved."""
    cycle = _cycle(cycle_id, "council.member.scorecards")
    registration = _registration(cycle, registration_id)
    member, card = _card(cycle, registration)
    try:
        data = _scoring_form(registration)
        with formats.typed_by_person():
            evaluation, complete = operations.preview(card, data, actor=current_user)
    except DomainError as exc:
        return _json_error(exc)
    return jsonify(presenters.evaluation_payload(evaluation, rubric_for(registration), complete=complete))


@bp.get("/<int:cycle_id>/evidence/<int:evidence_id>")
def evidence(cycle_id: int, evidence_id: int):
    from workflow.reports.models import Evidence, QuarterlyReport
    from workflow.reports.views import send_evidence

    cycle = _cycle(cycle_id)
    item = get_or_404(Evidence, evidence_id)
    report = db.session.get(QuarterlyReport, item.report_id)
    if report is None or report.registration.cycle_id != cycle.id:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    policy.require(current_user, "evidence.download", report)
    return send_evidence(item)


# --- the secretary ---------------------------------------------------------------------------

@bp.get("/<int:cycle_id>/progress")
def progress(cycle_id: int):
    cycle = _cycle(cycle_id, "council.secretary.progress")
    members = queries.members(cycle.id)
    heads = queries.heads(cycle.id)
    page = _page(heads, *page_args())
    slots = queries.slots(cycle.id, members, page.items)
    cards = {(c.member_id, c.registration_id): c for c in db.session.scalars(
        select(Scorecard).where(Scorecard.cycle_id == cycle.id, Scorecard.registration_id.in_([h.id for h in page.items] or [-1])))}
    states = queries.card_states(cycle.id)
    all_slots = queries.recusals(cycle.id, members, heads)
    left = {m.id: sum(1 for h in heads if (m.id, h.id) not in all_slots and states.get((m.id, h.id)) != ScorecardState.SUBMITTED) for m in members}
    return render_template("council/progress.html", **_common(cycle), members=members, page=page, slots=slots, cards=cards, left=left,
                           is_secretary=policy.can(current_user, "council.secretary.reopen", cycle))


@bp.post("/<int:cycle_id>/members/<int:member_id>/remind")
def remind(cycle_id: int, member_id: int):
    cycle = _cycle(cycle_id, "council.secretary.progress")
    member = queries.of_cycle(cycle.id, CouncilMember, member_id)
    if operations.remind_member(member, actor=current_user):
        flash(gettext("A reminder was sent to %(name)s.", name=member.person.full_name), "success")
    else:
        flash(gettext("%(name)s was already reminded today; no second e-mail was sent.", name=member.person.full_name), "info")
    return redirect(url_for("council.progress", cycle_id=cycle.id))


@bp.post("/<int:cycle_id>/cards/<int:card_id>/reopen")
def reopen_card(cycle_id: int, card_id: int):
    cycle = _cycle(cycle_id, "council.secretary.progress")
    card = queries.of_cycle(cycle.id, Scorecard, card_id)
    policy.require(current_user, "council.secretary.reopen", card)
    data = load_form(ReasonSchema())
    operations.reopen_scorecard(card, actor=current_user, version=data["version"], reason=data["reason"])
    flash(gettext("The scorecard was reopened; %(name)s was told by e-mail.", name=card.member.person.full_name), "success")
    return redirect(url_for("council.progress", cycle_id=cycle.id))


# --- proposals -------------------------------------------------------------------------------

@bp.get("/<int:cycle_id>/proposals")
def proposal_list(cycle_id: int):
    cycle = _cycle(cycle_id, "council.proposals.view")
    track = _track(cycle)
    panel = proposals.compute(cycle, track=track)
    page = _page(panel.heads, *page_args())
    ids = [h.registration_id for h in page.items]
    hidden = queries.hidden_heads(current_user, cycle, ids)
    rows = presenters.proposal_rows(panel, page.items, hidden)
    presenters.attach_names(rows, page.items)
    every_score = policy.can(current_user, "council.scores.view_all", cycle)
    what_if = None
    what_if_error = None
    changes = {}
    if policy.can(current_user, "council.what_if", cycle):
        try:
            changes = what_if_changes(request.args, panel.rubric)
            if changes:
                result = panel.what_if(changes)
                names = {h.registration_id: h for h in panel.heads}
                what_if = {"changes": result.changes, "counts": result.counts, "rows": names}
        except RubricError as exc:
            what_if_error = exc.problems
    # The counts by level are computed from every head's scores.
    return render_template("council/proposals.html", **_common(cycle, track), page=page, rows=rows, counts=panel.proposals.counts() if every_score else {},
                           flagged=len(panel.proposals.flagged()) if every_score else 0, what_if=what_if, what_if_error=what_if_error, changes=changes,
                           what_if_fields=WHAT_IF_FIELDS, level_tone=presenters.level_toner(panel.rubric), any_hidden=bool(hidden), every_score=every_score,
                           # Collectives first: the leaders who wait for their collectives, or are to be decided again.
                           rechecks=collectives.open_rechecks(cycle.id, ids) if ids else {}, waiting=collectives.waiting_for(cycle.id, ids) if ids else {},
                           not_classified=[(h.registration_id, h.unit_name, standing) for h, standing in panel.not_classified])


@bp.get("/<int:cycle_id>/collectives")
def collectives_report(cycle_id: int):
    """Collectives and their leaders side by side, for the committee (tập thể trước, cá nhân sau)."""
    cycle = _cycle(cycle_id, "council.decisions.view")
    session = queries.session_of(cycle.id)
    rows = collectives.side_by_side(cycle, session)
    rubric = rubric_of(cycle, collectives.COLLECTIVES)
    common = _common(cycle)
    common["level_tone"] = presenters.level_toner(common["rubric"])
    return render_template("council/collectives.html", **common, rows=rows, collective_names=presenters.level_names(rubric),
                           collective_tone=presenters.level_toner(rubric), not_classified=not_classified_named(cycle))


@bp.get("/<int:cycle_id>/raters")
def raters(cycle_id: int):
    cycle = _cycle(cycle_id, "council.chair.raters")
    track = _track(cycle)
    panel = proposals.compute(cycle, track=track)
    figures = presenters.raters(cycle, panel)
    names = {h.registration_id: h for h in panel.heads}
    return render_template("council/raters.html", **_common(cycle, track), figures=figures, flagged=[names[r] for r in figures["flagged"]])


# --- the session -----------------------------------------------------------------------------

@bp.route("/<int:cycle_id>/session", methods=["GET", "POST"])
def session_page(cycle_id: int):
    cycle = _cycle(cycle_id)
    session = queries.session_of(cycle.id)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        policy.require(current_user, "council.secretary.session", session or cycle)
        try:
            if session is None:
                operations.open_session(cycle, actor=current_user, **load_form(SessionCreateSchema()))
                flash(gettext("The session was recorded. Tick who attends."), "success")
            else:
                operations.update_session(session, actor=current_user, **load_form(SessionUpdateSchema()))
                flash(gettext("The session's record was saved."), "success")
            return redirect(url_for("council.session_page", cycle_id=cycle.id))
        except ValidationFailed as exc:
            db.session.rollback()
            # A mistyped attendee is one of the ticked boxes ("attendee_ids.0"): said under the list.
            errors, status = {}, 422
            for key, messages in exc.errors.items():
                errors.setdefault(key.partition(".")[0] if key.startswith("attendee_ids.") else key, []).extend(messages)
    members = queries.members(cycle.id)
    quorum = queries.quorum_status(session) if session else None
    return render_template("council/session.html", **_common(cycle), members=members, quorum=quorum, errors=errors,
                           steps=SESSION.available(session, current_user) if session else [],
                           attending={m.id for m in session.attendees} if session else set()), status


@bp.post("/<int:cycle_id>/session/step")
def session_step(cycle_id: int):
    cycle = _cycle(cycle_id)
    session = queries.session_or_404(cycle.id)
    data = load_form(SessionStepSchema())
    step, version = data["step"], data["version"]
    if step == "finalise":
        count = operations.finalise_session(session, actor=current_user, version=version)
        flash(gettext("The proposal list is final (%(count)s heads). The committee can now decide.", count=count), "success")
    elif step == "reopen":
        operations.reopen_session(session, actor=current_user, version=version, reason=data["reason"])
        flash(gettext("The proposal list was reopened."), "success")
    else:
        told = operations.publish(session, actor=current_user, version=version)
        flash(gettext("The decisions were published; %(count)s heads were told by e-mail.", count=told), "success")
        return redirect(url_for("council.decisions", cycle_id=cycle.id))
    return redirect(url_for("council.session_page", cycle_id=cycle.id))


# --- the committee ---------------------------------------------------------------------------

@bp.get("/<int:cycle_id>/decisions")
def decisions(cycle_id: int):
    return _decisions_page(_cycle(cycle_id, "council.decisions.view"))


def _decisions_page(cycle: Cycle, *, errors: dict[str, list[str]] | None = None, status: int = 200):
    """The frozen list with the decisions, the quota as the decisions stand and the objections;
    `errors` are those of a refused exception form (shown beside its fields)."""
    session = queries.session_of(cycle.id)
    heads, frozen = results.decision_rows(cycle, session, current_user)
    page = _page(heads, *page_args())
    decided = queries.latest_decisions(cycle.id)
    rubric = rubric_of(cycle)
    discipline = presenters.discipline_notes(cycle.id)
    rows = [{"head": h, "proposal": frozen[h.registration_id], "decision": decided.get(h.registration_id),
             "why": presenters.frozen_explanation(frozen[h.registration_id], rubric, decided.get(h.registration_id), discipline.get(h.registration_id, ""))}
            for h in page.items]
    names = dict(db.session.execute(select(Person.id, Person.full_name).where(Person.id.in_({h.head_id for h in page.items} or {-1}))).all())
    objections = db.session.scalars(
        select(Objection).where(Objection.cycle_id == cycle.id).order_by(Objection.state, Objection.filed_at)
        .options(joinedload(Objection.registration).joinedload(Registration.head), joinedload(Objection.registration).joinedload(Registration.unit),
                 joinedload(Objection.decision))
    ).unique().all()
    # Collectives first: the leaders whose collectives are neither decided nor waived wait, and
    # those whose collective was decided after them are to be decided again.
    ids = [h.registration_id for h in page.items]
    waiting = collectives.waiting_for(cycle.id, ids) if ids else {}
    rechecks = collectives.open_rechecks(cycle.id, ids) if ids else {}
    for row in rows:
        row["waiting"] = waiting.get(row["head"].registration_id, [])
        recheck = rechecks.get(row["head"].registration_id)
        row["recheck"] = results.recheck_note(recheck, rubric, cycle) if recheck is not None else None
        row["recheck_level"] = recheck.recomputed_level if recheck is not None else None
    typed = drafts.restored_many([_decide_form(cycle, row["head"].registration_id) for row in rows])
    for row in rows:
        row["draft"] = typed.get(_decide_form(cycle, row["head"].registration_id))
    return render_template("council/decisions.html", **_common(cycle), page=page, rows=rows, names=names, objections=objections,
                           steps=[(t, r) for t, r in SESSION.available(session, current_user) if t.name == "publish"] if session else [], undecided=queries.undecided_count(session) if session and session.round else 0,
                           level_tone=presenters.level_toner(rubric_of(cycle)), decided=decided,
                           quota_scopes=[q for q in quota.scopes(session) if q.count.count] if session and session.round else [],
                           quota_base=", ".join(presenters.level_name(rubric, c) for c in rubric.quota.base_levels),
                           undecided_collectives=collectives.undecided_collectives(cycle.id) if session and session.round else [],
                           waivers=collectives.waivers(cycle.id), not_classified=not_classified_named(cycle),
                           errors=errors or {}, values=request.form if errors else {}), status


@bp.post("/<int:cycle_id>/quota-exceptions")
def quota_exception(cycle_id: int):
    """The committee records an exception to the quota for one scope (reason, legal basis)."""
    cycle = _cycle(cycle_id, "council.committee.decide")
    session = queries.session_or_404(cycle.id)
    # The page has one exception form per scope (track and group): its messages go to the form that was sent.
    track = request.form.get("track", HEADS)[:32]
    scope = ("" if track == HEADS else f"{track}-") + (request.form.get("group_id") or "all")
    try:
        data = load_form(QuotaExceptionCreateSchema())
        operations.record_quota_exception(session, data["group_id"], actor=current_user, reason=data["reason"], legal_basis=data["legal_basis"],
                                          track=data["track"])
    except ValidationFailed as exc:
        db.session.rollback()
        return _decisions_page(cycle, errors={f"{scope}.{k}": v for k, v in exc.errors.items()}, status=422)
    flash(gettext("The exception to the quota was recorded."), "success")
    return redirect(url_for("council.decisions", cycle_id=cycle.id) + "#quota")


@bp.post("/<int:cycle_id>/collective-waivers")
def collective_waiver(cycle_id: int):
    """The committee decides the leaders of a collective before it, and records why."""
    cycle = _cycle(cycle_id, "council.committee.waive")
    session = queries.session_or_404(cycle.id)
    try:
        data = load_form(CollectiveWaiverCreateSchema())
        collective = queries.of_cycle(cycle.id, Registration, data["collective_id"])
        operations.record_collective_waiver(session, collective, actor=current_user, reason=data["reason"])
    except ValidationFailed as exc:
        db.session.rollback()
        return _decisions_page(cycle, errors={f"waiver.{k}": v for k, v in exc.errors.items()}, status=422)
    flash(gettext("The waiver was recorded: the leaders of %(unit)s may be decided before their collective.", unit=collective.unit.name), "success")
    return redirect(url_for("council.decisions", cycle_id=cycle.id) + "#collectives-first")


def _decide_form(cycle: Cycle, registration_id: int) -> str:
    """The decision form of one head, as its form draft is kept (whatever page of the list)."""
    return url_for("council.decide", cycle_id=cycle.id, registration_id=registration_id)


@bp.post("/<int:cycle_id>/decisions/<int:registration_id>")
def decide(cycle_id: int, registration_id: int):
    cycle = _cycle(cycle_id, "council.committee.decide")
    registration = _registration(cycle, registration_id)
    proposal = queries.proposal_for(queries.session_of(cycle.id), registration.id)
    if proposal is None:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    form = _decide_form(cycle, registration.id)
    back = url_for("council.decisions", cycle_id=cycle.id, page=request.args.get("page", 1)) + f"#head-{registration.id}"
    if (reply := drafts.handle(form, permission="council.committee.decide", obj=cycle, back=back)) is not None:
        return reply
    data = load_form(DecisionCreateSchema())
    decision = operations.decide(proposal, actor=current_user, level=data["level"] or None, reason=data["reason"])
    drafts.forget(form)
    rubric = rubric_for(registration)
    flash(gettext("Decision recorded for %(name)s: %(level)s.", name=registration.head.full_name, level=presenters.level_name(rubric, decision.level)), "success")
    if decision.level == rubric.quota.level:
        # The quota is checked as the committee decides: say at once when this decision needs an exception.
        db.session.flush()
        session = queries.session_of(cycle.id)
        scope = quota.scope_of(session, registration.unit.group_id, registration.track.code)
        if scope is not None and (warning := quota.missing_exceptions(session, [scope])):
            flash(warning, "warning")
    return redirect(url_for("council.decisions", cycle_id=cycle.id, page=request.args.get("page", 1)) + f"#head-{registration.id}")


@bp.post("/<int:cycle_id>/decisions/accept-all")
def accept_all(cycle_id: int):
    cycle = _cycle(cycle_id, "council.committee.decide")
    session = queries.session_or_404(cycle.id)
    count = operations.accept_all(session, actor=current_user)
    flash(gettext("%(count)s proposals were accepted; ties are left for you to choose.", count=count), "success")
    return redirect(url_for("council.decisions", cycle_id=cycle.id))


@bp.post("/<int:cycle_id>/objections/<int:objection_id>")
def decide_objection(cycle_id: int, objection_id: int):
    cycle = _cycle(cycle_id, "council.objection.decide")
    objection = queries.of_cycle(cycle.id, Objection, objection_id)
    data = load_form(ObjectionStepSchema())
    operations.decide_objection(objection, data["step"], actor=current_user, version=data["version"], outcome=data["outcome"],
                                level=data["level"] or None)
    flash(gettext("The objection is now “%(state)s”; the head was told.", state=OBJECTION.label(objection.state)), "success")
    return redirect(url_for("council.decisions", cycle_id=cycle.id) + "#objections")


# --- a head's result and self-assessment -----------------------------------------------------

@bp.get("/results/<int:registration_id>")
def result(registration_id: int):
    registration, officials = results.result_registration(registration_id, current_user)
    return render_template("council/result.html", **results.result_context(registration, officials), flag_labels=flag_labels(), quota_labels=quota_labels())


@bp.get("/results")
def my_results():
    """The head's published results, newest first."""
    units = current_user.head_unit_ids
    regs = db.session.scalars(
        select(Registration).join(Cycle, Registration.cycle_id == Cycle.id).where(Registration.unit_id.in_(units or {-1})).order_by(Cycle.year.desc())
    ).all()
    published = [(r, queries.session_of(r.cycle_id)) for r in regs]
    rows = [(r, s) for r, s in published if s is not None and s.state == SessionState.PUBLISHED]
    if len(rows) == 1:
        return redirect(url_for("council.result", registration_id=rows[0][0].id))
    return render_template("council/my_results.html", rows=rows, registrations=[r for r in regs if r.state.value == "assigned"])


@bp.post("/results/<int:registration_id>/objection")
def object_to(registration_id: int):
    registration = get_or_404(Registration, registration_id)
    policy.require(current_user, "council.objection.file", registration)
    data = load_form(ObjectionCreateSchema())
    operations.file_objection(registration, data["text"], actor=current_user)
    flash(gettext("Your objection was filed; the standing committee will answer it."), "success")
    return redirect(url_for("council.result", registration_id=registration.id) + "#objections")


@bp.post("/results/<int:registration_id>/discipline")
def discipline(registration_id: int):
    registration = get_or_404(Registration, registration_id)
    policy.require(current_user, "council.secretary.discipline", registration)
    if request.form.get("remove"):  # the removal's own button on the same page
        record = db.session.scalar(select(DisciplineRecord).where(DisciplineRecord.registration_id == registration.id))
        if record is None:
            raise NotFound(gettext("This page or item does not exist, or was removed."))
        operations.remove_discipline(record, actor=current_user, reason=load_form(ReasonSchema(only=("reason",)))["reason"])
        flash(gettext("The discipline record was removed."), "success")
    else:
        data = load_form(DisciplineCreateSchema())
        operations.record_discipline(registration, actor=current_user, **data)
        flash(gettext("The discipline in the year was recorded."), "success")
    return redirect(url_for("council.result", registration_id=registration.id))


@bp.route("/self-assessment/<int:registration_id>", methods=["GET", "POST"])
def self_assessment(registration_id: int):
    registration = get_or_404(Registration, registration_id)
    policy.require(current_user, "council.self_assessment.edit", registration)
    item = queries.self_assessment_of(registration)
    errors: dict[str, list[str]] = {}
    status = 200
    values: Any = {"summary": item.summary, "shortcomings": item.shortcomings, "proposed_level": item.proposed_level, "version": item.version} if item else {}
    if request.method == "POST":
        values = request.form
        try:
            data = load_form(SelfAssessmentInputSchema())
            item = operations.save_self_assessment(registration, data, actor=current_user, version=data.get("version"))
            db.session.flush()
            if request.form.get("action") == "submit":
                operations.submit_self_assessment(item, actor=current_user, version=item.version)
                flash(gettext("Your self-assessment was submitted to the council."), "success")
            else:
                flash(gettext("Saved."), "success")
            return redirect(url_for("council.self_assessment", registration_id=registration.id))
        except ValidationFailed as exc:
            db.session.rollback()
            errors, status = exc.errors, 422
        except StaleObject as exc:
            db.session.rollback()
            errors, status = {"_schema": [exc.message]}, 409
    rubric = rubric_for(registration)
    return render_template("council/self_assessment.html", registration=registration, item=item, values=values, errors=errors,
                           level_names=presenters.level_names(rubric), workflow=SELF_ASSESSMENT,
                           refusal=operations._self_assessment_open(registration)), status


@bp.post("/self-assessment/<int:registration_id>/autosave")
def self_assessment_autosave(registration_id: int):
    """The page's script saves the draft a moment after each change (JSON answer)."""
    registration = get_or_404(Registration, registration_id)
    policy.require(current_user, "council.self_assessment.edit", registration)
    try:
        data = load_form(SelfAssessmentInputSchema())
        item = operations.save_self_assessment(registration, data, actor=current_user, version=data.get("version"))
        db.session.flush()
    except DomainError as exc:
        return drafts.refused(exc)
    return drafts.autosaved(item.version, utcnow())


# --- exports ---------------------------------------------------------------------------------

@bp.get("/<int:cycle_id>/export.xlsx")
def export(cycle_id: int):
    from workflow.council.export import workbook_file

    cycle = _cycle(cycle_id, "council.export")
    path = workbook_file(cycle)
    return send_file(path, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", as_attachment=True,
                     download_name=f"danh-gia-xep-loai-{cycle.year}.xlsx")


@bp.get("/results/<int:registration_id>/sheet.pdf")
def sheet(registration_id: int):
    registration, officials = results.result_registration(registration_id, current_user)
    pdf = results.sheet_pdf(registration, officials)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="phieu-danh-gia-{registration.cycle.year}-{registration.unit.code}.pdf"'})
