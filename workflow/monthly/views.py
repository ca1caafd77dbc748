"""Pages of the monthly round: "Tháng này" (the servant's month: the plan, what is delivered,
what is due, the self-assessment), the month page, the manager's team grid (team × products,
the self-assessment beside the assessment, one form for the whole team, and the head's approval
of the agency's month), the servant's year, and the agency's product catalogue.

Views load, check and delegate to `operations`; a refused form comes back with what was typed
(`workflow.core.web.refused_form_page`); the self-assessment saves itself as a draft while the
servant types (keepwork).
"""

from __future__ import annotations

import base64
import binascii
import io
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from workflow import policy
from workflow.accounts.models import Person, Role
from workflow.core import formats
from workflow.core.errors import DomainError, PermissionDenied, ValidationFailed, flatten_errors
from workflow.core.inputs import whole_number
from workflow.core.models import utcnow
from workflow.core.web import form_version, get_or_404, load_form, one_or_404
from workflow.drafts import web as drafts
from workflow.extensions import db
from workflow.framework.models import Period, Subject
from workflow.monthly import deliveries, exports, figures, operations, queries, scoring, year
from workflow.monthly.models import MonthlyPlan, MonthState, ObjectionState, YearCase, YearObjection
from workflow.monthly.schemas import (
    MonthlyAssessEntrySchema,
    MonthlyLineInSchema,
    MonthlyProductInSchema,
    MonthlySelfEntrySchema,
    MonthlyStepSchema,
    MonthlyYearAssessSchema,
    MonthlyYearCaseSchema,
    MonthlyYearDecisionsSchema,
)
from workflow.monthly.workflow import MONTH, OBJECTION_ICONS, OBJECTION_TONES, STATE_TONES, YEAR_OBJECTION
from workflow.opinions import queries as opinion_queries
from workflow.opinions import views as opinion_views
from workflow.ratings import imports
from workflow.scoring.explain import describe
from workflow.scoring.rubric import RubricError
from workflow.scoring.what_if_form import WHAT_IF_FIELDS, what_if_changes
from workflow.units.models import Unit

bp = Blueprint("monthly", __name__, url_prefix="/monthly")

SELF_INPUTS = ("delivered_quantity", "delivered_on", "evidence_link", "note")
ASSESS_INPUTS = ("assessed_quantity", "assessed_on", "errors", "delays")
TEXT_INPUTS = ("evidence_link", "note")
COUNT_INPUTS = ("errors", "delays")


@bp.record_once
def _template_globals(state: Any) -> None:
    state.app.jinja_env.globals.update({"month_workflow": MONTH, "month_tones": STATE_TONES, "objection_workflow": YEAR_OBJECTION,
                                     "objection_tones": OBJECTION_TONES, "objection_icons": OBJECTION_ICONS, "manager_options": queries.manager_options})


def _plan(plan_id: int) -> MonthlyPlan:
    plan = queries.load_plan(plan_id)
    policy.require(current_user, "monthly.plan.view", plan)
    return plan


def _to_month(plan: MonthlyPlan, anchor: str = "") -> Any:
    return redirect(url_for("monthly.month", plan_id=plan.id) + (f"#{anchor}" if anchor else ""))


def _today():
    return formats.local(utcnow()).date()


def entries_from_form(form: MultiDict[str, str], line_ids: list[int], names: tuple[str, ...], schema: Any) -> list[dict[str, Any]]:
    """The inputs lines.<id>.<field> as entries, each checked by `schema`; errors by input name.
    An emptied quantity or date clears it; an empty count of errors or delays leaves it as it is."""
    entries: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for line_id in line_ids:
        prefix = f"lines.{line_id}."
        raw: dict[str, Any] = {}
        for name in names:
            if prefix + name not in form:
                continue
            value = form.get(prefix + name, "")
            if name in TEXT_INPUTS:
                raw[name] = value
            elif value.strip():
                raw[name] = value.strip()
            elif name not in COUNT_INPUTS:
                raw[name] = None
        if not raw:  # a line the form has no inputs for is left as it is
            continue
        try:
            with formats.typed_by_person():
                entries.append(schema.load({"line_id": line_id, **raw}))
        except ValidationError as exc:
            errors.update({prefix + k: v for k, v in flatten_errors(exc.messages).items()})
    if errors:
        raise ValidationFailed(errors)
    return entries


