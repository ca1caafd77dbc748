"""Schemas of the council's API and forms: explicit fields, nothing dumped by default."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from workflow.core.inputs import MAX_INT
from workflow.core.pagination import PageArgs
from workflow.core.schemas import BaseSchema, Day, Text, WholeNumber, between, one_of
from workflow.council.models import (
    DisciplineCategory,
    DisciplineForm,
    ObjectionState,
    Position,
    ScorecardState,
    SelfAssessmentState,
    SessionState,
)

VERSION = {"metadata": {"description": "The version edited, unless sent as If-Match."}}


def choice(message: Any) -> dict[str, Any]:
    """An id picked from a form's list: missing, not a number or no id at all, it is refused with
    one message in the words of the form (the list offered only what exists)."""
    return {"validate": validate.Range(min=1, max=MAX_INT, error=message),
            "error_messages": {"required": message, "null": message, "invalid": message}}


class CouncilPersonSchema(BaseSchema):
    id = fields.Integer()
    full_name = fields.String()
    title = fields.String()


class MemberSchema(BaseSchema):
    id = fields.Integer()
    cycle_id = fields.Integer()
    person = fields.Nested(CouncilPersonSchema)
    position = fields.Enum(Position, by_value=True)


class AppointSchema(BaseSchema):
    person_id = fields.Integer(required=True, **choice(_l("Choose a person.")))
    position = fields.String(load_default="member", validate=one_of([p.value for p in Position]))


class SettingsSchema(BaseSchema):
    hide_scores_until_submitted = fields.Boolean()
    quorum = fields.String(metadata={"description": "A fraction such as 2/3."})
    objection_days = fields.Integer()


class SettingsUpdateSchema(BaseSchema):
    hide_scores_until_submitted = fields.Boolean()
    quorum = Text(max_length=9)
    objection_days = WholeNumber(validate=between(1, 90))
    version = fields.Integer(load_default=None, **VERSION)


class SettingsFormSchema(SettingsUpdateSchema):
    """The settings form sends every setting: an emptied one is an error, not "unchanged"."""

    quorum = Text(required=True, max_length=9)
    objection_days = WholeNumber(required=True, validate=between(1, 90))


class ConflictCreateSchema(BaseSchema):
    registration_id = fields.Integer(required=True, **choice(_l("Choose the head.")))
    reason = Text(required=True, max_length=2000, error_messages={"required": _l("Say what the conflict of interest is.")})


class ConflictSchema(BaseSchema):
    id = fields.Integer()
    member_id = fields.Integer()
    head = fields.Nested(CouncilPersonSchema)
    reason = fields.String()
    declared_at = fields.DateTime()


class OverrideSchema(BaseSchema):
    figure = fields.String(required=True)
    value = fields.String(required=True, allow_none=True)
    reason = fields.String(load_default="", validate=[])
    by = fields.String(dump_only=True)
    at = fields.String(dump_only=True)


class JudgementSchema(BaseSchema):
    errors = fields.Integer(validate=between(0, 20))
    delays = fields.Integer(validate=between(0, 20))
    quality_percent = fields.String()
    exceeded = fields.Boolean()
    overrides = fields.List(fields.Nested(OverrideSchema))


class ScorecardInputSchema(BaseSchema):
    general = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True), load_default=dict,
                          metadata={"description": "{criterion code: points}"})
    judgements = fields.Dict(keys=fields.String(), values=fields.Nested(JudgementSchema), load_default=dict,
                             metadata={"description": "{target id: judgement}"})
    comment = Text(max_length=4000, allow_empty=True, load_default="")
    version = fields.Integer(load_default=None, **VERSION)


class ScorecardSchema(BaseSchema):
    id = fields.Integer()
    cycle_id = fields.Integer()
    member_id = fields.Integer()
    registration_id = fields.Integer()
    state = fields.Enum(ScorecardState, by_value=True)
    general = fields.Dict()
    judgements = fields.Dict()
    comment = fields.String()
    saved_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    reopen_reason = fields.String()
    total = fields.Decimal(as_string=True, allow_none=True)
    task_points = fields.Decimal(as_string=True, allow_none=True)
    general_points = fields.Decimal(as_string=True, allow_none=True)
    level = fields.String(allow_none=True)
    version = fields.Integer()


class ExpectedVersionSchema(BaseSchema):
    version = fields.Integer(load_default=None, **VERSION)


class ReasonSchema(ExpectedVersionSchema):
    reason = Text(required=True, max_length=2000, error_messages={"required": _l("Please give a reason.")})


class PreviewTargetSchema(BaseSchema):
    target_id = fields.Integer()
    quantity_percent = fields.String()
    quality_percent = fields.String()
    timeliness_percent = fields.String()
    combined_percent = fields.String()
    errors = fields.Integer()
    delays = fields.Integer()
    deduction_percent = fields.String()
    result_percent = fields.String()
    points = fields.String()
    done = fields.Boolean()
    on_time = fields.Boolean()
    exceeded = fields.Boolean()
    notes = fields.List(fields.String())


class PreviewSchema(BaseSchema):
    complete = fields.Boolean()
    general_points = fields.String()
    task_points = fields.String()
    subordinate_deduction = fields.String()
    total = fields.String()
    level = fields.String()
    level_name = fields.String()
    failed = fields.List(fields.String())
    targets = fields.List(fields.Nested(PreviewTargetSchema))
    notes = fields.List(fields.String())


class SlotSchema(BaseSchema):
    registration_id = fields.Integer()
    head = fields.String()
    unit = fields.String()
    member_id = fields.Integer()
    state = fields.String(metadata={"description": "not_started, draft, submitted, reopened or recused"})
    recusal = fields.String(allow_none=True)
    scorecard_id = fields.Integer(allow_none=True)


class ProgressRowSchema(BaseSchema):
    registration_id = fields.Integer()
    head = fields.String()
    unit = fields.String()
    cells = fields.List(fields.Nested(SlotSchema))


class LevelExplanationSchema(BaseSchema):
    rules = fields.List(fields.String(), metadata={"description": "What decided the level: condition, discipline, evidence (a fact of another source), quota, tie, committee."})
    sentence = fields.String(metadata={"description": "Which rule put the level below what the points alone give, with its figures."})


class ProposalRowSchema(BaseSchema):
    registration_id = fields.Integer()
    head = fields.String()
    unit = fields.String()
    group = fields.String()
    hidden = fields.Boolean(metadata={"description": "True: the scores are hidden from you until you submit your own scorecard."})
    panel_score = fields.Decimal(as_string=True, allow_none=True)
    method = fields.String(allow_none=True)
    ratings = fields.Integer(allow_none=True)
    stdev = fields.Decimal(as_string=True, allow_none=True)
    spread = fields.Decimal(as_string=True, allow_none=True)
    classified_level = fields.String(allow_none=True)
    level = fields.String(allow_none=True)
    quota_status = fields.String(allow_none=True)
    options = fields.List(fields.String())
    flags = fields.List(fields.String())
    explanation = fields.List(fields.String())
    level_explanation = fields.Nested(LevelExplanationSchema, allow_none=True)


class WhatIfSchema(BaseSchema):
    track = fields.String(load_default="heads", validate=validate.Length(max=32),
                          metadata={"description": "The track (its code) whose proposals are asked about; the heads' by default."})
    changes = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True,
                          metadata={"description": 'Dotted rubric keys, e.g. {"quota.max_percent": 25, "levels.excellent.min_points": 88}.'})


class LevelChangeSchema(BaseSchema):
    registration_id = fields.Integer()
    head = fields.String()
    before = fields.String(allow_none=True)
    after = fields.String(allow_none=True)
    before_status = fields.String()
    after_status = fields.String()


class WhatIfResultSchema(BaseSchema):
    changes = fields.List(fields.Nested(LevelChangeSchema))
    counts = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()))


class CouncilSessionSchema(BaseSchema):
    id = fields.Integer()
    cycle_id = fields.Integer()
    held_on = fields.Date()
    place = fields.String()
    notes = fields.String()
    state = fields.Enum(SessionState, by_value=True)
    round = fields.Integer()
    attendee_ids = fields.List(fields.Integer())
    quorum = fields.Dict()
    finalised_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    objection_deadline = fields.Date(allow_none=True)
    version = fields.Integer()


class SessionCreateSchema(BaseSchema):
    held_on = Day(required=True)
    place = Text(max_length=200, allow_empty=True, load_default="")


class SessionUpdateSchema(BaseSchema):
    held_on = Day(required=True)
    place = Text(max_length=200, allow_empty=True, load_default="")
    notes = Text(max_length=20000, allow_empty=True, load_default="")
    attendee_ids = fields.List(fields.Integer(), load_default=list)
    version = fields.Integer(load_default=None, **VERSION)


class SessionStepSchema(BaseSchema):
    step = fields.String(required=True, validate=one_of(["finalise", "reopen", "publish"]))
    reason = Text(max_length=2000, allow_empty=True, load_default="")
    version = fields.Integer(load_default=None, **VERSION)


class DecisionCreateSchema(BaseSchema):
    level = fields.String(load_default=None, allow_none=True, metadata={"description": "Empty: accept the proposal."})
    reason = Text(max_length=4000, allow_empty=True, load_default="")


class DecisionSchema(BaseSchema):
    id = fields.Integer()
    registration_id = fields.Integer()
    number = fields.Integer()
    proposal_id = fields.Integer(allow_none=True)
    level = fields.String()
    follows_proposal = fields.Boolean()
    reason = fields.String()
    decided_by = fields.Nested(CouncilPersonSchema)
    decided_at = fields.DateTime()
    objection_id = fields.Integer(allow_none=True)


class DecisionRowSchema(BaseSchema):
    registration_id = fields.Integer()
    head = fields.String()
    unit = fields.String()
    proposal_id = fields.Integer()
    panel_score = fields.Decimal(as_string=True, allow_none=True)
    proposed_level = fields.String(allow_none=True)
    options = fields.List(fields.String())
    flags = fields.List(fields.String())
    decision = fields.Nested(DecisionSchema, allow_none=True)
    level_explanation = fields.Nested(LevelExplanationSchema, allow_none=True)


class QuotaExceptionCreateSchema(BaseSchema):
    track = fields.String(load_default="heads", validate=validate.Length(max=32),
                          metadata={"description": "The track (its code) whose quota is exceeded; the heads' by default."})
    group_id = fields.Integer(load_default=None, allow_none=True,
                              metadata={"description": "The group of units over the quota; null when the quota counts every head together."})
    reason = Text(load_default="", max_length=2000, allow_empty=True)
    legal_basis = Text(load_default="", max_length=2000, allow_empty=True, metadata={"description": "The provision that allows the exception."})


class CollectiveWaiverCreateSchema(BaseSchema):
    collective_id = fields.Integer(required=True, metadata={"description": "The collective's plan whose leaders are decided before it."})
    reason = Text(load_default="", max_length=2000, allow_empty=True)


class CollectiveWaiverSchema(BaseSchema):
    id = fields.Integer()
    collective_id = fields.Integer(metadata={"description": "The collective's plan whose leaders may be decided before it."})
    reason = fields.String()
    recorded_by = fields.Nested(CouncilPersonSchema)
    created_at = fields.DateTime()


class LeaderRecheckSchema(BaseSchema):
    id = fields.Integer()
    registration_id = fields.Integer(metadata={"description": "The leader's plan to be decided again."})
    collective_decision_id = fields.Integer()
    collective_level = fields.String()
    previous_collective_level = fields.String(allow_none=True)
    proposed_level = fields.String(allow_none=True, metadata={"description": "The frozen proposal's level."})
    recomputed_level = fields.String(allow_none=True, metadata={"description": "The council's proposal recomputed with the collective's level."})
    decided_level = fields.String(allow_none=True, metadata={"description": "The leader's decision in force when the collective was decided."})
    created_at = fields.DateTime()


class QuotaExceptionSchema(BaseSchema):
    id = fields.Integer()
    track = fields.String()
    group_id = fields.Integer(allow_none=True)
    level = fields.String()
    heads = fields.Integer(metadata={"description": "Heads at the level the exception covers."})
    base = fields.Integer()
    allowance = fields.Integer()
    reason = fields.String()
    legal_basis = fields.String()
    recorded_by = fields.Nested(CouncilPersonSchema)
    created_at = fields.DateTime()


class QuotaScopeSchema(BaseSchema):
    group_id = fields.Integer(allow_none=True)
    name = fields.String()
    level = fields.String(attribute="count.level")
    percent = fields.Decimal(as_string=True, attribute="count.percent")
    base = fields.Integer(attribute="count.base", metadata={"description": "Heads decided at the quota's base levels."})
    allowance = fields.Integer(attribute="count.allowance")
    count = fields.Integer(attribute="count.count", metadata={"description": "Heads decided at the quota's level."})
    exceeded = fields.Boolean(attribute="count.exceeded")
    needs_exception = fields.Boolean(metadata={"description": "Over the quota and not covered by an exception: publishing is refused."})
    exception = fields.Nested(QuotaExceptionSchema, allow_none=True)


class AcceptedCountSchema(BaseSchema):
    count = fields.Integer()


class ObjectionCreateSchema(BaseSchema):
    text = Text(required=True, max_length=4000, error_messages={"required": _l("Write what you object to and why.")})


class ObjectionSchema(BaseSchema):
    id = fields.Integer()
    registration_id = fields.Integer()
    decision_id = fields.Integer()
    text = fields.String()
    filed_at = fields.DateTime()
    state = fields.Enum(ObjectionState, by_value=True)
    outcome = fields.String()
    decided_at = fields.DateTime(allow_none=True)
    version = fields.Integer()


class ObjectionStepSchema(BaseSchema):
    step = fields.String(required=True, validate=one_of(["uphold", "reject"]))
    outcome = Text(required=True, max_length=4000, error_messages={"required": _l("Write the committee's answer.")})
    level = fields.String(load_default=None, allow_none=True)
    version = fields.Integer(load_default=None, **VERSION)


class ResultLineSchema(BaseSchema):
    target_id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    weight = fields.Decimal(as_string=True)
    quantity_percent = fields.Decimal(as_string=True)
    quality_percent = fields.Decimal(as_string=True)
    timeliness_percent = fields.Decimal(as_string=True)
    deduction_percent = fields.Decimal(as_string=True)
    result_percent = fields.Decimal(as_string=True)
    notes = fields.List(fields.String())


class ResultSchema(BaseSchema):
    registration_id = fields.Integer()
    head = fields.String()
    unit = fields.String()
    cycle = fields.String()
    published = fields.Boolean()
    panel_score = fields.Decimal(as_string=True, allow_none=True)
    ratings = fields.Integer(allow_none=True)
    spread = fields.Decimal(as_string=True, allow_none=True)
    proposed_level = fields.String(allow_none=True)
    level = fields.String(allow_none=True)
    level_explanation = fields.Nested(LevelExplanationSchema, allow_none=True)
    not_classified = fields.String(allow_none=True, metadata={
        "description": "A collective left without a level by the 12-month rule: the sentence with its figures; else null."})
    decision_reason = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(ResultLineSchema))
    objection_deadline = fields.Date(allow_none=True)
    objections = fields.List(fields.Nested(ObjectionSchema))


class LeniencySchema(BaseSchema):
    member_id = fields.Integer()
    name = fields.String()
    heads = fields.Integer()
    mean_deviation = fields.Decimal(as_string=True)
    mean_absolute_deviation = fields.Decimal(as_string=True)


class RatersSchema(BaseSchema):
    members = fields.List(fields.Nested(LeniencySchema))
    alpha = fields.Float(allow_none=True)
    icc = fields.Float(allow_none=True)
    icc_low = fields.Float(allow_none=True)
    icc_high = fields.Float(allow_none=True)
    icc_average = fields.Float(allow_none=True)
    heads = fields.Integer()
    complete_heads = fields.Integer()
    flagged = fields.List(fields.Integer())


class DisciplineCreateSchema(BaseSchema):
    reference = Text(required=True, max_length=200, error_messages={"required": _l("Give the number and date of the disciplinary decision.")}, metadata={"description": "The decision's number and date."})
    reason = Text(required=True, max_length=2000, metadata={"description": "What it was for, as the decision says."})
    category = fields.Enum(DisciplineCategory, by_value=True, load_default=DisciplineCategory.DISCIPLINE, metadata={
        "description": "discipline: a disciplinary decision; degradation: a competent body's conclusion of degradation; "
                       "corruption_in_agency: the agency the head leads was dealt with for corruption or waste."})
    form = fields.Enum(DisciplineForm, by_value=True, load_default=None, allow_none=True,
                       metadata={"description": "The form of a disciplinary decision (only for category discipline)."})
    duty_related = fields.Boolean(load_default=False, metadata={"description": "The violation was related to public duty."})


class DisciplineSchema(BaseSchema):
    id = fields.Integer()
    registration_id = fields.Integer()
    reference = fields.String()
    reason = fields.String()
    category = fields.Enum(DisciplineCategory, by_value=True)
    form = fields.Enum(DisciplineForm, by_value=True, allow_none=True)
    duty_related = fields.Boolean()
    created_at = fields.DateTime()


class SelfAssessmentInputSchema(BaseSchema):
    summary = Text(max_length=8000, allow_empty=True, load_default="")
    shortcomings = Text(max_length=8000, allow_empty=True, load_default="")
    proposed_level = fields.String(load_default=None, allow_none=True)
    version = fields.Integer(load_default=None, **VERSION)


class SelfAssessmentSchema(BaseSchema):
    id = fields.Integer()
    registration_id = fields.Integer()
    summary = fields.String()
    shortcomings = fields.String()
    proposed_level = fields.String(allow_none=True)
    state = fields.Enum(SelfAssessmentState, by_value=True)
    submitted_at = fields.DateTime(allow_none=True)
    version = fields.Integer()


class ReminderResultSchema(BaseSchema):
    queued = fields.Boolean(metadata={"description": "False: a reminder was already sent to this member today."})


class ListArgs(PageArgs):
    pass


class ProposalListArgs(ListArgs):
    track = fields.String(load_default="heads", validate=validate.Length(max=32),
                          metadata={"description": "The track (its code) whose proposals are listed; the heads' by default."})
