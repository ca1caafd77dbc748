"""API: the product catalogue and the months of civil servants, under /api/v1/monthly.

Edits of a month carry the version they are based on: `If-Match` with the ETag received, or
`version` in the body. Without either the answer is 428; with a stale one, 412.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import gettext
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from workflow import policy
from workflow.core.api import API_PREFIX, with_etag
from workflow.core.concurrency import claimed_version
from workflow.core.errors import ValidationFailed
from workflow.core.pagination import PageArgs, page_payload, page_schema, paginate
from workflow.core.web import get_or_404
from workflow.accounts.models import Person
from workflow.extensions import db
from workflow.framework.models import Period, Subject
from workflow.monthly import deliveries, operations, queries, year
from workflow.monthly.models import MonthlyPlan, YearObjection
from workflow.monthly.schemas import (
    MonthlyAssessmentSchema,
    MonthlyCatalogueArgs,
    MonthlyCatalogueImportSchema,
    MonthlyDeliveriesImportArgs,
    MonthlyDeliveriesImportedSchema,
    MonthlyImportResultSchema,
    MonthlyLineInSchema,
    MonthlyManagerInSchema,
    MonthlyManagerSchema,
    MonthlyMonthSchema,
    MonthlyOpenMonthSchema,
    MonthlyProductInSchema,
    MonthlyProductSchema,
    MonthlySelfAssessmentSchema,
    MonthlyStepSchema,
    MonthlyYearArgs,
    MonthlyYearDecisionArgs,
    MonthlyYearObjectionInSchema,
    MonthlyYearObjectionSchema,
    MonthlyYearObjectionStepSchema,
    MonthlyYearAssessSchema,
    MonthlyYearDecidedSchema,
    MonthlyYearDecisionsSchema,
    MonthlyYearSchema,
)

blp = Blueprint(
    "monthly_api", __name__, url_prefix=f"{API_PREFIX}/monthly",
    description="Monthly products of civil servants: the product catalogue, each month's plan, self-assessment, assessment and approval.",
)


def _plan(plan_id: int) -> MonthlyPlan:
    plan = queries.load_plan(plan_id)
    policy.require(current_user, "monthly.plan.view", plan)
    return plan


def _month(plan: MonthlyPlan) -> Any:
    db.session.flush()
    return with_etag(plan, plan)


# --- the catalogue -----------------------------------------------------------------------------

@blp.get("/products")
@blp.arguments(MonthlyCatalogueArgs, location="query")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(MonthlyProductSchema))
def list_products(args, page):
    """An agency's catalogue with the shared templates (`unit_id`), or the templates alone."""
    policy.require(current_user, "monthly.catalogue.view")
    return page_payload(paginate(queries.products(args["unit_id"], with_templates=args["unit_id"] is not None), page["page"], page["per_page"]))


@blp.post("/products")
@blp.arguments(MonthlyCatalogueArgs, location="query")
@blp.arguments(MonthlyProductInSchema)
@blp.response(201, MonthlyProductSchema)
def create_product(args, data):
    product = operations.save_product(args["unit_id"], data, actor=current_user)
    db.session.flush()
    return product


@blp.post("/products/import")
@blp.arguments(MonthlyCatalogueArgs, location="query")
@blp.arguments(MonthlyCatalogueImportSchema, location="files")
@blp.response(200, MonthlyImportResultSchema)
def import_products(args, files):
    """multipart/form-data `file`: an Excel workbook (.xlsx). 422 names every bad row (line,
    column, why) and nothing is imported."""
    upload = files["file"]
    return operations.import_products(args["unit_id"], upload.read(), actor=current_user, filename=upload.filename or "")


# --- products delivered, from other systems ----------------------------------------------------------