# --- "Tháng này" ---------------------------------------------------------------------------------

@bp.get("/")
def mine():
    """The servant's month: for each unit they are evaluated in, this month's plan (or a button to
    start it), and the link to their team's grid when they manage anyone."""
    period = queries.current_month(_today())
    number = whole_number(request.args.get("month", ""))
    if period is not None and number is not None and 1 <= number <= 12:
        period = queries.month_period(period.cycle_id, number) or period
    subjects = queries.subjects_of(current_user.id)
    rows = [(s, queries.plan_of(s.id, period.id) if period else None) for s in subjects]
    return render_template("monthly/mine.html", period=period, rows=rows, manages=queries.manages_anyone(current_user), today=_today(),
                           periods=queries.month_periods(period.cycle_id) if period else [])


@bp.post("/open")
def open_month():
    subject = get_or_404(Subject, whole_number(request.form.get("subject_id", "")))
    period = get_or_404(Period, whole_number(request.form.get("period_id", "")))
    plan = operations.open_month(subject, period, actor=current_user)
    db.session.flush()
    return _to_month(plan)


# --- the month page ------------------------------------------------------------------------------

def _values(plan: MonthlyPlan) -> dict[str, Any]:
    values: dict[str, Any] = {"self_note": plan.self_note, "manager_note": plan.manager_note}
    for ln in plan.lines:
        p = f"lines.{ln.id}."
        values.update({p + "delivered_quantity": ln.delivered_quantity, p + "delivered_on": ln.delivered_on,
                       p + "evidence_link": ln.evidence_link, p + "note": ln.note,
                       p + "assessed_quantity": ln.assessed_quantity if ln.assessed_quantity is not None else ln.delivered_quantity,
                       p + "assessed_on": ln.assessed_on or ln.delivered_on, p + "errors": ln.errors, p + "delays": ln.delays})
    return values


@bp.get("/months/<int:plan_id>")
def month(plan_id: int):
    plan = _plan(plan_id)
    unit_id = plan.subject.unit_id
    catalogue = db.session.scalars(queries.products(unit_id, with_templates=True, active=True)).all() if policy.can(
        current_user, "monthly.plan.edit", plan) else []
    # Assessing and submitting the self-assessment are buttons of their own forms below.
    steps = [(t, r) for t, r in MONTH.available(plan, current_user) if t.name not in ("assess", "self_assess")]
    return render_template("monthly/month.html", plan=plan, person=plan.subject.person, period=plan.period, catalogue=catalogue,
                           steps=steps, values=_values(plan), editable=policy.can(current_user, "monthly.plan.edit", plan),
                           self_editable=plan.state == MonthState.AGREED and policy.can(current_user, "monthly.self_assess", plan),
                           assessable=MONTH.refusal(plan, "assess", actor=current_user) is None,
                           manager=queries.direct_manager(plan.subject.person, unit_id), today=_today())


@bp.post("/months/<int:plan_id>/lines")
def add_line(plan_id: int):
    plan = _plan(plan_id)
    data = load_form(MonthlyLineInSchema())
    operations.add_line(plan, data, actor=current_user, version=form_version())
    flash(gettext("The product was added to the month."), "success")
    return _to_month(plan, "lines")


@bp.post("/months/<int:plan_id>/lines/<int:line_id>/remove")
def remove_line(plan_id: int, line_id: int):
    plan = _plan(plan_id)
    line = queries.line_of(plan, line_id)
    if line is None:
        abort(404)
    operations.remove_line(plan, line, actor=current_user, version=form_version())
    flash(gettext("The product was removed from the month."), "success")
    return _to_month(plan, "lines")


@bp.post("/months/<int:plan_id>/carry-over")
def carry_over(plan_id: int):
    plan = _plan(plan_id)
    count = operations.carry_over(plan, actor=current_user, version=form_version())
    flash(gettext("%(count)s recurring products carried over from last month.", count=count), "success")
    return _to_month(plan, "lines")


def _save_self(plan: MonthlyPlan) -> None:
    entries = entries_from_form(request.form, [ln.id for ln in plan.lines], SELF_INPUTS, MonthlySelfEntrySchema())
    note = request.form.get("self_note")
    operations.save_self_assessment(plan, entries, actor=current_user, version=form_version(), note=note.strip() if note is not None else None)
    db.session.flush()


