"""Schemas of targets, registrations, proposals, comments, amendments and revisions, shared by
the API and the web forms (`workflow.core.web.load_form`).

Field-level rules live here: lengths, number ranges, kind-dependent requirements (a
quantitative target needs its measure, baseline, target and quarter plan; a task needs its
product and due date) and a target that must differ from its baseline. Checks that need the
database or the cycle (a due date inside the cycle) are in `operations`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates_schema

from workflow.core import schemas as core
from workflow.core.schemas import BaseSchema, Day, Text, between, one_of
from workflow.targets.models import (
    AmendmentState,
    ChangeKind,
    Direction,
    ProposalState,
    RegistrationState,
    RevisionKind,
    TargetKind,
    TargetOrigin,
)

MAX_MAGNITUDE = Decimal("1e15")
TITLE_MAX = 300
TEXT_MAX = 2000
QUARTERS = (1, 2, 3, 4)
PLAN_FIELDS = tuple(f"plan_q{q}" for q in QUARTERS)
MILESTONE_FIELDS = tuple(f"milestone_q{q}" for q in QUARTERS)
TAG_FIELDS = ("is_new", "is_difficult", "is_focal", "is_bottleneck")
QUANTITATIVE_FIELDS = ("measure", "baseline", "target_value", "direction", *PLAN_FIELDS)
TASK_FIELDS = ("product", "due_date", *MILESTONE_FIELDS)
REQUIRED_BY_KIND = {
    TargetKind.QUANTITATIVE: ("measure", "baseline", "target_value", "direction", *PLAN_FIELDS),
    TargetKind.TASK: ("product", "due_date"),
}
# Every field a person edits, in the order forms, snapshots and diffs show them.
TARGET_FIELDS = ("kind", "title", "field", *QUANTITATIVE_FIELDS, *TASK_FIELDS, "weight", *TAG_FIELDS, "previous_target_id")


def field_labels() -> dict[str, str]:
    """Labels of the target fields, for forms, history and diffs."""
    labels = {
        "kind": gettext("Kind"),
        "title": gettext("Name of the target or task"),
        "field": gettext("Field"),
        "measure": gettext("Unit of measure"),
        "baseline": gettext("Baseline"),
        "target_value": gettext("Target value"),
        "direction": gettext("Better when"),
        "weight": gettext("Weight (%)"),
        "product": gettext("Product proving completion"),
        "due_date": gettext("Due date"),
        "is_new": gettext("New"),
        "is_difficult": gettext("Difficult"),
        "is_focal": gettext("Focal"),
        "is_bottleneck": gettext("Bottleneck"),
        "previous_target_id": gettext("Same target last cycle"),
        "dropped": gettext("Dropped"),
    }
    for q in QUARTERS:
        labels[f"plan_q{q}"] = gettext("Plan at end of Q%(q)s", q=q)
        labels[f"milestone_q{q}"] = gettext("Milestone Q%(q)s", q=q)
    return labels


class magnitude(validate.Validator):
    def __call__(self, value: Any) -> Any:
        if abs(value) > MAX_MAGNITUDE:
            raise ValidationError(gettext("Too large: a number has at most 15 digits before the decimal comma."))
        return value


def Number(**kw: Any) -> core.Number:
    """A target's value: up to four decimals; typed in a form the Vietnamese way (1.234,5)."""
    return core.Number(places=4, allow_nan=False, as_string=True, validate=magnitude(), **kw)


def kind_errors(values: dict[str, Any], *, present: set[str] | None = None) -> dict[str, list[str]]:
    """Kind-dependent requirements of a complete set of target values, as field errors.

    `present` names the fields the person did send; a field they sent that failed its own
    validation already has an error, so it is not also called missing.
    """
    errors: dict[str, list[str]] = {}
    kind = values.get("kind")
    if kind is None:
        return errors
    for name in REQUIRED_BY_KIND[TargetKind(kind)]:
        if values.get(name) in (None, "") and (present is None or name not in present):
            errors[name] = [gettext("Required for a %(kind)s.", kind=kind_label(kind))]
    if kind == TargetKind.QUANTITATIVE:
        baseline, target = values.get("baseline"), values.get("target_value")
        if baseline is not None and target is not None and Decimal(baseline) == Decimal(target):
            errors.setdefault("target_value", []).append(gettext("The target must differ from the baseline."))
    return errors


