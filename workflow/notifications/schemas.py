"""Schemas of the outbox API (the admin page reads its filters through `OutboxArgs` too)."""

from __future__ import annotations

from marshmallow import fields

from workflow.core.pagination import PageArgs
from workflow.core.schemas import BaseSchema, Text, one_of
from workflow.notifications.models import State


class OutboxArgs(PageArgs):
    state = fields.String(load_default=None, validate=one_of([s.value for s in State]))
    kind = Text(load_default="", max_length=64, allow_empty=True)
    recipient = Text(load_default="", max_length=100, allow_empty=True, metadata={"description": "Part of the username, name or address."})


class NotificationSchema(BaseSchema):
    id = fields.Integer()
    recipient_id = fields.Integer(allow_none=True)
    to_address = fields.String()
    locale = fields.String()
    kind = fields.String()
    dedup_key = fields.String()
    cycle_id = fields.Integer(allow_none=True)
    quarter = fields.Integer(allow_none=True)
    subject = fields.String()
    state = fields.String(attribute="state.value")
    attempts = fields.Integer(metadata={"description": "Tries the SMTP server answered."})
    deferrals = fields.Integer(metadata={"description": "Tries that found the SMTP server unavailable."})
    next_attempt_at = fields.DateTime(allow_none=True)
    last_error = fields.String()
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    failed_at = fields.DateTime(allow_none=True)
    message_id = fields.String(allow_none=True)
    has_ics = fields.Function(lambda n: bool(n.ics))


class NotificationDetailSchema(NotificationSchema):
    body_text = fields.String()
    body_html = fields.String()
    ics = fields.String(allow_none=True)
    ics_filename = fields.String(allow_none=True)


class CancelSchema(BaseSchema):
    reason = Text(load_default="", max_length=500, allow_empty=True)


class CountSchema(BaseSchema):
    count = fields.Integer()


class JobRunSchema(BaseSchema):
    job = fields.String()
    as_of = fields.DateTime()
    started_at = fields.DateTime()
    finished_at = fields.DateTime()
    outcome = fields.String(attribute="outcome.value")
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    error = fields.String()
    holder = fields.String()


class LeaseSchema(BaseSchema):
    holder = fields.String()
    acquired_at = fields.DateTime()
    renewed_at = fields.DateTime()
    expires_at = fields.DateTime()
    active = fields.Boolean()


class SchedulerStatusSchema(BaseSchema):
    lease = fields.Nested(LeaseSchema, allow_none=True)
    healthy = fields.Boolean(metadata={"description": "A scheduler ran a tick recently."})
    last_runs = fields.List(fields.Nested(JobRunSchema))


class OutboxSummarySchema(BaseSchema):
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "Messages per state."})
    scheduler = fields.Nested(SchedulerStatusSchema)