@bp.post("/months/<int:plan_id>/self")
def save_self(plan_id: int):
    """Save the self-assessment; with action=submit, save and submit it in one go."""
    plan = _plan(plan_id)
    _save_self(plan)
    if request.form.get("action") == "submit":
        operations.take_step(plan, "self_assess", actor=current_user, version=plan.version)
        flash(gettext("Your self-assessment was submitted to your direct manager."), "success")
    else:
        flash(gettext("Your draft was saved."), "success")
    return _to_month(plan)


@bp.post("/months/<int:plan_id>/self/autosave")
def autosave_self(plan_id: int):
    plan = _plan(plan_id)
    try:
        _save_self(plan)
    except DomainError as exc:
        return drafts.refused(exc)
    return drafts.autosaved(plan.version, utcnow())


@bp.post("/months/<int:plan_id>/assess")
def assess(plan_id: int):
    plan = _plan(plan_id)
    _assess(plan, request.form)
    flash(gettext("The month was assessed: %(points)s points of %(max)s.", points=formats.number(plan.points), max=70), "success")
    return _to_month(plan)


def _assess(plan: MonthlyPlan, form: MultiDict[str, str], prefix: str = "") -> None:
    entries = entries_from_form(form, [ln.id for ln in plan.lines], ASSESS_INPUTS, MonthlyAssessEntrySchema())
    note = form.get(f"{prefix}manager_note")
    version = whole_number(form.get(f"{prefix}version", ""))
    operations.assess(plan, entries, actor=current_user, version=version, note=note.strip() if note is not None else None)
    db.session.flush()


@bp.post("/months/<int:plan_id>/step")
def step(plan_id: int):
    plan = _plan(plan_id)
    data = load_form(MonthlyStepSchema())
    operations.take_step(plan, data["step"], actor=current_user, version=data.get("version"), reason=data["reason"])
    flash(gettext("Done: the month is now “%(state)s”.", state=MONTH.label(plan.state)), "success")
    return _to_month(plan)


# --- the team's grid -------------------------------------------------------------------------------

def _period_arg() -> Period | None:
    ident = whole_number(request.args.get("period_id", "") or request.form.get("period_id", ""))
    if ident is not None:
        return one_or_404(select(Period).where(Period.id == ident).options(joinedload(Period.cycle)))  # the page names its year
    return queries.current_month(_today())


@bp.get("/team")
def team():
    """The manager's team × products grid for a month: each member's products with the
    self-assessment beside the assessment, who is waiting and who is late. A head of agency
    approves the agency's month on a page of its own (`agency`)."""
    period = _period_arg()
    if period is None:
        return render_template("monthly/team.html", period=None, rows=[], products=[], matrix={}, periods=[])
    rows = queries.team(current_user, period)
    products = sorted({(ln.product_id or 0, ln.name) for _, plan in rows if plan for ln in plan.lines}, key=lambda p: (p[0] == 0, p[1]))
    matrix = {(plan.id, (ln.product_id or 0, ln.name)): ln for _, plan in rows if plan for ln in plan.lines}
    return render_template("monthly/team.html", period=period, rows=rows, products=products, matrix=matrix,
                           periods=queries.month_periods(period.cycle_id), today=_today(),
                           assessable={plan.id for _, plan in rows if plan and MONTH.refusal(plan, "assess", actor=current_user) is None})


@bp.post("/team")
def assess_team():
    """Assess every member whose month the form carries, in one go (one transaction)."""
    period = _period_arg()
    if period is None:
        abort(404)
    chosen = {whole_number(v) for v in request.form.getlist("plan_id")}
    done = 0
    for _, plan in queries.team(current_user, period):
        if plan is not None and plan.id in chosen:
            _assess(plan, request.form, prefix=f"plans.{plan.id}.")
            done += 1
    flash(gettext("%(count)s months assessed.", count=done), "success")
    return redirect(url_for("monthly.team", period_id=period.id))


@bp.get("/agency")
def agency():
    """The head of agency's month: every servant's month in the agency, its state (who is
    waiting, who is late) and points, to approve together or return one with a reason."""
    period = _period_arg()
    if period is None:
        return render_template("monthly/agency.html", period=None, plans=[], periods=[], approvable=set())
    plans = queries.agency_months(sorted(current_user.head_unit_ids), period)
    return render_template("monthly/agency.html", period=period, plans=plans, periods=queries.month_periods(period.cycle_id),
                           today=_today(),
                           approvable={p.id for p in plans if p.state == MonthState.ASSESSED
                                       and MONTH.refusal(p, "approve", actor=current_user) is None})