def kind_label(kind: Any) -> str:
    return gettext("quantitative target") if TargetKind(kind) == TargetKind.QUANTITATIVE else gettext("task")


class TargetFieldsSchema(BaseSchema):
    """The values of one target (chỉ tiêu or nhiệm vụ)."""

    kind = fields.Enum(TargetKind, by_value=True, required=True, metadata={"description": "quantitative (chỉ tiêu) or task (nhiệm vụ)"})
    title = Text(required=True, max_length=TITLE_MAX)
    field = Text(required=True, max_length=200, metadata={"description": "Lĩnh vực"})
    measure = Text(max_length=100, allow_empty=True, metadata={"description": "Unit of measure (quantitative)"})
    baseline = Number(allow_none=True)
    target_value = Number(allow_none=True)
    direction = fields.Enum(Direction, by_value=True, allow_none=True, metadata={"description": "higher or lower is better"})
    plan_q1 = Number(allow_none=True, metadata={"description": "Planned cumulative value at the end of Q1"})
    plan_q2 = Number(allow_none=True)
    plan_q3 = Number(allow_none=True)
    plan_q4 = Number(allow_none=True)
    product = Text(max_length=TEXT_MAX, allow_empty=True, metadata={"description": "The product that proves a task is done"})
    due_date = Day(allow_none=True)
    milestone_q1 = Text(max_length=TEXT_MAX, allow_empty=True)
    milestone_q2 = Text(max_length=TEXT_MAX, allow_empty=True)
    milestone_q3 = Text(max_length=TEXT_MAX, allow_empty=True)
    milestone_q4 = Text(max_length=TEXT_MAX, allow_empty=True)
    weight = core.Number(required=True, places=2, allow_nan=False, as_string=True, validate=between(0, 100, min_exclusive=True))
    is_new = fields.Boolean()
    is_difficult = fields.Boolean()
    is_focal = fields.Boolean()
    is_bottleneck = fields.Boolean()
    previous_target_id = fields.Integer(allow_none=True)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _kind_requirements(self, data: dict[str, Any], original: Any, partial: Any = None, **kw: Any) -> None:
        if partial:
            return  # checked in operations against the merged values
        present = {k for k, v in original.items() if v not in (None, "")} if isinstance(original, dict) else set()
        errors = kind_errors(data, present=present)
        if errors:
            raise ValidationError(errors)


class TargetWriteSchema(TargetFieldsSchema):
    """A target as a form or an API client writes it: its values, the version it was based on
    and, once the registration has been submitted, the reason for the change."""

    version = fields.Integer(metadata={"description": "The version edited (or send If-Match)"})
    reason = Text(max_length=TEXT_MAX, allow_empty=True, metadata={"description": "Required once the registration was submitted"})


class TargetPatchSchema(TargetWriteSchema):
    """Some values of a target (load it with partial=True)."""


class ChangeItemSchema(BaseSchema):
    """One change to the set of targets: add a target, change some of its values, or drop it."""

    kind = fields.Enum(ChangeKind, by_value=True, required=True)
    target_id = fields.Integer(allow_none=True, metadata={"description": "The target to change or drop (not for add)"})
    values = fields.Dict(keys=fields.String(), load_default=dict, metadata={"description": "Target values: all for add, only those that change for change"})


class ProposalCreateSchema(ChangeItemSchema):
    reason = Text(required=True, max_length=TEXT_MAX)


class StepSchema(BaseSchema):
    step = fields.String(required=True, validate=validate.Length(max=40))
    note = Text(max_length=TEXT_MAX, allow_empty=True, load_default="")
    version = fields.Integer()


class TransitionSchema(BaseSchema):
    step = fields.String(required=True, validate=one_of(["submit", "forward", "return", "assign"]))
    reason = Text(max_length=TEXT_MAX, allow_empty=True, load_default="")
    version = fields.Integer()
    decision_number = Text(max_length=100, allow_empty=True, load_default="")
    decision_date = Day(allow_none=True, load_default=None)
    signer_name = Text(max_length=200, allow_empty=True, load_default="")
    signer_title = Text(max_length=200, allow_empty=True, load_default="")
    signer_id = fields.Integer(allow_none=True, load_default=None)


