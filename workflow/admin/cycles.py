"""Admin pages for cycles: the list with a form to open a new year, and one page per cycle to
rename it, move it through its phases and refresh its rules before execution starts."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from workflow import policy
from workflow.admin.views import FormOutcome, bp, submit
from workflow.core.pagination import paginate
from workflow.core.web import form_version, get_or_404, page_args
from workflow.cycles import operations
from workflow.cycles.models import Cycle, CycleState
from workflow.cycles.schemas import CycleCreateSchema, CycleStepSchema, CycleUpdateSchema
from workflow.cycles.workflow import CYCLE_WORKFLOW
from workflow.extensions import db
from workflow.rules import RulesError, load_rules, section_label


def _cycles_page(outcome: FormOutcome, values: Any):
    policy.require(current_user, "admin.cycles.manage")
    page = paginate(select(Cycle).order_by(Cycle.year.desc()), *page_args())
    return render_template("admin/cycles.html", page=page, outcome=outcome, errors=outcome.errors, values=values), outcome.status


@bp.get("/cycles")
def cycles():
    newest = db.session.scalar(select(Cycle.year).order_by(Cycle.year.desc()).limit(1))
    return _cycles_page(FormOutcome(), {"year": (newest + 1) if newest else ""})


@bp.post("/cycles")
def cycle_create():
    policy.require(current_user, "admin.cycles.manage")
    created: list[Cycle] = []
    outcome = submit(
        CycleCreateSchema(),
        lambda data: created.append(operations.create_cycle(data["year"], actor=current_user, name=data["name"] or None)),
    )
    if not outcome.ok:
        return _cycles_page(outcome, request.form)
    flash(gettext("The cycle “%(name)s” was created in the registration phase.", name=created[0].name), "success")
    return redirect(url_for("admin.cycle", cycle_id=created[0].id))


def _rules_file_state() -> tuple[str | None, str | None]:
    """(version of the rules file in force, or None; the problem with it, or None)."""
    try:
        return load_rules(current_app.config["KPI"]["rules_file"])["version"], None
    except RulesError as exc:
        return None, str(exc)


def _cycle_page(cycle: Cycle, outcome: FormOutcome | None = None, *, form: str = "", values: Any = None):
    outcome = outcome or FormOutcome()
    file_version, file_problem = _rules_file_state()
    steps = CYCLE_WORKFLOW.available(cycle, current_user)
    # Before the fourth quarter's reports are due, scoring opens only with a written reason.
    early = operations.scoring_early(cycle) if any(t.name == "open_scoring" and not r for t, r in steps) else None
    return (
        render_template(
            "admin/cycle.html",
            cycle=cycle,
            outcome=outcome,
            failed_form=form,
            errors=outcome.errors,
            values=values if values is not None else {"name": cycle.name},
            steps=[(t, r) for t, r in steps if not (early and t.name == "open_scoring")],
            early=early,
            states=list(CycleState),
            file_version=file_version,
            file_problem=file_problem,
            sections=sorted(section_label(k) for k in cycle.rules if k != "version"),
        ),
        outcome.status,
    )


def _load(cycle_id: int) -> Cycle:
    policy.require(current_user, "admin.cycles.manage")
    return get_or_404(Cycle, cycle_id)


@bp.get("/cycles/<int:cycle_id>")
def cycle(cycle_id: int):
    return _cycle_page(_load(cycle_id))


@bp.post("/cycles/<int:cycle_id>")
def cycle_rename(cycle_id: int):
    cycle = _load(cycle_id)
    outcome = submit(
        CycleUpdateSchema(),
        lambda data: operations.rename_cycle(cycle, actor=current_user, version=form_version(), name=data["name"]),
    )
    if not outcome.ok:
        return _cycle_page(cycle, outcome, form="rename", values=request.form)
    flash(gettext("The cycle “%(name)s” was saved.", name=cycle.name), "success")
    return redirect(url_for("admin.cycle", cycle_id=cycle.id))


@bp.post("/cycles/<int:cycle_id>/step")
def cycle_step(cycle_id: int):
    cycle = _load(cycle_id)
    outcome = submit(
        CycleStepSchema(),
        lambda data: operations.advance_cycle(cycle, data["step"], actor=current_user, version=form_version(), reason=data["reason"]),
    )
    if not outcome.ok:
        return _cycle_page(cycle, outcome, form="step")
    flash(
        gettext("“%(name)s” is now in the %(state)s phase.", name=cycle.name, state=CYCLE_WORKFLOW.label(cycle.state).lower()),
        "success",
    )
    return redirect(url_for("admin.cycle", cycle_id=cycle.id))


@bp.post("/cycles/<int:cycle_id>/rules")
def cycle_rules(cycle_id: int):
    cycle = _load(cycle_id)
    versions: list[tuple[str, str]] = []
    outcome = submit(None, lambda _: versions.append(operations.refresh_rules(cycle, actor=current_user, version=form_version())))
    if not outcome.ok:
        return _cycle_page(cycle, outcome, form="rules")
    flash(gettext("The rules were updated from version %(old)s to %(new)s.", old=versions[0][0], new=versions[0][1]), "success")
    return redirect(url_for("admin.cycle", cycle_id=cycle.id))