@bp.post("/agency/approve")
def approve():
    period = _period_arg()
    if period is None:
        abort(404)
    count = operations.approve_month(queries.agency_months(sorted(current_user.head_unit_ids), period), actor=current_user)
    flash(gettext("%(count)s months approved.", count=count), "success")
    return redirect(url_for("monthly.agency", period_id=period.id))


# --- the year ------------------------------------------------------------------------------------

# The cases of "không hoàn thành nhiệm vụ" whatever the points (Nghị định 335/2025 Điều 20 k4 b–d).
YEAR_CASES = {
    YearCase.DEGRADATION: _l("Found by a competent body to show political, ethical or lifestyle degradation (Article 20, clause 4 b)"),
    YearCase.DUTY_DISCIPLINE: _l("Disciplined from reprimand up for a violation related to public duty in the year (Article 20, clause 4 c)"),
    YearCase.CORRUPTION_IN_AGENCY: _l("The agency or field in charge was dealt with for embezzlement, corruption or waste (Article 20, clause 4 d)"),
}


def _cycle_of(track: str = scoring.TRACK) -> Any:
    """The cycle asked for (`cycle_id`), else the one holding today; None when the track has no
    periods in it."""
    cycle_id = whole_number(request.args.get("cycle_id", "") or request.form.get("cycle_id", ""))
    if cycle_id is None:
        period = queries.current_month(_today())
        cycle_id = period.cycle_id if period else None
    return year.cycle_of_track(cycle_id, track) if cycle_id is not None else None


def _track_arg(cycle: Any) -> str:
    """The manager-assessed track asked for (`track`), the civil servants' by default."""
    code = (request.args.get("track") or request.form.get("track") or scoring.TRACK).strip()
    if cycle is not None and code not in year.manager_tracks(cycle):
        abort(404)
    return code


def _opinions(subject: Subject, cycle: Any) -> Any:
    """The opinions of the subject's superior and subordinates, when a round asked about them and
    the reader may see them (never the subject)."""
    panel = opinion_queries.panel_for(cycle.id, subject.id)
    return panel if panel is not None and policy.can(current_user, "opinions.results.view", panel.item) else None


# The rubric's [periods] rules (scoring.engine.methods.YEAR_FROM_PERIODS) in officials' words.
YEAR_RULES = {"mean": _l("the mean of the points of the months worked")}


@bp.get("/year/<int:subject_id>")
def year_page(subject_id: int):
    """The servant's year: each month with its state and points; the year's task-result points
    from the approved months by the rubric's [periods] rule; the general criteria the direct
    manager scores once; the head of agency's case of Điều 20 k4 and decision, with the
    sentence that explains the level."""
    subject = get_or_404(Subject, subject_id)
    policy.require(current_user, "monthly.year.view", subject)
    cycle = _cycle_of(subject.track.code)
    if cycle is not None and subject.track.code not in year.manager_tracks(cycle):
        abort(404)
    by_months = cycle is not None and year.monthly(cycle, subject.track.code)
    months = queries.year_months(subject.id, cycle.id) if by_months else []
    if cycle is None or not subject.active:
        return render_template("monthly/year.html", subject=subject, cycle=cycle, months=months, row=None, rubric=None, by_months=by_months)
    panel = year.of_subject(subject, cycle)
    row = year.view_of(panel, subject.id, current_user)
    from_months = "; ".join(f"{label}: {formats.number(points)}" for label, points in row["year"].periods)
    rule = panel.rubric.periods.year if panel.rubric.periods else None
    return render_template("monthly/year.html", subject=subject, cycle=cycle, months=months, row=row, rubric=panel.rubric, from_months=from_months,
                           year_rule=YEAR_RULES.get(rule, rule) if rule else None,
                           sentences=[describe(note, panel.rubric) for note in row["year"].notes], cases=YEAR_CASES, locale=str(get_locale()),
                           general_values=_year_values(row["result"]), by_months=by_months, task_counts=operations.TASK_COUNTS,
                           opinions=_opinions(subject, cycle), opinion_relations=opinion_views.relation_labels(),
                           level_names={lv.code: lv.name.get(str(get_locale())) for lv in panel.rubric.levels},
                           can_assess=policy.can(current_user, "monthly.year.assess", subject) and not (row["result"] and row["result"].decided),
                           can_decide=policy.can(current_user, "monthly.year.decide", subject) and not (row["result"] and row["result"].decided),
                           **_objections(row["result"]))