class AssignFormSchema(BaseSchema):
    """The assignment decision: quyết định giao chỉ tiêu, nhiệm vụ."""

    version = fields.Integer()
    decision_number = Text(required=True, max_length=100)
    decision_date = Day(required=True)
    signer_id = fields.Integer(allow_none=True, load_default=None)
    signer_name = Text(max_length=200, allow_empty=True, load_default="")
    signer_title = Text(max_length=200, allow_empty=True, load_default="")


class CommentCreateSchema(BaseSchema):
    body = Text(required=True, max_length=TEXT_MAX)
    target_id = fields.Integer(allow_none=True, load_default=None)


class AmendmentCreateSchema(BaseSchema):
    reason = Text(required=True, max_length=TEXT_MAX)
    items = fields.List(fields.Nested(ChangeItemSchema), required=True, validate=validate.Length(min=1, max=20, error=_l("Between 1 and 20 changes.")))


class ProposalStepSchema(StepSchema):
    step = fields.String(required=True, validate=one_of(["accept", "reject", "withdraw"]))


class AmendmentDecisionSchema(StepSchema):
    step = fields.String(required=True, validate=one_of(["approve", "reject"]))
    decision_number = Text(max_length=100, allow_empty=True, load_default="")
    decision_date = Day(allow_none=True, load_default=None)


class RegistrationCreateSchema(BaseSchema):
    cycle_id = fields.Integer(load_default=None, allow_none=True, metadata={"description": "Default: the current cycle"})
    unit_id = fields.Integer(load_default=None, allow_none=True, metadata={"description": "Default: the unit the head leads"})


class RegistrationFilterSchema(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))
    cycle_id = fields.Integer(load_default=None)
    group_id = fields.Integer(load_default=None)
    state = fields.Enum(RegistrationState, by_value=True, load_default=None)
    q = fields.String(load_default="", validate=validate.Length(max=200), metadata={"description": "Part of the unit's name"})
    mine = fields.Boolean(load_default=False, metadata={"description": "Only units I follow (staff officer)"})


class DiffArgsSchema(BaseSchema):
    from_ = fields.String(data_key="from", load_default=None, metadata={"description": "Revision number or 'current' (default: as registered)"})
    to = fields.String(load_default=None, metadata={"description": "Revision number or 'current' (default: as assigned, else current)"})


# --- output --------------------------------------------------------------------------------

class PersonBriefSchema(BaseSchema):
    id = fields.Integer()
    full_name = fields.String()
    title = fields.String()


