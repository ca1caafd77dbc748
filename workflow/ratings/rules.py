"""The `ratings` section of the rules file: what the kiosk asks, how many ratings make a figure,
and how long a manager has to answer an unsatisfied rating. Snapshotted into each cycle with the
rest of the rules; the kiosk and the cases follow the rules file in force, the evidence of a
cycle its snapshot.

- `criteria`: what the citizen rates besides the overall verdict (thái độ, thời gian, hướng
  dẫn…), each answered rất hài lòng / hài lòng / không hài lòng — the three levels the
  public-service portal's index of Quyết định 766/QĐ-TTg (23/6/2022, Phụ lục, nhóm chỉ số
  "Mức độ hài lòng") counts;
- `min_ratings`: below this many ratings in the period an official's share is not a fact
  (a handful of ratings says nothing); a unit's share has no minimum;
- `answer_working_days`: the manager answers a "không hài lòng" within this many working days
  (the HCMC practice: "xem xét cụ thể và nhắc nhở, phê bình hoặc hạ đánh giá thi đua quý");
  `remind_before_days` working days before that a reminder, `escalate_after_days` working days
  after it the head of the parent unit is told.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext
from marshmallow import ValidationError, fields, validate, validates

from workflow.core.schemas import BaseSchema, Text, between


class CriterionSchema(BaseSchema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$"))
    vi = Text(max_length=200, required=True)
    en = Text(max_length=200, required=True)


def _default_criteria() -> list[dict[str, str]]:
    return [
        {"code": "attitude", "vi": "Thái độ phục vụ", "en": "Attitude"},
        {"code": "timeliness", "vi": "Thời gian giải quyết", "en": "Timeliness"},
        {"code": "guidance", "vi": "Hướng dẫn rõ ràng, dễ hiểu", "en": "Clear guidance"},
    ]


class RatingRulesSchema(BaseSchema):
    """[ratings] in the rules file."""

    criteria = fields.List(fields.Nested(CriterionSchema), load_default=_default_criteria)
    min_ratings = fields.Integer(load_default=30, validate=between(1, 100000))
    answer_working_days = fields.Integer(load_default=5, validate=between(1, 60))
    remind_before_days = fields.Integer(load_default=1, validate=between(0, 30))
    escalate_after_days = fields.Integer(load_default=1, validate=between(1, 60))

    @validates("criteria")
    def _distinct(self, value: list[dict[str, str]], **kwargs: Any) -> None:
        codes = [c["code"] for c in value]
        if len(set(codes)) != len(codes) or len(codes) > 8:
            raise ValidationError(gettext("Give at most 8 criteria, each with its own code."))


def defaults() -> dict[str, Any]:
    schema = RatingRulesSchema()
    return schema.dump(schema.load({}))


def of_cycle(cycle: Any) -> dict[str, Any]:
    """The cycle's snapshot of the section (the defaults for a cycle made before it existed)."""
    section = (getattr(cycle, "rules", None) or {}).get("ratings")
    return section if section is not None else defaults()


@lru_cache(maxsize=4)
def _loaded(path: str, mtime: float) -> dict[str, Any]:
    from workflow.rules import load_rules

    rules = load_rules(path)
    return {"ratings": rules.get("ratings") or defaults(), "calendar": rules["calendar"]}


def in_force() -> dict[str, Any]:
    """The rules file in force (read again when it changes): its `ratings` and `calendar`."""
    from workflow.rules import resolve

    path = resolve(current_app.config["KPI"]["rules_file"])
    return _loaded(str(path), Path(path).stat().st_mtime)
