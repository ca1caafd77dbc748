"""API: cycles (/api/v1/cycles). Reading is open to everyone signed in; creating, renaming,
moving a cycle through its phases and refreshing its rules need `admin.cycles.manage`. Edits
carry the version: If-Match with the ETag, or `version` in the body."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from workflow import policy
from workflow.core.api import API_PREFIX, with_etag
from workflow.core.concurrency import claimed_version
from workflow.core.pagination import page_payload, page_schema, paginate
from workflow.core.web import get_or_404
from workflow.cycles import operations
from workflow.cycles.models import Cycle
from workflow.cycles.schemas import (
    CycleCreateSchema,
    CycleDetailSchema,
    CycleListArgs,
    CycleSchema,
    CycleStepOptionSchema,
    CycleStepSchema,
    CycleUpdateSchema,
    CycleVersionSchema,
)
from workflow.cycles.workflow import CYCLE_WORKFLOW
from workflow.extensions import db

blp = Blueprint("cycles_api", __name__, url_prefix=f"{API_PREFIX}/cycles", description="Evaluation cycles (kỳ đánh giá) and their phases.")


def _detail(cycle: Cycle):
    db.session.flush()
    return with_etag(cycle, cycle)


def step_options(cycle: Cycle, actor) -> list[dict]:
    """The steps `actor` may take from the cycle's phase, each with why it is refused now."""
    return [
        {"step": t.name, "label": str(t.label), "target": t.target, "refusal": refusal}
        for t, refusal in CYCLE_WORKFLOW.available(cycle, actor)
    ]


@blp.get("")
@blp.arguments(CycleListArgs, location="query")
@blp.response(200, page_schema(CycleSchema))
def list_cycles(args):
    stmt = select(Cycle).order_by(Cycle.year.desc())
    if args["state"] is not None:
        stmt = stmt.where(Cycle.state == args["state"])
    return page_payload(paginate(stmt, args["page"], args["per_page"]))


@blp.get("/<int:cycle_id>")
@blp.response(200, CycleDetailSchema)
def get_cycle(cycle_id: int):
    return _detail(get_or_404(Cycle, cycle_id))


@blp.post("")
@blp.arguments(CycleCreateSchema)
@blp.response(201, CycleDetailSchema)
def create_cycle(data):
    policy.require(current_user, "admin.cycles.manage")
    return _detail(operations.create_cycle(data["year"], actor=current_user, name=data["name"] or None))


@blp.patch("/<int:cycle_id>")
@blp.arguments(CycleUpdateSchema)
@blp.response(200, CycleDetailSchema)
def update_cycle(data, cycle_id: int):
    policy.require(current_user, "admin.cycles.manage")
    cycle = get_or_404(Cycle, cycle_id)
    version = claimed_version(cycle, data["version"])
    operations.rename_cycle(cycle, actor=current_user, version=version, name=data["name"])
    return _detail(cycle)


@blp.get("/<int:cycle_id>/steps")
@blp.response(200, CycleStepOptionSchema(many=True))
def list_steps(cycle_id: int):
    return step_options(get_or_404(Cycle, cycle_id), current_user)


@blp.post("/<int:cycle_id>/steps")
@blp.arguments(CycleStepSchema)
@blp.response(200, CycleDetailSchema)
def take_step(data, cycle_id: int):
    cycle = get_or_404(Cycle, cycle_id)
    policy.require(current_user, "admin.cycles.manage")
    version = claimed_version(cycle, data["version"])
    operations.advance_cycle(cycle, data["step"], actor=current_user, version=version, reason=data["reason"])
    return _detail(cycle)


@blp.post("/<int:cycle_id>/rules")
@blp.arguments(CycleVersionSchema)
@blp.response(200, CycleDetailSchema)
def refresh_rules(data, cycle_id: int):
    policy.require(current_user, "admin.cycles.manage")
    cycle = get_or_404(Cycle, cycle_id)
    version = claimed_version(cycle, data["version"])
    operations.refresh_rules(cycle, actor=current_user, version=version)
    return _detail(cycle)
