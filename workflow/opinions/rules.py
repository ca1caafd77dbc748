"""The `opinions` section of the rules file: what respondents are asked, on which scale, who is
asked, how long the window stays open, when respondents are reminded, how many subordinates must
answer before their view is shown, and what gap between the superior's and the subordinates'
view is flagged. Snapshotted into each cycle with the rest of the rules; a round copies the
cycle's section, merged with its track's overrides, when it opens.

- `criteria`: what each respondent judges (the general criteria of the appendices of Quy định
  366-QĐ/TW, its 30 points: political quality, ethics and lifestyle, discipline and working
  style; and the results of the duties, its 70 points), each answered on `scale`;
- `scale`: the four levels of the Hòa Bình analysis sheets (Hướng dẫn 14-HD/BTCTU: "4 cấp độ
  gồm: Xuất sắc, tốt, trung bình, kém"), each with the value averaged;
- `window_days`: how many days a round collects answers (its first day included);
- `remind_days_before`: reminders to those who have not answered, so many days before the last
  day (0: on the last day); the opening day brings the request itself;
- `min_answers`: a subject's results from subordinates (or peers) are shown only when at least
  this many answered — fewer would let a reader guess who said what;
- `gap_threshold`: a difference of at least this many scale points between the superior's and
  the subordinates' mean on a criterion is flagged for the council or the manager;
- `peers`: whether colleagues of the same level are asked (off: the Hòa Bình conference found
  "đánh giá ngang còn hình thức và không hiệu quả");
- `tracks`: per track code, overrides of `peers`, `min_answers`, `gap_threshold`, `window_days`.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from marshmallow import ValidationError, fields, validate, validates, validates_schema

from workflow.core.schemas import BaseSchema, Text, between

_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$")
OVERRIDABLE = ("peers", "min_answers", "gap_threshold", "window_days")


class CriterionSchema(BaseSchema):
    code = fields.String(required=True, validate=_CODE)
    vi = Text(max_length=200, required=True)
    en = Text(max_length=200, required=True)


class LevelSchema(BaseSchema):
    value = fields.Integer(required=True, validate=between(0, 100))
    vi = Text(max_length=100, required=True)
    en = Text(max_length=100, required=True)


class TrackOverrideSchema(BaseSchema):
    peers = fields.Boolean()
    min_answers = fields.Integer(validate=between(1, 100))
    gap_threshold = fields.Float(validate=validate.Range(min=0, max=100))
    window_days = fields.Integer(validate=between(1, 90))


def _default_criteria() -> list[dict[str, str]]:
    return [
        {"code": "political", "vi": "Chính trị tư tưởng", "en": "Political quality"},
        {"code": "ethics", "vi": "Đạo đức, lối sống", "en": "Ethics and lifestyle"},
        {"code": "discipline", "vi": "Tác phong, lề lối làm việc, ý thức tổ chức kỷ luật", "en": "Working style and discipline"},
        {"code": "results", "vi": "Kết quả thực hiện chức trách, nhiệm vụ", "en": "Results of duties"},
    ]


def _default_scale() -> list[dict[str, Any]]:
    return [
        {"value": 4, "vi": "Xuất sắc", "en": "Excellent"},
        {"value": 3, "vi": "Tốt", "en": "Good"},
        {"value": 2, "vi": "Trung bình", "en": "Average"},
        {"value": 1, "vi": "Kém", "en": "Poor"},
    ]


class OpinionRulesSchema(BaseSchema):
    """[opinions] in the rules file."""

    criteria = fields.List(fields.Nested(CriterionSchema), load_default=_default_criteria)
    scale = fields.List(fields.Nested(LevelSchema), load_default=_default_scale)
    window_days = fields.Integer(load_default=10, validate=between(1, 90))
    remind_days_before = fields.List(fields.Integer(validate=between(0, 60)), load_default=lambda: [3, 1])
    min_answers = fields.Integer(load_default=3, validate=between(1, 100))
    gap_threshold = fields.Float(load_default=1.0, validate=validate.Range(min=0, max=100))
    peers = fields.Boolean(load_default=False)
    tracks = fields.Dict(keys=fields.String(validate=_CODE), values=fields.Nested(TrackOverrideSchema), load_default=dict)

    @validates("criteria")
    def _criteria(self, value: list[dict[str, str]], **kwargs: Any) -> None:
        codes = [c["code"] for c in value]
        if not codes or len(set(codes)) != len(codes) or len(codes) > 12:
            raise ValidationError(gettext("Give 1 to 12 criteria, each with its own code."))

    @validates("scale")
    def _scale(self, value: list[dict[str, Any]], **kwargs: Any) -> None:
        values = [level["value"] for level in value]
        if len(values) < 2 or len(set(values)) != len(values) or len(values) > 10:
            raise ValidationError(gettext("Give 2 to 10 levels, each with its own value."))

    @validates_schema
    def _window(self, data: dict[str, Any], **kwargs: Any) -> None:
        if any(days >= data.get("window_days", 10) for days in data.get("remind_days_before", [])):
            raise ValidationError(gettext("A reminder must fall within the window."), "remind_days_before")


def defaults() -> dict[str, Any]:
    schema = OpinionRulesSchema()
    return schema.dump(schema.load({}))


def for_track(cycle: Any, track_code: str) -> dict[str, Any]:
    """The cycle's section (the defaults for a cycle made before it existed) with the track's
    overrides applied, without the per-track table: what a round of that track copies."""
    section = (getattr(cycle, "rules", None) or {}).get("opinions") or defaults()
    merged = {k: v for k, v in section.items() if k != "tracks"}
    merged.update({k: v for k, v in (section.get("tracks") or {}).get(track_code, {}).items() if k in OVERRIDABLE})
    return merged
