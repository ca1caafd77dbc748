"""API: unit groups (/api/v1/unit-groups) and units (/api/v1/units).

Reading is open to everyone signed in (units are what people work for); changes need
`admin.units.manage`. Edits carry the version: If-Match with the ETag, or `version` in the body.
"""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from workflow import policy
from workflow.core.api import API_PREFIX, with_etag
from workflow.core.concurrency import claimed_version
from workflow.core.pagination import page_payload, page_schema, paginate
from workflow.core.web import get_or_404
from workflow.extensions import db
from workflow.units import operations, queries
from workflow.units.models import Unit, UnitGroup
from workflow.units.schemas import (
    GroupListArgs,
    UnitGroupInputSchema,
    UnitGroupSchema,
    UnitGroupUpdateSchema,
    UnitInputSchema,
    UnitListArgs,
    UnitSchema,
    UnitUpdateSchema,
)

groups_blp = Blueprint("unit_groups_api", __name__, url_prefix=f"{API_PREFIX}/unit-groups", description="Groups of units (nhóm cơ quan, đơn vị).")
units_blp = Blueprint("units_api", __name__, url_prefix=f"{API_PREFIX}/units", description="Units (cơ quan, đơn vị, địa phương).")


def _group(group_id: int) -> UnitGroup:
    group = db.session.scalar(queries.groups().where(UnitGroup.id == group_id).execution_options(populate_existing=True))
    if group is None:
        return get_or_404(UnitGroup, group_id)  # raises NotFound
    return group


def _unit(unit_id: int) -> Unit:
    # populate_existing: after an edit, the relations (group, parent, officer) follow the new ids.
    unit = db.session.scalar(queries.units().where(Unit.id == unit_id).execution_options(populate_existing=True))
    if unit is None:
        return get_or_404(Unit, unit_id)
    queries.attach_heads([unit])
    return unit


@groups_blp.get("")
@groups_blp.arguments(GroupListArgs, location="query")
@groups_blp.response(200, page_schema(UnitGroupSchema))
def list_groups(args):
    policy.require(current_user, "unit.view")
    return page_payload(paginate(queries.groups(args["q"]), args["page"], args["per_page"]))


@groups_blp.get("/<int:group_id>")
@groups_blp.response(200, UnitGroupSchema)
def get_group(group_id: int):
    policy.require(current_user, "unit.view")
    group = _group(group_id)
    return with_etag(group, group)


@groups_blp.post("")
@groups_blp.arguments(UnitGroupInputSchema)
@groups_blp.response(201, UnitGroupSchema)
def create_group(data):
    policy.require(current_user, "admin.units.manage")
    group = operations.create_group(actor=current_user, **data)
    db.session.flush()
    group = _group(group.id)
    return with_etag(group, group)


@groups_blp.patch("/<int:group_id>")
@groups_blp.arguments(UnitGroupUpdateSchema)
@groups_blp.response(200, UnitGroupSchema)
def update_group(data, group_id: int):
    policy.require(current_user, "admin.units.manage")
    group = _group(group_id)
    version = claimed_version(group, data.pop("version", None))
    operations.update_group(group, actor=current_user, version=version, **data)
    db.session.flush()
    group = _group(group_id)
    return with_etag(group, group)


@groups_blp.delete("/<int:group_id>")
@groups_blp.response(204)
def delete_group(group_id: int):
    policy.require(current_user, "admin.units.manage")
    operations.delete_group(get_or_404(UnitGroup, group_id), actor=current_user)


@units_blp.get("")
@units_blp.arguments(UnitListArgs, location="query")
@units_blp.response(200, page_schema(UnitSchema))
def list_units(args):
    policy.require(current_user, "unit.view")
    page = paginate(queries.units(group_id=args["group_id"], q=args["q"], active=args["active"]), args["page"], args["per_page"])
    queries.attach_heads(page.items)
    return page_payload(page)


@units_blp.get("/<int:unit_id>")
@units_blp.response(200, UnitSchema)
def get_unit(unit_id: int):
    policy.require(current_user, "unit.view")
    unit = _unit(unit_id)
    return with_etag(unit, unit)


@units_blp.post("")
@units_blp.arguments(UnitInputSchema)
@units_blp.response(201, UnitSchema)
def create_unit(data):
    policy.require(current_user, "admin.units.manage")
    unit = operations.create_unit(actor=current_user, **data)
    db.session.flush()
    unit = _unit(unit.id)
    return with_etag(unit, unit)


@units_blp.patch("/<int:unit_id>")
@units_blp.arguments(UnitUpdateSchema)
@units_blp.response(200, UnitSchema)
def update_unit(data, unit_id: int):
    policy.require(current_user, "admin.units.manage")
    unit = _unit(unit_id)
    version = claimed_version(unit, data.pop("version", None))
    operations.update_unit(unit, actor=current_user, version=version, **data)
    db.session.flush()
    unit = _unit(unit_id)
    return with_etag(unit, unit)


@units_blp.delete("/<int:unit_id>")
@units_blp.response(204)
def delete_unit(unit_id: int):
    policy.require(current_user, "admin.units.manage")
    operations.delete_unit(get_or_404(Unit, unit_id), actor=current_user)
