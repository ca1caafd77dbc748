"""Schemas of tracks, subjects and periods, shared by the admin pages and the API."""

from marshmallow import fields

from workflow.core.pagination import PageArgs
from workflow.core.schemas import BaseSchema, Text, WholeNumber, between
from workflow.units.schemas import BriefPersonSchema, BriefUnitSchema


class TrackSchema(BaseSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.Function(lambda t: t.name_vi)
    name_en = fields.String()
    subject_kind = fields.String(metadata={"description": "person or collective"})
    position = fields.Integer()
    subjects = fields.Integer(attribute="subject_total", metadata={"description": "Active subjects."})
    rule = fields.Dict(metadata={"description": "The track's entry in the rules of the cycle asked for (or the latest): "
                                                "regime, rubric, periods, assessment."})


class TrackArgs(BaseSchema):
    cycle_id = WholeNumber(load_default=None, validate=between(1, 2**31 - 1))


class PeriodSchema(BaseSchema):
    id = fields.Integer()
    cycle_id = fields.Integer()
    kind = fields.String()
    number = fields.Integer()
    starts_on = fields.Date()
    ends_on = fields.Date()
    due_on = fields.Date()


class PeriodArgs(BaseSchema):
    cycle_id = WholeNumber(required=True, validate=between(1, 2**31 - 1))


class SubjectSchema(BaseSchema):
    id = fields.Integer()
    track_id = fields.Integer()
    kind = fields.String()
    unit = fields.Nested(BriefUnitSchema)
    person = fields.Nested(BriefPersonSchema, allow_none=True)
    title = fields.String(metadata={"description": "The scoring sheet of the title (biểu điểm theo chức danh); empty: the track's own."})
    active = fields.Boolean()


class SubjectInputSchema(BaseSchema):
    unit_id = WholeNumber(required=True, validate=between(1, 2**31 - 1))
    person_id = WholeNumber(load_default=None, allow_none=True, validate=between(1, 2**31 - 1))
    title = Text(load_default="", max_length=32)


class SubjectListArgs(PageArgs):
    pass


class SubjectFormSchema(BaseSchema):
    """The administrators' form: the unit by its code, the person by user name (empty for a
    collective), the title's scoring sheet."""

    unit_code = Text(required=True, max_length=32)
    username = Text(load_default="", max_length=64)
    title = Text(load_default="", max_length=32)