def _objections(result: Any) -> dict[str, Any]:
    """The objections to the year's level, whether the reader may file one now (and until when)
    and which waiting one they may answer."""
    objections = operations.objections_of(result) if result is not None and result.decided else []
    waiting = next((o for o in objections if o.state == ObjectionState.FILED), None)
    deadline = operations.objection_deadline(result) if result is not None and result.decided else None
    may_object = (deadline is not None and waiting is None and _today() <= deadline
                  and policy.can(current_user, "monthly.year.object", result))
    return {"objections": objections, "objection_deadline": deadline, "may_object": may_object,
            "answerable": waiting if waiting is not None and policy.can(current_user, "monthly.year.objection.decide", waiting) else None}


def _year_values(result: Any) -> dict[str, Any]:
    """The year's form as saved: the general criteria and, where there are no monthly plans,
    the task results, as numbers the form shows the Vietnamese way."""
    if result is None:
        return {}
    values: dict[str, Any] = {f"general.{code}": Decimal(v) for code, v in (result.general or {}).items()}
    values.update({f"tasks.{name}": (Decimal(v) if name == "points" else int(v)) for name, v in (result.tasks or {}).items() if v is not None})
    return values


def _filled(names: Any) -> dict[str, str]:
    return {name: request.form.get(f"{prefix}{name}", "") for prefix, name in names if request.form.get(f"{prefix}{name}", "").strip()}


@bp.post("/year/<int:subject_id>/general")
def assess_year(subject_id: int):
    subject = get_or_404(Subject, subject_id)
    cycle = _cycle_of(subject.track.code) or abort(404)
    rubric = scoring.rubric_of(cycle, subject.track.code)
    payload: dict[str, Any] = {"general": _filled(("general.", c.code) for c in rubric.general), "note": request.form.get("note", "")}
    if not year.monthly(cycle, subject.track.code):
        payload["tasks"] = _filled(("tasks.", name) for name in ("points", *operations.TASK_COUNTS))
    if form_version() is not None:
        payload["version"] = form_version()
    try:
        with formats.typed_by_person():
            data = MonthlyYearAssessSchema().load(payload)
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from None
    operations.assess_year(subject, cycle, data["general"], actor=current_user, version=data["version"], note=data["note"], tasks=data.get("tasks"))
    flash(gettext("The general criteria of %(name)s were saved.", name=subject.person.full_name), "success")
    return redirect(url_for("monthly.year_page", subject_id=subject.id, cycle_id=cycle.id))


@bp.post("/year/<int:subject_id>/case")
def record_year_case(subject_id: int):
    subject = get_or_404(Subject, subject_id)
    cycle = _cycle_of(subject.track.code) or abort(404)
    data = load_form(MonthlyYearCaseSchema())
    case = YearCase(data["case"]) if data["case"] else None
    operations.record_year_case(subject, cycle, case, data["case_reference"], actor=current_user, version=data["version"])
    flash(gettext("The case was recorded.") if case else gettext("No case is recorded for this year."), "success")
    return redirect(url_for("monthly.year_page", subject_id=subject.id, cycle_id=cycle.id))


@bp.post("/year/<int:subject_id>/objections")
def file_year_objection(subject_id: int):
    """The servant's objection to the level of their year."""
    subject = get_or_404(Subject, subject_id)
    cycle = _cycle_of(subject.track.code) or abort(404)
    result = year.decided_result(cycle.id, subject.id) or abort(404)
    operations.file_year_objection(result, request.form.get("text", ""), actor=current_user)
    flash(gettext("Your objection was sent to the head of agency."), "success")
    return redirect(url_for("monthly.year_page", subject_id=subject.id, cycle_id=cycle.id, _anchor="year-objections"))


@bp.post("/year/objections/<int:objection_id>")
def answer_year_objection(objection_id: int):
    """The head of agency's answer: uphold (another level) or reject."""
    objection = get_or_404(YearObjection, objection_id)
    step = request.form.get("step", "")
    operations.decide_year_objection(objection, step, actor=current_user, version=form_version(), outcome=request.form.get("outcome", ""),
                                     level=request.form.get("level") or None)
    flash(gettext("The objection was upheld: the level was changed.") if step == "uphold" else gettext("The objection was rejected: the level stands."),
          "success")
    result = objection.result
    return redirect(url_for("monthly.year_page", subject_id=result.subject_id, cycle_id=result.cycle_id, _anchor="year-objections"))


