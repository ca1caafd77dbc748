"""API: the product catalogue and the months of civil servants, under /api/v1/monthly.

Edits of a month carry the version they are based on: `If-Match` with the ETag received, or
`version` in the body. Without either the answer is 428; with a stale one, 412.
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_smorest import Blueprint

from workflow import policy
from workflow.core.api import API_PREFIX, with_etag
from workflow.core.concurrency import claimed_version
from workflow.core.pagination import PageArgs, page_payload, page_schema, paginate
from workflow.core.web import get_or_404
from workflow.extensions import db
from workflow.framework.models import Period, Subject
from workflow.monthly import operations, queries
from workflow.monthly.models import MonthlyPlan
from workflow.monthly.schemas import (
    MonthlyAssessmentSchema,
    MonthlyCatalogueArgs,
    MonthlyCatalogueImportSchema,
    MonthlyImportResultSchema,
    MonthlyLineInSchema,
    MonthlyMonthSchema,
    MonthlyOpenMonthSchema,
    MonthlyProductInSchema,
    MonthlyProductSchema,
    MonthlySelfAssessmentSchema,
    MonthlyStepSchema,
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
