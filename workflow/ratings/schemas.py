"""The ratings' schemas: what a kiosk, a phone, a machine client or an imported row sends, and
what the API answers. Fields are listed explicitly; nothing is dumped by default."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from workflow.core.schemas import BaseSchema, Text
from workflow.ratings.models import Verdict

VERDICTS = [v.value for v in Verdict]
KEY = validate.Regexp(r"^[A-Za-z0-9_-]{8,64}$", error="8 to 64 letters, digits, - or _.")
PHONE = validate.Regexp(r"^[0-9+ .-]{0,20}$", error="A telephone number: digits, +, spaces.")
MAX_BATCH = 500


class RatingInSchema(BaseSchema):
    """One rating. `key` is made by the sender once per rating and sent again with every retry."""

    key = fields.String(required=True, validate=KEY)
    dossier = Text(max_length=64, required=True)  # the dossier number or the rating code on the receipt
    verdict = fields.String(required=True, validate=validate.OneOf(VERDICTS))
    scores = fields.Dict(keys=fields.String(validate=validate.Length(max=32)), values=fields.String(validate=validate.OneOf(VERDICTS)),
                         load_default=dict, validate=validate.Length(max=8))
    comment = Text(max_length=1000, load_default="", allow_empty=True)
    phone = fields.String(load_default="", validate=PHONE)
    rated_at = fields.AwareDateTime(required=True, default_timezone=None)
    # A machine client names the counter (one of its unit's) and, for ratings of the past, the
    # official who served; a kiosk sends neither (it is bound to its counter).
    counter_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))
    official_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))


class RatingBatchSchema(BaseSchema):
    ratings = fields.List(fields.Nested(RatingInSchema), required=True, validate=validate.Length(min=1, max=MAX_BATCH))


class OutcomeSchema(BaseSchema):
    key = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "accepted, duplicate (received before: nothing to resend) or refused"})
    message = fields.String()


class BatchResultSchema(BaseSchema):
    results = fields.List(fields.Nested(OutcomeSchema), required=True)


class CriterionSchema(BaseSchema):
    code = fields.String(required=True)
    label = fields.String(required=True)


class OfficialSchema(BaseSchema):
    full_name = fields.String(required=True)
    title = fields.String(required=True)
    photo_url = fields.String(allow_none=True, metadata={"description": "Their photo, fetched with the kiosk's token; null when they have none."})


class KioskSchema(BaseSchema):
    """What the kiosk shows: its counter, the official on duty, and what it asks."""

    counter = fields.String(required=True)
    unit = fields.String(required=True)
    official = fields.Nested(OfficialSchema, allow_none=True)
    criteria = fields.List(fields.Nested(CriterionSchema), required=True)


class ReceiptLinkInSchema(BaseSchema):
    counter_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    dossier = Text(max_length=64, required=True)


class ReceiptQrInSchema(ReceiptLinkInSchema):
    """The query of a receipt's QR image: the same counter and dossier as its link's."""


class ReceiptLinkSchema(BaseSchema):
    url = fields.String(required=True)
    qr_svg = fields.String(required=True, metadata={"description": "The link's QR code, an SVG document to print on the receipt."})


def outcome_dicts(outcomes: Any) -> dict[str, Any]:
    return {"results": [{"key": o.key, "status": o.status, "message": o.message} for o in outcomes]}