@blp.post("/deliveries/import")
@blp.arguments(MonthlyDeliveriesImportArgs, location="query")
@blp.arguments(MonthlyCatalogueImportSchema, location="files")
@blp.response(200, MonthlyDeliveriesImportedSchema)
def import_deliveries(args, files):
    """multipart/form-data `file`: a CSV or Excel export of another system, one delivery per row,
    read with the column mapping saved under `source`. 422 names every bad row (line, column,
    why) and nothing is imported, unless `valid_only`; `dry_run` only previews. Importing the
    same file again changes nothing."""
    period = get_or_404(Period, args["period_id"])
    mapping = next((m for m in deliveries.mappings() if m.name == " ".join(args["source"].split())), None)
    columns = {**deliveries.COLUMNS, **(mapping.columns if mapping else {})}
    data = files["file"].read()
    if args["dry_run"]:
        found, applied = deliveries.preview(data, period, columns, args["source"], actor=current_user), False
    else:
        found, applied = deliveries.apply(data, period, columns, args["source"], actor=current_user, valid_only=args["valid_only"]), True
    return {"applied": applied, **found.counts(), "problems": found.problems, "deliveries": found.deliveries}


# --- direct managers -----------------------------------------------------------------------------

def _person_for_manager(person_id: int) -> Person:
    person = get_or_404(Person, person_id)
    policy.require(current_user, "monthly.manager.set", person)
    return person


@blp.get("/people/<int:person_id>/manager")
@blp.response(200, MonthlyManagerSchema)
def get_manager(person_id: int):
    """Who is the person's direct manager (null: the head of their unit), with the ETag to edit it."""
    person = _person_for_manager(person_id)
    return with_etag(person, person)


@blp.put("/people/<int:person_id>/manager")
@blp.arguments(MonthlyManagerInSchema)
@blp.response(200, MonthlyManagerSchema)
def set_manager(data, person_id: int):
    """Name the person's direct manager (null: the head of their unit), as the person's page
    does: administrators, and the head of the person's unit. Carries the version edited
    (If-Match or `version`): 428 without, 412 when stale."""
    person = get_or_404(Person, person_id)
    manager = None
    if data["manager_id"] is not None:
        manager = db.session.get(Person, data["manager_id"])
        if manager is None and policy.can(current_user, "monthly.manager.set", person):
            raise ValidationFailed({"manager_id": [gettext("No such person.")]})
    operations.set_manager(person, manager, actor=current_user, version=claimed_version(person, data.get("version")))
    db.session.flush()
    return with_etag(person, person)


# --- months --------------------------------------------------------------------------------------

@blp.post("/months")
@blp.arguments(MonthlyOpenMonthSchema)
@blp.response(201, MonthlyMonthSchema)
def open_month(data):
    """The subject's month in that period, made empty if it is new."""
    subject = get_or_404(Subject, data["subject_id"])
    period = get_or_404(Period, data["period_id"])
    return _month(operations.open_month(subject, period, actor=current_user))


@blp.get("/months/<int:plan_id>")
@blp.response(200, MonthlyMonthSchema)
def get_month(plan_id: int):
    return _month(_plan(plan_id))


@blp.post("/months/<int:plan_id>/lines")
@blp.arguments(MonthlyLineInSchema)
@blp.response(201, MonthlyMonthSchema)
def add_line(data, plan_id: int):
    plan = _plan(plan_id)
    operations.add_line(plan, data, actor=current_user, version=claimed_version(plan, None))
    return _month(plan)


@blp.put("/months/<int:plan_id>/self-assessment")
@blp.arguments(MonthlySelfAssessmentSchema)
@blp.response(200, MonthlyMonthSchema)
def save_self_assessment(data, plan_id: int):
    plan = _plan(plan_id)
    operations.save_self_assessment(plan, data["entries"], actor=current_user, version=claimed_version(plan, data.get("version")), note=data["note"])
    return _month(plan)


@blp.put("/months/<int:plan_id>/assessment")
@blp.arguments(MonthlyAssessmentSchema)
@blp.response(200, MonthlyMonthSchema)
def assess(data, plan_id: int):
    """The direct manager's assessment; the points are the engine's."""
    plan = _plan(plan_id)
    operations.assess(plan, data["entries"], actor=current_user, version=claimed_version(plan, data.get("version")), note=data["note"])
    return _month(plan)


@blp.post("/months/<int:plan_id>/transitions")
@blp.arguments(MonthlyStepSchema)
@blp.response(200, MonthlyMonthSchema)
def take_step(data, plan_id: int):
    """propose, assign, return_plan, self_assess, approve, return (reasons for the returns)."""
    plan = _plan(plan_id)
    operations.take_step(plan, data["step"], actor=current_user, version=claimed_version(plan, data.get("version")), reason=data["reason"])
    return _month(plan)


# --- the year ----------------------------------------------------------------------------------