def _decisions_from_form(form: MultiDict[str, str]) -> list[dict[str, Any]]:
    out = []
    for raw in form.getlist("subject_id"):
        ident = whole_number(raw)
        if ident is not None:
            out.append({"subject_id": ident, "level": form.get(f"decisions.{ident}", ""), "reason": form.get(f"reasons.{ident}", "")})
    return out


@bp.get("/agency-year")
def agency_year():
    """The head of agency's year: every servant of the agency with their task-result points,
    general criteria, total, proposed level and the sentence that explains it, the quota as it
    stands, a what-if, and the decisions."""
    policy.require(current_user, "monthly.year.agency")
    track = (request.args.get("track") or scoring.TRACK).strip()
    cycle = _cycle_of(track)
    track = _track_arg(cycle)
    units = sorted(current_user.head_unit_ids)
    if current_user.has_role(Role.ADMIN):
        unit_id = whole_number(request.args.get("unit_id", ""))
        units = [unit_id] if unit_id is not None else units
    if cycle is None or not units:
        return render_template("monthly/agency_year.html", cycle=cycle, rows=[], quota=[], what_if=None, what_if_error=None, rubric=None,
                               track=track, tracks={})
    panel = year.compute(cycle, units, track=track)
    rows = [year.view_of(panel, r.subject.id, current_user) for r in panel.rows]
    what_if, what_if_error = None, None
    try:
        changes = what_if_changes(request.args, panel.rubric)
        if changes:
            result = panel.what_if(changes)
            what_if = {"changes": result.changes, "counts": result.counts, "names": {r.subject.id: r.subject.person.full_name for r in panel.rows}}
    except RubricError as exc:
        what_if_error = exc.problems
    proposed = {r.subject.id: panel.proposals.level_of(r.subject.id) for r in panel.rows}
    return render_template("monthly/agency_year.html", cycle=cycle, rows=rows, rubric=panel.rubric, quota=panel.quota_now(),
                           waiting_objections=queries.waiting_objections(cycle.id, units),
                           quota_proposed=panel.quota_now(proposed), what_if=what_if, what_if_error=what_if_error,
                           what_if_fields=WHAT_IF_FIELDS, units=db.session.scalars(select(Unit).where(Unit.id.in_(units))).all(),
                           level_names={lv.code: lv.name.get(str(get_locale())) for lv in panel.rubric.levels},
                           counts=panel.proposals.counts(), base_names=", ".join(year.level_name(panel.rubric, c) for c in panel.rubric.quota.base_levels),
                           track=track, tracks=year.manager_tracks(cycle), by_months=panel.by_months, locale=str(get_locale()))


@bp.post("/agency-year")
def decide_years():
    track = (request.args.get("track") or request.form.get("track") or scoring.TRACK).strip()
    cycle = _cycle_of(track) or abort(404)
    track = _track_arg(cycle)
    decisions = _decisions_from_form(request.form)
    if not decisions:
        raise ValidationFailed({"subject_id": [gettext("Tick the civil servants whose level you decide.")]})
    try:
        entries = MonthlyYearDecisionsSchema().load({"decisions": decisions})["decisions"]
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from None
    subjects = {d["subject_id"] for d in entries}
    units = sorted({s.unit_id for s in db.session.scalars(select(Subject).where(Subject.id.in_(subjects)))})
    panel = year.compute(cycle, units, track=track)
    count = operations.decide_years(panel, entries, actor=current_user)
    flash(gettext("%(count)s levels decided.", count=count), "success")
    return redirect(url_for("monthly.agency_year", cycle_id=cycle.id, track=track))


# --- direct managers -----------------------------------------------------------------------------

@bp.post("/people/<int:person_id>/manager")
def set_manager(person_id: int):
    person = get_or_404(Person, person_id)
    manager_id = whole_number(request.form.get("manager_id", ""))
    operations.set_manager(person, get_or_404(Person, manager_id) if manager_id is not None else None, actor=current_user)
    flash(gettext("The direct manager of %(name)s was saved.", name=person.full_name), "success")
    if policy.can(current_user, "admin.accounts.manage"):
        return redirect(url_for("admin.person", person_id=person.id))
    return redirect(url_for("monthly.team"))


