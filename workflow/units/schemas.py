"""Schemas for unit groups and units, shared by the admin forms and the API.

Input schemas list what a person may set; output schemas list what is shown. A PATCH uses the
partial input schema plus the `version` the client edited (or If-Match).
"""

from marshmallow import fields

from workflow.core.pagination import PageArgs
from workflow.core.schemas import BaseSchema, PartialSchema, Text, WholeNumber, between, code


class BriefPersonSchema(BaseSchema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()


class BriefUnitSchema(BaseSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class UnitGroupInputSchema(BaseSchema):
    code = Text(required=True, max_length=32, validate=[code])
    name = Text(required=True, max_length=200)
    position = WholeNumber(load_default=0, validate=between(0, 9999))


class UnitGroupUpdateSchema(UnitGroupInputSchema, PartialSchema):
    version = fields.Integer(load_default=None, metadata={"description": "The version edited, unless sent as If-Match."})


class UnitGroupSchema(BaseSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    position = fields.Integer()
    unit_count = fields.Integer(metadata={"description": "Units in the group, active or not."})
    version = fields.Integer()


class UnitInputSchema(BaseSchema):
    code = Text(required=True, max_length=32, validate=[code])
    name = Text(required=True, max_length=200)
    group_id = fields.Integer(required=True)
    parent_id = fields.Integer(load_default=None, allow_none=True, metadata={"description": "The unit above this one, if any."})
    staff_officer_id = fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "A person with the staff role who follows this unit."}
    )
    active = fields.Boolean(load_default=True)


class UnitUpdateSchema(UnitInputSchema, PartialSchema):
    version = fields.Integer(load_default=None, metadata={"description": "The version edited, unless sent as If-Match."})


class UnitSchema(BaseSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    group_id = fields.Integer()
    group = fields.Nested(BriefUnitSchema)
    parent_id = fields.Integer(allow_none=True)
    parent = fields.Nested(BriefUnitSchema, allow_none=True)
    staff_officer = fields.Nested(BriefPersonSchema, allow_none=True)
    head = fields.Nested(BriefPersonSchema, allow_none=True, metadata={"description": "The current head (người đứng đầu)."})
    active = fields.Boolean()
    version = fields.Integer()


class UnitListArgs(PageArgs):
    group_id = fields.Integer(load_default=None)
    q = fields.String(load_default=None, metadata={"description": "Part of the name or code."})
    active = fields.Boolean(load_default=None)


class GroupListArgs(PageArgs):
    q = fields.String(load_default=None)