def _year_panel(subject: Subject, cycle_id: int) -> Any:
    cycle = year.cycle_of_track(cycle_id, subject.track.code)
    if cycle is None:
        abort(404)
    return year.of_subject(subject, cycle)


@blp.get("/years/<int:subject_id>")
@blp.arguments(MonthlyYearArgs, location="query")
@blp.response(200, MonthlyYearSchema)
def get_year(args, subject_id: int):
    """A servant's year: the approved months and the task-result points; to the direct manager,
    the head of agency and administrators also the general criteria, the total, the proposed
    level and the sentence that explains it; to the servant the level once decided."""
    subject = get_or_404(Subject, subject_id)
    policy.require(current_user, "monthly.year.view", subject)
    return year.payload(_year_panel(subject, args["cycle_id"]), subject.id, current_user)


@blp.put("/years/<int:subject_id>")
@blp.arguments(MonthlyYearArgs, location="query")
@blp.arguments(MonthlyYearAssessSchema)
@blp.response(200, MonthlyYearSchema)
def assess_year(args, data, subject_id: int):
    """The direct manager scores the general criteria (once, at the year's end)."""
    subject = get_or_404(Subject, subject_id)
    panel = _year_panel(subject, args["cycle_id"])
    operations.assess_year(subject, panel.cycle, data["general"], actor=current_user, version=data["version"], note=data["note"], tasks=data["tasks"])
    db.session.flush()
    return year.payload(year.of_subject(subject, panel.cycle), subject.id, current_user)


def _decided_result(subject_id: int, cycle_id: int) -> Any:
    subject = get_or_404(Subject, subject_id)
    cycle = year.cycle_of_track(cycle_id, subject.track.code)
    return (year.decided_result(cycle.id, subject.id) if cycle is not None else None) or abort(404)


@blp.get("/years/<int:subject_id>/objections")
@blp.arguments(MonthlyYearArgs, location="query")
@blp.response(200, MonthlyYearObjectionSchema(many=True))
def list_year_objections(args, subject_id: int):
    """The objections to a servant's decided level, oldest first: to the servant, their direct
    manager, the head of agency and administrators."""
    result = _decided_result(subject_id, args["cycle_id"])
    policy.require(current_user, "monthly.year.result.view", result)
    return operations.objections_of(result)


@blp.post("/years/<int:subject_id>/objections")
@blp.arguments(MonthlyYearArgs, location="query")
@blp.arguments(MonthlyYearObjectionInSchema)
@blp.response(201, MonthlyYearObjectionSchema)
def file_year_objection(args, data, subject_id: int):
    """The servant objects to the level of their year, within the track's objection_days."""
    objection = operations.file_year_objection(_decided_result(subject_id, args["cycle_id"]), data["text"], actor=current_user)
    db.session.flush()
    return with_etag(objection, objection)


@blp.post("/year-objections/<int:objection_id>/steps")
@blp.arguments(MonthlyYearObjectionStepSchema)
@blp.response(200, MonthlyYearObjectionSchema)
def answer_year_objection(data, objection_id: int):
    """uphold (with the new level, within the quota) or reject, with the head of agency's answer."""
    objection = get_or_404(YearObjection, objection_id)
    operations.decide_year_objection(objection, data["step"], actor=current_user, version=claimed_version(objection, data["version"]),
                                     outcome=data["outcome"], level=data["level"])
    db.session.flush()
    return with_etag(objection, objection)


@blp.post("/years/decisions")
@blp.arguments(MonthlyYearDecisionArgs, location="query")
@blp.arguments(MonthlyYearDecisionsSchema)
@blp.response(200, MonthlyYearDecidedSchema)
def decide_years(args, data):
    """The head of agency decides the levels of the servants named; the quota is checked on the
    levels as they would stand, and nothing is saved while it is exceeded."""
    cycle = year.cycle_of_track(args["cycle_id"], args["track"])
    if cycle is None or args["track"] not in year.manager_tracks(cycle):
        abort(404)
    subjects = db.session.scalars(select(Subject).where(Subject.id.in_({d["subject_id"] for d in data["decisions"]}))).all()
    panel = year.compute(cycle, sorted({s.unit_id for s in subjects}), track=args["track"])
    count = operations.decide_years(panel, data["decisions"], actor=current_user)
    return {"decided": count}