# --- the catalogue -------------------------------------------------------------------------------

def _catalogue_unit() -> int | None:
    unit_id = whole_number(request.args.get("unit_id", "") or request.form.get("unit_id", ""))
    if unit_id is None and not current_user.has_role(Role.ADMIN) and current_user.head_unit_ids:
        unit_id = sorted(current_user.head_unit_ids)[0]
    return unit_id


@bp.get("/catalogue")
def catalogue():
    unit_id = _catalogue_unit()
    unit = get_or_404(Unit, unit_id) if unit_id is not None else None
    products = db.session.scalars(queries.products(unit_id, with_templates=unit_id is not None)).all()
    return render_template("monthly/catalogue.html", unit=unit, products=products,
                           editable=policy.can(current_user, "monthly.catalogue.manage", unit_id), values={}, errors={})


@bp.post("/catalogue")
def add_product():
    unit_id = _catalogue_unit()
    data = load_form(MonthlyProductInSchema())
    operations.save_product(unit_id, data, actor=current_user)
    flash(gettext("The product was added to the catalogue."), "success")
    return redirect(url_for("monthly.catalogue", unit_id=unit_id))


@bp.post("/catalogue/import")
def import_products():
    unit_id = _catalogue_unit()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed({"file": [gettext("Choose an Excel file (.xlsx).")]})
    counts = operations.import_products(unit_id, upload.read(), actor=current_user, filename=upload.filename)
    flash(gettext("Imported: %(created)s products added, %(updated)s changed.", **counts), "success")
    return redirect(url_for("monthly.catalogue", unit_id=unit_id))


# --- products delivered, imported from other systems ---------------------------------------------

# The largest file the preview can carry to the "Import" button (the form's text fields are held
# in memory, at most MAX_FORM_MEMORY_SIZE); a larger one is chosen again to import it.
CARRIED_MAX = 360_000
DELIVERY_FIELDS = {
    "key": _l("Key of the row in the source system (document number, dossier code)"),
    "person": _l("Civil servant (personnel code or e-mail)"),
    "product": _l("Product code"),
    "name": _l("Product name (when it has no code of the catalogue)"),
    "measure": _l("Unit of measure"),
    "quantity": _l("Quantity delivered"),
    "delivered_on": _l("Delivered on"),
    "evidence": _l("Evidence link"),
}


def _import_upload() -> tuple[bytes, str]:
    """The file posted, or the one the preview carried (base64 in `content`)."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload.read(), upload.filename
    carried = request.form.get("content", "")
    if carried:
        try:
            return base64.b64decode(carried, validate=True), request.form.get("filename", "")[:200]
        except (ValueError, binascii.Error):
            pass
    raise ValidationFailed({"file": [gettext("Choose a CSV or Excel file.")]})


@bp.route("/deliveries/import", methods=["GET", "POST"])
def import_deliveries():
    """Products delivered from another system's export: upload → preview (every bad row named by
    line, column and why) → import (nothing while any row is wrong, unless "valid rows only")."""
    policy.require(current_user, "monthly.deliveries.import")
    saved = deliveries.mappings()
    chosen = next((m for m in saved if m.name == (request.values.get("mapping") or request.form.get("source"))), None)
    columns = {**deliveries.COLUMNS, **(chosen.columns if chosen else {})}
    period = _period_arg()
    periods = queries.month_periods(period.cycle_id) if period else []
    context: dict[str, Any] = {"saved": saved, "chosen": chosen, "columns": columns, "fields": DELIVERY_FIELDS, "period": period, "periods": periods,
                               "found": None, "content": "", "filename": "", "done": None}
    if request.method == "GET":
        return render_template("monthly/deliveries_import.html", **context)
    if period is None:
        raise ValidationFailed({"period_id": [gettext("Choose the month.")]})
    data, filename = _import_upload()
    columns = imports.mapping_from(request.form, deliveries.COLUMNS)
    source = request.form.get("source", "")
    valid_only = request.form.get("valid_only") == "yes"
    context.update(columns=columns, filename=filename, source=source)
    if request.form.get("action") == "apply":
        found = deliveries.preview(data, period, columns, source, actor=current_user)
        if not found.problems or valid_only:
            found = deliveries.apply(data, period, columns, source, actor=current_user, valid_only=valid_only)
            counts = found.counts()
            flash(gettext("Imported from %(source)s: %(updated)s products updated, %(added)s added, %(unchanged)s unchanged, %(refused)s rows left out.",
                          source=found.source, updated=counts["updated"], added=counts["added"], unchanged=counts["unchanged"],
                          refused=counts["refused_rows"]), "success")
            return redirect(url_for("monthly.import_deliveries", period_id=period.id, mapping=found.source))
        context["refused"] = True
    else:
        found = deliveries.preview(data, period, columns, source, actor=current_user)
    context.update(found=found, content=base64.b64encode(data).decode() if len(data) * 4 // 3 < CARRIED_MAX else "")
    return render_template("monthly/deliveries_import.html", **context), 422 if context.get("refused") else 200


# --- exports -----------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export_unit() -> Unit:
    """The agency asked for (`unit_id`), else the first the person heads; allowed to export."""
    unit_id = whole_number(request.args.get("unit_id", ""))
    if unit_id is None and current_user.head_unit_ids:
        unit_id = sorted(current_user.head_unit_ids)[0]
    if unit_id is None:
        abort(404)
    unit = get_or_404(Unit, unit_id)
    policy.require(current_user, "monthly.unit.export", unit.id)
    return unit


def _workbook(content: bytes, filename: str) -> Response:
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=filename, max_age=0)


@bp.get("/team/export.xlsx")
def export_month():
    """The Excel workbook of an agency's month (its head, administrators)."""
    unit = _export_unit()
    period = _period_arg() or abort(404)
    return _workbook(exports.month_workbook(unit, period), f"thang-{period.number:02d}-{period.cycle.year}-{unit.code}.xlsx")


