"""Admin pages for the evaluation framework: the tracks the rules define (nhóm đối tượng), each
with its periods in a cycle and its subjects; administrators place people (or, for a track of
collectives, units) in a track with the title whose scoring sheet applies."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user
from sqlalchemy import func, select

from workflow import policy
from workflow.accounts.models import Person
from workflow.admin.views import FormOutcome, bp, submit
from workflow.core.errors import ValidationFailed
from workflow.core.inputs import whole_number
from workflow.core.pagination import paginate
from workflow.core.web import form_version, get_or_404, page_args
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework import operations, queries
from workflow.framework.models import Subject, Track
from workflow.framework.rules import rubric_path, tracks_of
from workflow.framework.schemas import SubjectFormSchema
from workflow.scoring.rubric import RubricError, load_rubric
from workflow.units.models import Unit


def _cycle() -> Cycle | None:
    chosen = whole_number(request.args.get("cycle_id", ""))
    if chosen:
        return get_or_404(Cycle, chosen)
    return db.session.scalar(select(Cycle).order_by(Cycle.year.desc()).limit(1))


def _rubric_of(rules: dict[str, Any], code: str) -> Any:
    try:
        return load_rubric(rubric_path(rules, code))
    except (RubricError, KeyError):
        return None


@bp.get("/tracks")
def tracks():
    policy.require(current_user, "admin.units.manage")
    cycle = _cycle()
    overview = queries.overview(cycle)
    rules = cycle.rules if cycle is not None else queries.latest_rules()
    rubrics = {t.code: _rubric_of(rules, t.code) for t in overview}
    periods = queries.period_counts(cycle.id) if cycle is not None else {}
    cycles = db.session.scalars(select(Cycle).order_by(Cycle.year.desc())).all()
    return render_template("admin/tracks.html", tracks=overview, rubrics=rubrics, periods=periods, cycle=cycle, cycles=cycles)


def _track_page(track: Track, outcome: FormOutcome, values: Any):
    cycle = _cycle()
    rules = cycle.rules if cycle is not None else queries.latest_rules()
    rule = tracks_of(rules).get(track.code, {})
    rubric = _rubric_of(rules, track.code)
    page = paginate(queries.subjects_stmt(track.id), *page_args())
    periods = queries.periods(cycle.id, track.id) if cycle is not None else []
    cycles = db.session.scalars(select(Cycle).order_by(Cycle.year.desc())).all()
    locale = str(get_locale() or "vi")
    sheet_options = [(s.code, s.name.get(locale)) for s in rubric.sheets] if rubric is not None else []
    return render_template("admin/track.html", track=track, rule=rule, rubric=rubric, sheet_options=sheet_options, page=page, periods=periods, cycle=cycle, cycles=cycles,
                           outcome=outcome, errors=outcome.errors, values=values), outcome.status


@bp.get("/tracks/<int:track_id>")
def track(track_id: int):
    policy.require(current_user, "admin.units.manage")
    return _track_page(get_or_404(Track, track_id), FormOutcome(), {})


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    """The unit and person a form names by code and user name, as ids (refused per field)."""
    errors: dict[str, list[str]] = {}
    unit_id = db.session.scalar(select(Unit.id).where(func.lower(Unit.code) == data["unit_code"].lower()))
    if unit_id is None:
        errors["unit_code"] = [gettext("No unit has this code.")]
    person_id = None
    if data["username"]:
        person_id = db.session.scalar(select(Person.id).where(func.lower(Person.username) == data["username"].lower()))
        if person_id is None:
            errors["username"] = [gettext("No account has this user name.")]
    if errors:
        raise ValidationFailed(errors)
    return {"unit_id": unit_id, "person_id": person_id, "title": data["title"]}


@bp.post("/tracks/<int:track_id>")
def subject_new(track_id: int):
    policy.require(current_user, "admin.units.manage")
    track = get_or_404(Track, track_id)
    outcome = submit(SubjectFormSchema(), lambda data: operations.add_subject(track, rules=queries.latest_rules(), actor=current_user,
                                                                              **_resolve(data)))
    if not outcome.ok:
        return _track_page(track, outcome, request.form)
    flash(gettext("Added to the track “%(name)s”.", name=track.name_vi), "success")
    return redirect(url_for("admin.track", track_id=track.id))


@bp.post("/tracks/subjects/<int:subject_id>/active")
def subject_active(subject_id: int):
    policy.require(current_user, "admin.units.manage")
    subject = get_or_404(Subject, subject_id)
    active = request.form.get("active") == "1"
    outcome = submit(None, lambda data: operations.set_subject_active(subject, active, actor=current_user, version=form_version()))
    if outcome.ok:
        flash(gettext("Enabled again.") if active else gettext("Deactivated: the history stays."), "success")
    else:
        flash(outcome.problem or gettext("Nothing was changed."), "danger")
    return redirect(url_for("admin.track", track_id=subject.track_id))
