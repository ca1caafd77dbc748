"""Schemas of the directory API: the rows a personnel database pushes, and an import's preview.

Every column may be empty here: a row that misses what it needs is named in the preview with its
line, column and why, as a file's row is."""

from marshmallow import fields

from workflow.core.schemas import BaseSchema, Text


class UnitRowSchema(BaseSchema):
    code = Text(load_default="", allow_empty=True, max_length=32)
    name = Text(load_default="", allow_empty=True, max_length=200)
    parent_code = Text(load_default="", allow_empty=True, max_length=32)
    group_code = Text(load_default="", allow_empty=True, max_length=32)
    group_name = Text(load_default="", allow_empty=True, max_length=200)


class PositionRowSchema(BaseSchema):
    code = Text(load_default="", allow_empty=True, max_length=32)
    name = Text(load_default="", allow_empty=True, max_length=200)
    track = Text(load_default="", allow_empty=True, max_length=32, metadata={"description": "A track of the rules, e.g. civil_servants; empty: not evaluated."})
    title = Text(load_default="", allow_empty=True, max_length=32, metadata={"description": "A scoring sheet of the track's rubric (biểu điểm theo chức danh)."})
    leads_unit = Text(load_default="", allow_empty=True, max_length=8, metadata={"description": "yes/no (có/không): its holder heads the unit."})


class PersonRowSchema(BaseSchema):
    personnel_code = Text(load_default="", allow_empty=True, max_length=32)
    full_name = Text(load_default="", allow_empty=True, max_length=200)
    email = Text(load_default="", allow_empty=True, max_length=254)
    unit_code = Text(load_default="", allow_empty=True, max_length=32)
    position_code = Text(load_default="", allow_empty=True, max_length=32)
    manager_code = Text(load_default="", allow_empty=True, max_length=32)
    start_date = Text(load_default="", allow_empty=True, max_length=10, metadata={"description": "yyyy-mm-dd or dd/mm/yyyy"})


class ImportInputSchema(BaseSchema):
    """With `complete` (the default), each sheet given is the whole of that part of the
    organisation: a unit or a person it does not name is deactivated. Without it (a personnel
    database pushing what changed), only the rows given change, and they may refer to units,
    positions and managers already imported. A sheet left out is not touched."""

    units = fields.List(fields.Nested(UnitRowSchema), load_default=None, allow_none=True)
    positions = fields.List(fields.Nested(PositionRowSchema), load_default=None, allow_none=True)
    people = fields.List(fields.Nested(PersonRowSchema), load_default=None, allow_none=True)
    complete = fields.Boolean(load_default=True, metadata={"description": "false: a push of the rows that changed; nobody is deactivated."})
    apply = fields.Boolean(load_default=False, metadata={"description": "Apply at once (refused while a row has an error, unless valid_only)."})
    valid_only = fields.Boolean(load_default=False)


class ApplyInputSchema(BaseSchema):
    valid_only = fields.Boolean(load_default=False)


class ImportSchema(BaseSchema):
    id = fields.Integer()
    filename = fields.String()
    kind = fields.String()
    state = fields.String()
    created_at = fields.DateTime()
    applied_at = fields.DateTime(allow_none=True)
    valid_only = fields.Boolean()
    preview = fields.Dict(metadata={"description": "counts by sheet and action; changes (the first of each kind) as "
                                                   "[sheet, action, code, name, line, fields]; errors as [sheet, line, column, why]"})
