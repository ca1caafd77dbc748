"""What the pages and the API read and show about the catalogue and the months. Every field is
listed; nothing is dumped by default."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from workflow.core.schemas import BaseSchema, Day, Number, Text, WholeNumber, between, code, one_of
from workflow.monthly.models import ObjectionState, YearCase
from workflow.monthly.workflow import MONTH

NOTE_MAX = 2000
STEPS = tuple(t.name for t in MONTH.transitions)
CASES = tuple(c.value for c in YearCase)


# --- catalogue -----------------------------------------------------------------------------------

class MonthlyProductInSchema(BaseSchema):
    code = Text(max_length=32, required=True, validate=[code])
    name = Text(max_length=300, required=True)
    measure = Text(max_length=50, required=True, metadata={"description": "Unit of measure (đơn vị tính)"})
    coefficient = Number(required=True, places=2, as_string=True, validate=between(min=0.01, max=1000),
                         metadata={"description": "Conversion coefficient (hệ số quy đổi)"})
    group = Text(max_length=200, allow_empty=True, load_default="")
    active = fields.Boolean(load_default=True)


class MonthlyProductSchema(BaseSchema):
    id = fields.Integer()
    unit_id = fields.Integer(allow_none=True, metadata={"description": "The agency; null for a shared template"})
    code = fields.String()
    name = fields.String()
    measure = fields.String()
    coefficient = fields.Decimal(as_string=True)
    group = fields.String()
    active = fields.Boolean()
    version = fields.Integer()


class MonthlyCatalogueImportSchema(BaseSchema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class MonthlyCatalogueArgs(BaseSchema):
    unit_id = fields.Integer(load_default=None, metadata={"description": "The agency; left out: the shared templates"})


# --- months ----------------------------------------------------------------------------------------

class MonthlyLineInSchema(BaseSchema):
    """A product of the month: from the catalogue (`product_id`) or ad hoc (name, measure,
    coefficient)."""

    product_id = fields.Integer(allow_none=True, load_default=None)
    name = Text(max_length=300, allow_empty=True, load_default="")
    measure = Text(max_length=50, allow_empty=True, load_default="")
    coefficient = Number(places=2, as_string=True, allow_none=True, load_default=None, validate=between(min=0.01, max=1000))
    quantity = Number(required=True, places=2, as_string=True, validate=between(min=0.01, max=100000))
    quality_standard = Text(max_length=NOTE_MAX, allow_empty=True, load_default="")
    due_on = Day(allow_none=True, load_default=None, metadata={"description": "Left out: the month's last day"})
    recurring = fields.Boolean(load_default=False, metadata={"description": "Carried over to the next month"})


_URL = validate.URL(require_tld=False, schemes={"http", "https"}, error=_l("Write a link that starts with http:// or https://."))


def _link(value: str) -> None:
    if value:
        _URL(value)


class MonthlySelfEntrySchema(BaseSchema):
    line_id = fields.Integer(required=True)
    delivered_quantity = Number(places=2, as_string=True, allow_none=True, validate=between(min=0, max=100000))
    delivered_on = Day(allow_none=True)
    evidence_link = Text(max_length=500, allow_empty=True, validate=[_link])
    note = Text(max_length=NOTE_MAX, allow_empty=True)


class MonthlyAssessEntrySchema(BaseSchema):
    line_id = fields.Integer(required=True)
    assessed_quantity = Number(places=2, as_string=True, allow_none=True, validate=between(min=0, max=100000))
    assessed_on = Day(allow_none=True)
    errors = WholeNumber(validate=between(min=0, max=20))
    delays = WholeNumber(validate=between(min=0, max=20))


class MonthlySelfAssessmentSchema(BaseSchema):
    version = fields.Integer()
    note = Text(max_length=NOTE_MAX, allow_empty=True, load_default=None)
    entries = fields.List(fields.Nested(MonthlySelfEntrySchema), required=True, validate=validate.Length(max=200))


class MonthlyAssessmentSchema(BaseSchema):
    version = fields.Integer()
    note = Text(max_length=NOTE_MAX, allow_empty=True, load_default=None)
    entries = fields.List(fields.Nested(MonthlyAssessEntrySchema), load_default=list, validate=validate.Length(max=200))


class MonthlyOpenMonthSchema(BaseSchema):
    subject_id = fields.Integer(required=True)
    period_id = fields.Integer(required=True)


class MonthlyStepSchema(BaseSchema):
    version = fields.Integer()
    step = fields.String(required=True, validate=one_of(STEPS))
    reason = Text(max_length=NOTE_MAX, allow_empty=True, load_default="")


class MonthlyLineSchema(BaseSchema):
    id = fields.Integer()
    position = fields.Integer()
    product_id = fields.Integer(allow_none=True)
    origin = fields.String(attribute="origin.value")
    name = fields.String()
    measure = fields.String()
    coefficient = fields.Decimal(as_string=True)
    quantity = fields.Decimal(as_string=True)
    quality_standard = fields.String()
    due_on = fields.Date()
    recurring = fields.Boolean()
    delivered_quantity = fields.Decimal(as_string=True, allow_none=True)
    delivered_on = fields.Date(allow_none=True)
    evidence_link = fields.String()
    note = fields.String()
    source = fields.String(metadata={"description": "Where the delivered figures were imported from (the source system and the rows' keys); empty when typed"})
    assessed_quantity = fields.Decimal(as_string=True, allow_none=True)
    assessed_on = fields.Date(allow_none=True)
    errors = fields.Integer()
    delays = fields.Integer()
    result_percent = fields.Decimal(as_string=True, allow_none=True)


class MonthlyMonthSchema(BaseSchema):
    id = fields.Integer()
    subject_id = fields.Integer()
    period_id = fields.Integer()
    person_id = fields.Integer(attribute="subject.person_id")
    unit_id = fields.Integer(attribute="subject.unit_id")
    month = fields.Integer(attribute="period.number")
    year = fields.Integer(attribute="period.cycle.year")
    state = fields.String(attribute="state.value")
    self_note = fields.String()
    manager_note = fields.String()
    without_self_assessment = fields.Boolean()
    returned_reason = fields.String()
    self_points = fields.Decimal(as_string=True, allow_none=True)
    points = fields.Decimal(as_string=True, allow_none=True)
    rubric_version = fields.String()
    version = fields.Integer()
    lines = fields.List(fields.Nested(MonthlyLineSchema))


class MonthlyDeliveriesImportArgs(BaseSchema):
    period_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1), metadata={"description": "The month"})
    source = Text(max_length=100, required=True, metadata={
        "description": "The source system (E-Office …); its saved column mapping is used, else the default headings"})
    valid_only = fields.Boolean(load_default=False, metadata={"description": "Import the valid rows and leave the others out"})
    dry_run = fields.Boolean(load_default=False, metadata={"description": "Only say what the import would do (the preview)"})


class MonthlyImportProblemSchema(BaseSchema):
    line = fields.Integer()
    column = fields.String()
    why = fields.String()


class MonthlyDeliveryResultSchema(BaseSchema):
    plan_id = fields.Integer(attribute="plan.id")
    person_id = fields.Integer(attribute="plan.subject.person_id")
    line_id = fields.Integer(attribute="line.id", allow_none=True)
    name = fields.String()
    quantity = fields.Decimal(as_string=True)
    delivered_on = fields.Date(allow_none=True)
    rows = fields.List(fields.Integer())
    outcome = fields.String(metadata={"description": "update, add (an ad-hoc product) or same (unchanged)"})


class MonthlyDeliveriesImportedSchema(BaseSchema):
    applied = fields.Boolean()
    updated = fields.Integer()
    added = fields.Integer()
    unchanged = fields.Integer()
    rows = fields.Integer()
    refused_rows = fields.Integer()
    problems = fields.List(fields.Nested(MonthlyImportProblemSchema))
    deliveries = fields.List(fields.Nested(MonthlyDeliveryResultSchema))


class MonthlyManagerInSchema(BaseSchema):
    version = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    manager_id = fields.Integer(required=True, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1),
                                metadata={"description": "The direct manager (lãnh đạo trực tiếp); null: the head of the person's unit"})


class MonthlyManagerSchema(BaseSchema):
    person_id = fields.Integer(attribute="id")
    full_name = fields.String()
    unit_id = fields.Integer(allow_none=True)
    manager_id = fields.Integer(allow_none=True)
    manager_name = fields.String(attribute="manager.full_name", allow_none=True)
    version = fields.Integer()


class MonthlyImportResultSchema(BaseSchema):
    created = fields.Integer()
    updated = fields.Integer()


# --- the year ------------------------------------------------------------------------------------

class MonthlyYearArgs(BaseSchema):
    cycle_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class MonthlyYearDecisionArgs(MonthlyYearArgs):
    track = fields.String(load_default="civil_servants", validate=validate.Length(min=1, max=32),
                          metadata={"description": "The track (its code) whose levels are decided; the civil servants' by default."})


class MonthlyYearTasksSchema(BaseSchema):
    points = Number(places=2, as_string=True, validate=between(min=0, max=100),
                    metadata={"description": "The year's task-result points (at most the rubric's task points)."})
    targets = WholeNumber(load_default=0, validate=between(min=0, max=1000), metadata={"description": "Targets or tasks of the year."})
    done = WholeNumber(load_default=0, validate=between(min=0, max=1000), metadata={"description": "Of them, done."})
    on_time = WholeNumber(load_default=0, validate=between(min=0, max=1000), metadata={"description": "Of those done, on time."})
    exceeded = WholeNumber(load_default=0, validate=between(min=0, max=1000), metadata={"description": "Exceeded."})


class MonthlyYearAssessSchema(BaseSchema):
    version = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))
    general = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=32)),
                          values=Number(places=2, as_string=True, validate=between(min=0, max=100)), required=True,
                          validate=validate.Length(max=50),
                          metadata={"description": "The points of each general criterion of the rubric, by its code."})
    note = Text(max_length=NOTE_MAX, allow_empty=True, load_default=None)
    tasks = fields.Nested(MonthlyYearTasksSchema, load_default=None, allow_none=True,
                          metadata={"description": "Where the track's year has no monthly plans (deputies, public employees): the "
                                                   "task results as the direct manager assesses them."})


class MonthlyYearCaseSchema(BaseSchema):
    version = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))
    case = fields.String(load_default=None, allow_none=True, validate=one_of(CASES),
                         metadata={"description": "A case of Nghị định 335/2025 Điều 20 k4 b–d, or none."})
    case_reference = Text(max_length=200, allow_empty=True, load_default="")


class MonthlyYearDecisionSchema(BaseSchema):
    subject_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    level = fields.String(required=True, validate=validate.Length(max=32))
    reason = Text(max_length=NOTE_MAX, allow_empty=True, load_default="")


class MonthlyYearDecisionsSchema(BaseSchema):
    decisions = fields.List(fields.Nested(MonthlyYearDecisionSchema), required=True, validate=validate.Length(min=1, max=5000))


class MonthlyYearSchema(BaseSchema):
    subject_id = fields.Integer()
    cycle_id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    months = fields.List(fields.List(fields.String()), metadata={"description": "The approved months counted: [month, points]."})
    task_points = fields.Decimal(as_string=True, allow_none=True)
    general = fields.Dict(keys=fields.String(), values=fields.String(), allow_none=True)
    general_points = fields.Decimal(as_string=True, allow_none=True)
    deduction = fields.Decimal(as_string=True, allow_none=True)
    total = fields.Decimal(as_string=True, allow_none=True)
    case = fields.String(allow_none=True)
    case_reference = fields.String(allow_none=True)
    tasks = fields.Dict(keys=fields.String(), values=fields.Raw(), allow_none=True,
                        metadata={"description": "The task results the direct manager gave, where there are no monthly plans."})
    proposed_level = fields.String(allow_none=True)
    level = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    explanation = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)


class MonthlyYearDecidedSchema(BaseSchema):
    decided = fields.Integer(metadata={"description": "How many levels were decided (those already decided are left as they are)."})


# --- objections to the year's level ----------------------------------------------------------

class MonthlyYearObjectionInSchema(BaseSchema):
    text = Text(required=True, max_length=4000, error_messages={"required": _l("Write what you object to and why.")})


class MonthlyYearObjectionSchema(BaseSchema):
    id = fields.Integer()
    subject_id = fields.Integer(attribute="result.subject_id")
    cycle_id = fields.Integer(attribute="result.cycle_id")
    text = fields.String()
    filed_at = fields.DateTime()
    level_before = fields.String(metadata={"description": "The level objected to (a code of the rubric's levels)."})
    state = fields.Enum(ObjectionState, by_value=True)
    outcome = fields.String(metadata={"description": "The head of agency's answer."})
    level_after = fields.String(allow_none=True, metadata={"description": "The level after an upheld objection."})
    decided_at = fields.DateTime(allow_none=True)
    version = fields.Integer()


class MonthlyYearObjectionStepSchema(BaseSchema):
    step = fields.String(required=True, validate=one_of(["uphold", "reject"]))
    outcome = Text(required=True, max_length=4000, error_messages={"required": _l("Write the answer to the objection.")})
    level = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32),
                          metadata={"description": "The new level when upholding (a code of the rubric's levels)."})
    version = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1),
                             metadata={"description": "The version answered, unless sent as If-Match."})
