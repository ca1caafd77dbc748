"""Pages of the monthly self-scoring of collectives: the collective's year (its head enters and
submits each month; everyone allowed reads it) and the months waiting for the person's
recognition (recognise, or return with a reason). Views load, check and delegate; a refused form
comes back on its page with the messages beside the fields (`core.web.refused_form_page`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from workflow import policy
from workflow.core.inputs import whole_number
from workflow.core.web import get_or_404, load_form
from workflow.selfscoring import operations, queries
from workflow.selfscoring.models import CollectiveSelfScore
from workflow.selfscoring.schemas import SelfScoreSaveSchema, SelfScoreStepSchema
from workflow.selfscoring.standing import recognised_months, rule_of
from workflow.selfscoring.workflow import SELF_SCORE, STATE_TONES

bp = Blueprint("selfscoring", __name__, url_prefix="/self-scoring")


@bp.record_once
def _template_globals(state: Any) -> None:
    state.app.jinja_env.globals.update({"self_score_workflow": SELF_SCORE, "self_score_tones": STATE_TONES})




@bp.get("/")
def mine():
    """The collective the person heads, this cycle (a choice when they head several)."""
    cycle = queries.cycle_of_today(operations.today())
    subjects = queries.collectives_led_by(current_user)
    if cycle is not None and len(subjects) == 1:
        return redirect(url_for(".year", year=cycle.year, unit_id=subjects[0].unit_id))
    return render_template("selfscoring/mine.html", cycle=cycle, subjects=subjects)


@bp.get("/<int:year>")
def year(year: int):
    cycle = queries.cycle_of_year(year)
    subject = queries.collective_for(whole_number(request.args.get("unit_id", "")), current_user)
    rows = queries.months_of(subject, cycle)
    rule = rule_of(cycle.rules, subject.track.code)
    today = operations.today()
    current = whole_number(request.args.get("month", ""))
    if current is None or not 1 <= current <= 12:
        current = today.month if today.year == cycle.year else 12
    row = rows.get(current)
    may_score = policy.can(current_user, "selfscoring.score", subject)
    closed_because = operations.open_reason(subject, cycle, current, today) if may_score else None
    return render_template(
        "selfscoring/year.html", cycle=cycle, subject=subject, rows=rows, rule=rule, current=current, row=row,
        recognised=recognised_months(subject.id, cycle.id), today=today,
        editable=may_score and closed_because is None and (row is None or row.state in operations.EDITABLE),
        closed_because=closed_because,
        steps=SELF_SCORE.available(row, current_user) if row is not None else [],
    )


@bp.post("/<int:year>/<int:unit_id>/<int:month>")
def save(year: int, unit_id: int, month: int):
    """Save the month's draft; with action=submit, save and submit it in one go."""
    cycle = queries.cycle_of_year(year)
    subject = queries.collective_for(unit_id, current_user)
    data = load_form(SelfScoreSaveSchema())
    row = operations.save(subject, cycle, month, actor=current_user, points=data["points"], note=data["note"], version=data["version"])
    if request.form.get("action") == "submit":
        operations.take_step(row, "submit", actor=current_user, version=row.version)
        flash(gettext("The month's self-score was submitted for recognition."), "success")
    else:
        flash(gettext("The month's self-score was saved as a draft."), "success")
    return redirect(url_for(".year", year=year, unit_id=unit_id, month=month))


@bp.get("/months/<int:row_id>")
def month(row_id: int):
    """A month by its id (the audit log's and the mail's link): its place in the collective's year."""
    row = get_or_404(CollectiveSelfScore, row_id)
    policy.require(current_user, "selfscoring.view", row)
    return redirect(url_for(".year", year=row.cycle.year, unit_id=row.subject.unit_id, month=row.month))


@bp.post("/months/<int:row_id>/step")
def step(row_id: int):
    row = get_or_404(CollectiveSelfScore, row_id)
    policy.require(current_user, "selfscoring.view", row)
    data = load_form(SelfScoreStepSchema())
    operations.take_step(row, data["step"], actor=current_user, version=data["version"], reason=data["reason"])
    flash(gettext("Done: the month is now “%(state)s”.", state=SELF_SCORE.label(row.state)), "success")
    if request.form.get("back") == "waiting":
        return redirect(url_for(".waiting"))
    return redirect(url_for(".year", year=row.cycle.year, unit_id=row.subject.unit_id, month=row.month))


@bp.get("/waiting")
def waiting():
    """The months submitted to the person for recognition, oldest first."""
    policy.require(current_user, "selfscoring.recognise")
    return render_template("selfscoring/waiting.html", rows=queries.waiting_for(current_user))
