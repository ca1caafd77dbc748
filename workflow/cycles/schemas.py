"""Schemas for cycles, shared by the admin pages and the API."""

from marshmallow import fields

from workflow.core.pagination import PageArgs
from workflow.core.schemas import BaseSchema, Text, WholeNumber, between, one_of
from workflow.cycles.models import CycleState
from workflow.cycles.workflow import CYCLE_WORKFLOW


class CycleCreateSchema(BaseSchema):
    year = WholeNumber(required=True, validate=between(2000, 2100))
    name = Text(load_default="", max_length=200, allow_empty=True, metadata={"description": "Empty: “Evaluation year <year>”."})


class CycleUpdateSchema(BaseSchema):
    name = Text(required=True, max_length=200)
    version = fields.Integer(load_default=None, metadata={"description": "The version edited, unless sent as If-Match."})


class CycleStepSchema(BaseSchema):
    step = fields.String(required=True, validate=one_of([t.name for t in CYCLE_WORKFLOW.transitions]))
    reason = Text(load_default=None, max_length=2000, allow_empty=True)
    version = fields.Integer(load_default=None, metadata={"description": "The version edited, unless sent as If-Match."})


class CycleVersionSchema(BaseSchema):
    version = fields.Integer(load_default=None, metadata={"description": "The version edited, unless sent as If-Match."})


class CycleSchema(BaseSchema):
    id = fields.Integer()
    year = fields.Integer()
    name = fields.String()
    state = fields.Enum(CycleState, by_value=True)
    starts_on = fields.Date()
    ends_on = fields.Date()
    rules_version = fields.String()
    scoring_opened_at = fields.DateTime(allow_none=True)
    early_scoring_reason = fields.String(metadata={"description": "Why an administrator opened scoring before the fourth quarter's reports were due; empty otherwise."})
    created_at = fields.DateTime()
    version = fields.Integer()


class CycleDetailSchema(CycleSchema):
    rules = fields.Dict(metadata={"description": "The snapshot of the rules this cycle follows."})


class CycleStepOptionSchema(BaseSchema):
    step = fields.String()
    label = fields.String()
    target = fields.Enum(CycleState, by_value=True)
    refusal = fields.String(allow_none=True, metadata={"description": "Why the step cannot be taken now; null when it can."})


class CycleListArgs(PageArgs):
    state = fields.Enum(CycleState, by_value=True, load_default=None)
