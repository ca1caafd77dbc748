"""`[tracks]` in the rules file: the groups of subjects a province evaluates, as data.

Each entry, keyed by its code, says who the subjects are (persons or collectives), the rules it
follows (`regime`, in words with article and clause), the rubric they are scored with (a file
under `config/rubrics/`; the heads track is scored with `[scoring] rubric`), how its year is
divided (`periods`: month, quarter or year), who assesses (`assessment`: the advisory council
and then the standing committee, or self-assessment, the direct manager and the head of the
agency), when a month's assessment is due (`due_working_day` of the next month) and how many
working days after that the head of agency is told of the managers still late
(`escalate_after_days`), how many calendar days after the head of agency decides a year the
person may object (`objection_days`, a track the direct manager assesses), and, for a track of collectives, the monthly self-scoring a collective
must have recognised to be classified at all (`self_scoring`: `required_months`, the `regime` it
comes from and the `citation` the sentence "Không xếp loại" names; absent: no such rule).

The section is snapshotted into each cycle with the rest of the rules; `workflow.framework.
operations.open_tracks` gives the cycle its tracks and periods from that snapshot.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from marshmallow import Schema, ValidationError, fields, post_dump, pre_load, validate, validates_schema

from workflow.core.schemas import BaseSchema, Text, WholeNumber, between
from workflow.framework.models import PeriodKind, SubjectKind
from workflow.scoring.rubric import DEFAULT_RUBRIC, RubricError, load_rubric

HEADS = "heads"
ASSESSMENTS = ("council", "manager")
_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$", error="Use lower-case letters, digits and _ (at most 32).")


class NameSchema(BaseSchema):
    vi = Text(max_length=200, required=True)
    en = Text(max_length=200, required=True)


class SelfScoringRuleSchema(BaseSchema):
    """Tự chấm điểm hằng tháng của tập thể, được cấp ủy cấp trên công nhận (the 12-month rule)."""

    required_months = WholeNumber(load_default=12, validate=between(1, 12))
    regime = Text(max_length=500, required=True)
    citation = Text(max_length=200, required=True)


def _rubric_loads(path: str) -> None:
    try:
        load_rubric(path)
    except RubricError as exc:
        raise ValidationError(str(exc)) from None


class TrackRuleSchema(BaseSchema):
    name = fields.Nested(NameSchema, required=True)
    subjects = fields.String(required=True, validate=validate.OneOf([k.value for k in SubjectKind]))
    regime = Text(max_length=300, load_default="")
    # Empty: the heads track's `[scoring] rubric`.
    rubric = fields.String(load_default="", validate=validate.Length(max=500))
    periods = fields.String(load_default=PeriodKind.QUARTER.value, validate=validate.OneOf([k.value for k in PeriodKind]))
    assessment = fields.String(load_default="council", validate=validate.OneOf(ASSESSMENTS))
    due_working_day = WholeNumber(load_default=5, validate=between(1, 20))
    escalate_after_days = WholeNumber(load_default=2, validate=between(1, 20))
    # A track the direct manager assesses: calendar days after the head of agency decides a
    # servant's year during which the servant may object (as a head may to the committee's).
    objection_days = WholeNumber(load_default=10, validate=between(1, 60))
    position = WholeNumber(load_default=0, validate=between(0, 1000))
    self_scoring = fields.Nested(SelfScoringRuleSchema)

    @validates_schema
    def _rubric(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("rubric"):
            _rubric_loads(data["rubric"])

    @validates_schema
    def _self_scoring(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "self_scoring" in data and data["subjects"] != SubjectKind.COLLECTIVE.value:
            raise ValidationError(gettext("Only a track of collectives self-scores month by month."), "self_scoring")


def _default_tracks() -> dict[str, Any]:
    return {HEADS: {"name": {"vi": "Người đứng đầu cơ quan, đơn vị", "en": "Heads of agencies and units"},
                    "subjects": "person", "periods": "quarter", "assessment": "council"}}


class TracksRulesSchema(Schema):
    """The section is a table of tracks keyed by code: loaded through `tracks`, stored as is."""

    tracks = fields.Dict(keys=fields.String(validate=_CODE), values=fields.Nested(TrackRuleSchema),
                         validate=validate.Length(min=1, max=50))

    @pre_load
    def _wrap(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            raise ValidationError(gettext("Give each track as a table [tracks.<code>]."))
        return {"tracks": data or _default_tracks()}

    @validates_schema
    def _heads(self, data: dict[str, Any], **kwargs: Any) -> None:
        heads = data["tracks"].get(HEADS)
        if heads is None:
            raise ValidationError(gettext("The heads track (tracks.heads) is required: the council scores it."), "tracks")
        if heads["subjects"] != SubjectKind.PERSON.value or heads["assessment"] != "council":
            raise ValidationError(gettext("The heads track evaluates persons and is assessed by the council."), "tracks")

    @post_dump
    def _unwrap(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return data["tracks"]


def tracks_of(rules: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The tracks a cycle's rules snapshot holds (the heads track alone for a cycle made
    before tracks existed), in their order."""
    section = (rules or {}).get("tracks") or TracksRulesSchema().dump(TracksRulesSchema().load({}))
    return dict(sorted(section.items(), key=lambda item: (item[1].get("position", 0), item[0])))


def rubric_path(rules: dict[str, Any], code: str) -> str:
    """The rubric file a track of these rules is scored with."""
    track = tracks_of(rules)[code]
    return track.get("rubric") or (rules or {}).get("scoring", {}).get("rubric", DEFAULT_RUBRIC)