@bp.get("/agency-year/export.xlsx")
def export_year():
    """The Excel workbook of the agency's year, from the engine's figures (its head, administrators)."""
    unit = _export_unit()
    cycle = _cycle_of((request.args.get("track") or scoring.TRACK).strip()) or abort(404)
    track = _track_arg(cycle)
    panel = year.compute(cycle, [unit.id], track=track)
    return _workbook(exports.year_workbook(panel, current_user), f"xep-loai-{track.replace('_', '-')}-{cycle.year}-{unit.code}.xlsx")


@bp.get("/year/<int:subject_id>/sheet.pdf")
def year_sheet(subject_id: int):
    """The servant's yearly sheet, in Vietnamese: to those who see the proposal (the direct
    manager, the head of agency, administrators), and to the servant once the level is decided."""
    subject = get_or_404(Subject, subject_id)
    policy.require(current_user, "monthly.year.view", subject)
    cycle = _cycle_of() or abort(404)
    if not subject.active or subject.track.code != scoring.TRACK:  # the sheet of Nghị định 335's civil servants
        abort(404)
    panel = year.of_subject(subject, cycle)
    result = panel.row(subject.id).result
    if not (policy.can(current_user, "monthly.year.proposal.view", subject) or policy.can(current_user, "monthly.year.result.view", result)):
        raise PermissionDenied(gettext("The sheet of the year can be printed once the head of agency has decided the level."))
    pdf = exports.year_sheet_pdf(panel, subject, current_user)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="phieu-danh-gia-cong-chuc-{cycle.year}-{subject.id}.pdf"'})


# --- dashboards -------------------------------------------------------------------------------------

@bp.get("/dashboard")
def dashboard():
    """Completion by agency and month, and the levels decided: a histogram per agency and per
    direct manager, the lenient managers first (the province to staff, the committee and
    administrators; a head, their agency)."""
    policy.require(current_user, "monthly.dashboard.view")
    cycle = _cycle_of()
    if cycle is None:
        return render_template("monthly/dashboard.html", cycle=None, province=False)
    scope = figures.units_in_scope(current_user)
    rubric = scoring.rubric_of(cycle)
    levels = sorted(rubric.levels, key=lambda lv: -lv.min_points)
    return render_template("monthly/dashboard.html", cycle=cycle, province=scope is None, completion=figures.completion(cycle, scope),
                           by_unit=figures.levels_by_unit(cycle, scope), managers=figures.levels_by_manager(cycle, scope, rubric),
                           levels=levels, level_names={lv.code: lv.name.get(str(get_locale())) for lv in levels}, top=figures.top_level(rubric),
                           minimum_team=figures.LENIENT_MIN_TEAM, numbers=range(1, 13))
