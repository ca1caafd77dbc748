"""What the self-scoring forms and the API read and show; every field listed."""

from __future__ import annotations

from marshmallow import fields

from workflow.core.schemas import BaseSchema, Number, Text, between, one_of
from workflow.selfscoring.operations import NOTE_MAX

STEPS = ("submit", "recognise", "return", "withdraw")


class SelfScoreSaveSchema(BaseSchema):
    """A month's self-score: points 0–100 (in a form `87,5`), empty while a draft."""

    points = Number(places=2, as_string=True, allow_none=True, load_default=None, validate=between(min=0, max=100))
    note = Text(max_length=NOTE_MAX, allow_empty=True, load_default="")
    version = fields.Integer(load_default=None)


class SelfScoreStepSchema(BaseSchema):
    step = fields.String(required=True, validate=one_of(STEPS))
    reason = Text(max_length=NOTE_MAX, allow_empty=True, load_default="")
    version = fields.Integer(load_default=None)


class PersonNameSchema(BaseSchema):
    id = fields.Integer()
    full_name = fields.String()


class MonthSchema(BaseSchema):
    id = fields.Integer(allow_none=True)
    month = fields.Integer()
    state = fields.String(allow_none=True, metadata={"description": "draft, submitted, recognised, returned; null: not started"})
    state_label = fields.String()
    points = fields.Decimal(as_string=True, allow_none=True)
    note = fields.String()
    submitted_at = fields.DateTime(allow_none=True)
    submitted_by = fields.Nested(PersonNameSchema, allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    reviewed_by = fields.Nested(PersonNameSchema, allow_none=True)
    returned_reason = fields.String()
    version = fields.Integer(allow_none=True)


class CollectiveYearSchema(BaseSchema):
    unit_id = fields.Integer()
    unit_name = fields.String()
    year = fields.Integer()
    required_months = fields.Integer()
    recognised_months = fields.Integer()
    regime = fields.String()
    months = fields.List(fields.Nested(MonthSchema))


class NotClassifiedSchema(BaseSchema):
    registration_id = fields.Integer()
    unit = fields.String()
    recognised_months = fields.Integer()
    required_months = fields.Integer()
    sentence = fields.String(metadata={"description": "In the reader's language, with the figures and the text the rule comes from."})