class UnitBriefSchema(BaseSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    group_id = fields.Integer()


class CycleBriefSchema(BaseSchema):
    id = fields.Integer()
    year = fields.Integer()
    name = fields.String()


class TargetSchema(BaseSchema):
    id = fields.Integer()
    version = fields.Integer()
    registration_id = fields.Integer()
    position = fields.Integer()
    kind = fields.Enum(TargetKind, by_value=True)
    title = fields.String()
    field = fields.String()
    measure = fields.String()
    baseline = fields.Decimal(as_string=True, allow_none=True)
    target_value = fields.Decimal(as_string=True, allow_none=True)
    direction = fields.Enum(Direction, by_value=True, allow_none=True)
    weight = fields.Decimal(as_string=True)
    plan_q1 = fields.Decimal(as_string=True, allow_none=True)
    plan_q2 = fields.Decimal(as_string=True, allow_none=True)
    plan_q3 = fields.Decimal(as_string=True, allow_none=True)
    plan_q4 = fields.Decimal(as_string=True, allow_none=True)
    product = fields.String()
    due_date = fields.Date(allow_none=True)
    milestone_q1 = fields.String()
    milestone_q2 = fields.String()
    milestone_q3 = fields.String()
    milestone_q4 = fields.String()
    is_new = fields.Boolean()
    is_difficult = fields.Boolean()
    is_focal = fields.Boolean()
    is_bottleneck = fields.Boolean()
    origin = fields.Enum(TargetOrigin, by_value=True)
    previous_target_id = fields.Integer(allow_none=True)
    dropped = fields.Boolean()


class WarningSchema(BaseSchema):
    code = fields.String()
    message = fields.String()
    target_id = fields.Integer(allow_none=True)
    target_title = fields.String()


class AvailableStepSchema(BaseSchema):
    step = fields.String()
    label = fields.String()
    refused_because = fields.String(allow_none=True)


class RegistrationSummarySchema(BaseSchema):
    id = fields.Integer()
    version = fields.Integer()
    cycle = fields.Nested(CycleBriefSchema)
    unit = fields.Nested(UnitBriefSchema)
    head = fields.Nested(PersonBriefSchema)
    state = fields.Enum(RegistrationState, by_value=True)
    state_label = fields.String()
    submitted_at = fields.DateTime(allow_none=True)
    assigned_at = fields.DateTime(allow_none=True)
    weight_total = fields.Decimal(as_string=True)
    target_count = fields.Integer()
    warning_count = fields.Integer()


class RegistrationSchema(RegistrationSummarySchema):
    returned_reason = fields.String()
    assigned_by = fields.Nested(PersonBriefSchema, allow_none=True)
    decision_number = fields.String()
    decision_date = fields.Date(allow_none=True)
    signer_name = fields.String()
    signer_title = fields.String()
    signer_id = fields.Integer(allow_none=True)
    targets = fields.List(fields.Nested(TargetSchema), metadata={"description": "Targets in force (not dropped)"})
    warnings = fields.List(fields.Nested(WarningSchema))
    steps = fields.List(fields.Nested(AvailableStepSchema), metadata={"description": "Steps the caller may take now"})


class ProposalSchema(BaseSchema):
    id = fields.Integer()
    version = fields.Integer()
    registration_id = fields.Integer()
    kind = fields.Enum(ChangeKind, by_value=True)
    target_id = fields.Integer(allow_none=True)
    values = fields.Dict()
    before = fields.Dict(allow_none=True, metadata={"description": "A change: the values it replaces, as they stood when proposed."})
    reason = fields.String()
    state = fields.Enum(ProposalState, by_value=True)
    author = fields.Nested(PersonBriefSchema)
    created_at = fields.DateTime()
    decided_by = fields.Nested(PersonBriefSchema, allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String()


class CommentSchema(BaseSchema):
    id = fields.Integer()
    registration_id = fields.Integer()
    target_id = fields.Integer(allow_none=True)
    author = fields.Nested(PersonBriefSchema)
    body = fields.String()
    created_at = fields.DateTime()


class ChangeItemOutSchema(BaseSchema):
    kind = fields.String()
    target_id = fields.Integer(allow_none=True)
    values = fields.Dict()
    before = fields.Dict(load_default=None, metadata={"description": "A change: the values it replaces, as they stood when requested."})


class AmendmentSchema(BaseSchema):
    id = fields.Integer()
    version = fields.Integer()
    registration_id = fields.Integer()
    requested_by = fields.Nested(PersonBriefSchema)
    reason = fields.String()
    items = fields.List(fields.Nested(ChangeItemOutSchema))
    state = fields.Enum(AmendmentState, by_value=True)
    created_at = fields.DateTime()
    decided_by = fields.Nested(PersonBriefSchema, allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String()
    decision_number = fields.String()
    decision_date = fields.Date(allow_none=True)


class FieldChangeSchema(BaseSchema):
    target_id = fields.Integer(allow_none=True)
    title = fields.String()
    field = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class RevisionSchema(BaseSchema):
    id = fields.Integer()
    number = fields.Integer()
    kind = fields.Enum(RevisionKind, by_value=True)
    actor = fields.Nested(PersonBriefSchema, allow_none=True)
    at = fields.DateTime()
    reason = fields.String()
    changes = fields.List(fields.Nested(FieldChangeSchema))


class RevisionDetailSchema(RevisionSchema):
    snapshot = fields.List(fields.Dict(), metadata={"description": "The targets in force after this revision"})


class DiffFieldSchema(BaseSchema):
    field = fields.String()
    label = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    changed = fields.Boolean()


class DiffRowSchema(BaseSchema):
    target_id = fields.Integer()
    title = fields.String()
    status = fields.String(metadata={"description": "added, removed, changed or same"})
    fields_ = fields.List(fields.Nested(DiffFieldSchema), data_key="fields", attribute="fields")


class DiffSchema(BaseSchema):
    from_ = fields.String(data_key="from", attribute="from_label")
    to = fields.String(attribute="to_label")
    rows = fields.List(fields.Nested(DiffRowSchema))
