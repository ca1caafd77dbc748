"""Schemas of reports, entries, evidence, requests, directions and versions, shared by the API
and the web forms (the form of a report is read entry by entry through `EntryInSchema`)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from workflow.core.pagination import PageArgs
from workflow.core.schemas import BaseSchema, Day, Text, one_of
from workflow.reports.models import MilestoneStatus, ReportState, RequestKind, RequestState, VersionKind
from workflow.targets.models import Direction, TargetKind
from workflow.targets.schemas import CycleBriefSchema, Number, PersonBriefSchema, UnitBriefSchema

NARRATIVE_MAX = 2000
STEPS = ("submit", "accept", "return", "reopen")


class EntryInSchema(BaseSchema):
    """What the head reports on one target; fields left out stay as they were."""

    target_id = fields.Integer(required=True)
    actual = Number(allow_none=True, metadata={"description": "Cumulative value at quarter end (quantitative targets)"})
    milestone_status = fields.Enum(MilestoneStatus, by_value=True, allow_none=True, metadata={"description": "Tasks: not_started, in_progress, behind, done"})
    product_delivered = Text(max_length=NARRATIVE_MAX, allow_empty=True, allow_none=True, metadata={"description": "Tasks: the product delivered"})
    delivered_on = Day(allow_none=True, metadata={"description": "Tasks: when the product was delivered (31/03/2027 or 2027-03-31)"})
    narrative = Text(max_length=NARRATIVE_MAX, allow_empty=True, allow_none=True)
    confidence = fields.Integer(allow_none=True, metadata={"description": "Confidence of reaching the year's target, 1 to the cycle's scale"})


class EntriesSaveSchema(BaseSchema):
    version = fields.Integer(metadata={"description": "The version edited (or send If-Match)"})
    entries = fields.List(fields.Nested(EntryInSchema), required=True,
                          validate=validate.Length(min=1, max=200, error=_l("Between 1 and 200 entries.")))


class ReportOpenSchema(BaseSchema):
    registration_id = fields.Integer(required=True)
    quarter = fields.Integer(required=True, validate=validate.Range(min=1, max=4, error=_l("Must be between 1 and 4.")))


class ReportStepSchema(BaseSchema):
    step = fields.String(required=True, validate=one_of(STEPS))
    reason = Text(max_length=NARRATIVE_MAX, allow_empty=True, load_default="")
    version = fields.Integer()


class ReportListArgs(PageArgs):
    registration_id = fields.Integer(load_default=None)
    cycle_id = fields.Integer(load_default=None)
    quarter = fields.Integer(load_default=None, validate=validate.Range(min=1, max=4))


class EvidenceUploadSchema(BaseSchema):
    target_id = fields.Integer(load_default=None, allow_none=True, metadata={"description": "The target the file proves; none: the report as a whole"})


class EvidenceRemoveArgs(BaseSchema):
    version = fields.Integer()


class RequestCreateSchema(BaseSchema):
    kind = fields.Enum(RequestKind, by_value=True, required=True, metadata={"description": "obstacle (khó khăn) or support (kiến nghị, đề xuất)"})
    body = Text(required=True, max_length=NARRATIVE_MAX)
    target_id = fields.Integer(load_default=None, allow_none=True)


class DirectionCreateSchema(BaseSchema):
    body = Text(required=True, max_length=NARRATIVE_MAX)
    version = fields.Integer()


class RequestCloseSchema(BaseSchema):
    note = Text(max_length=NARRATIVE_MAX, allow_empty=True, load_default="")
    version = fields.Integer()


# --- output --------------------------------------------------------------------------------

class ReportSummarySchema(BaseSchema):
    id = fields.Integer()
    version = fields.Integer()
    registration_id = fields.Integer()
    unit = fields.Nested(UnitBriefSchema, attribute="registration.unit")
    cycle = fields.Nested(CycleBriefSchema, attribute="registration.cycle")
    quarter = fields.Integer()
    state = fields.Enum(ReportState, by_value=True)
    state_label = fields.Function(lambda r: _state_label(r))
    due_on = fields.Date()
    first_submitted_at = fields.DateTime(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    days_late = fields.Integer()
    returned_reason = fields.String()
    accepted_at = fields.DateTime(allow_none=True)
    reopened = fields.Integer()


def _state_label(report: Any) -> str:
    from workflow.reports.workflow import REPORT

    return REPORT.label(report.state)


class ReportLineSchema(BaseSchema):
    target_id = fields.Integer()
    title = fields.String(attribute="target.title")
    kind = fields.Enum(TargetKind, by_value=True, attribute="target.kind")
    measure = fields.String(attribute="target.measure")
    baseline = fields.Decimal(as_string=True, allow_none=True, attribute="target.baseline")
    target_value = fields.Decimal(as_string=True, allow_none=True, attribute="target.target_value")
    direction = fields.Enum(Direction, by_value=True, allow_none=True, attribute="target.direction")
    due_date = fields.Date(allow_none=True, attribute="target.due_date")
    plan = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "Planned cumulative value at this quarter's end"})
    milestone = fields.String(metadata={"description": "Tasks: the milestone planned for this quarter"})
    actual = fields.Function(lambda ln: None if ln.entry is None or ln.entry.actual is None else str(ln.entry.actual))
    milestone_status = fields.Function(lambda ln: ln.entry.milestone_status.value if ln.entry and ln.entry.milestone_status else None)
    product_delivered = fields.Function(lambda ln: ln.entry.product_delivered if ln.entry else "")
    delivered_on = fields.Function(lambda ln: ln.entry.delivered_on.isoformat() if ln.entry and ln.entry.delivered_on else None)
    narrative = fields.Function(lambda ln: ln.entry.narrative if ln.entry else "")
    confidence = fields.Function(lambda ln: ln.entry.confidence if ln.entry else None)
    progress_vs_plan = fields.Decimal(as_string=True, allow_none=True, attribute="vs_plan")
    progress_vs_target = fields.Decimal(as_string=True, allow_none=True, attribute="vs_target")
    progress_from_baseline = fields.Boolean(attribute="target_from_baseline", metadata={
        "description": "True: the progress figures are the way gone from the baseline; false: the figure's share of the plan and the target."})
    status = fields.Function(lambda ln: ln.status.value if ln.status else None, metadata={"description": "on_track, at_risk or off_track"})


class EvidenceSchema(BaseSchema):
    id = fields.Integer()
    report_id = fields.Integer()
    target_id = fields.Integer(allow_none=True)
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.Nested(PersonBriefSchema)
    uploaded_at = fields.DateTime()
    removed_at = fields.DateTime(allow_none=True)


class StepOutSchema(BaseSchema):
    step = fields.String()
    label = fields.String()
    refused_because = fields.String(allow_none=True)


class ReportDetailSchema(ReportSummarySchema):
    lines = fields.List(fields.Nested(ReportLineSchema), metadata={"description": "One per target in force"})
    evidence = fields.List(fields.Nested(EvidenceSchema))
    steps = fields.List(fields.Nested(StepOutSchema), metadata={"description": "Steps the caller may take now"})
    missing = fields.Dict(keys=fields.String(), values=fields.Dict(), metadata={"description": "What each target still lacks before submitting"})


class DirectionSchema(BaseSchema):
    id = fields.Integer()
    author = fields.Nested(PersonBriefSchema)
    body = fields.String()
    created_at = fields.DateTime()


class RequestSchema(BaseSchema):
    id = fields.Integer()
    version = fields.Integer()
    report_id = fields.Integer()
    target_id = fields.Integer(allow_none=True)
    kind = fields.Enum(RequestKind, by_value=True)
    body = fields.String()
    state = fields.Enum(RequestState, by_value=True)
    created_by = fields.Nested(PersonBriefSchema)
    created_at = fields.DateTime()
    directions = fields.List(fields.Nested(DirectionSchema))


class VersionSchema(BaseSchema):
    number = fields.Integer()
    kind = fields.Enum(VersionKind, by_value=True)
    actor = fields.Nested(PersonBriefSchema, allow_none=True)
    at = fields.DateTime()
    reason = fields.String()


class VersionDetailSchema(VersionSchema):
    snapshot = fields.Dict(metadata={"description": "The report and its entries as they were"})
