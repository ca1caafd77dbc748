"""The `council` section of the rules file, and the cycle's rubric.

`[council]` holds how the council works in a cycle: whether members see each other's scores
before submitting their own, the quorum of the session, and the objection window. It is
snapshotted into the cycle with the rest of the rules; the council's secretary or an
administrator may change the cycle's copy until scoring opens.

The rubric (`workflow.scoring.rubric`) is snapshotted into the cycle when it enters scoring
(`snapshot_rubric`, the council workflow's hook on the cycle entering scoring), and always read
back from that snapshot (`rubric_of`), so editing the rubric file later never changes a past result. Before
scoring opens, pages preview the rubric the cycle's rules name.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from flask_babel import gettext
from marshmallow import ValidationError, fields, validates

from workflow.core.schemas import BaseSchema, WholeNumber, between
from workflow.cycles.models import Cycle, CycleState
from workflow.framework.rules import HEADS, rubric_path, tracks_of
from workflow.scoring.rubric import Rubric, load_rubric, rubric_from_rules

_FRACTION = re.compile(r"^\s*(\d{1,3})\s*/\s*(\d{1,3})\s*$")


class CouncilRulesSchema(BaseSchema):
    """[council] in the rules file."""

    # Until a member submits their scorecard for a head, they see no other member's score for
    # that head (pages and API alike).
    hide_scores_until_submitted = fields.Boolean(load_default=True)
    # Share of the council's members who must attend the session for the chair to finalise
    # the proposal list: a fraction such as "2/3" (exact: 5 of 7 is enough, 4 of 7 is not).
    quorum = fields.String(load_default="2/3")
    # Calendar days after publication during which a head may object to their decision.
    objection_days = WholeNumber(load_default=10, validate=between(1, 90))

    @validates("quorum")
    def _quorum(self, value: str, **kwargs: Any) -> None:
        match = _FRACTION.match(value)
        if not match or int(match.group(2)) == 0 or not 0 < int(match.group(1)) <= int(match.group(2)):
            raise ValidationError(gettext("Write the quorum as a fraction between 0 and 1, such as 2/3."))


def defaults() -> dict[str, Any]:
    schema = CouncilRulesSchema()
    return schema.dump(schema.load({}))


def council_rules(cycle: Cycle) -> dict[str, Any]:
    """The cycle's snapshot of the section (the defaults for a cycle made before it existed)."""
    section = (cycle.rules or {}).get("council")
    return {**defaults(), **(section or {})}


def quorum_fraction(rules: dict[str, Any]) -> Fraction:
    match = _FRACTION.match(rules["quorum"])
    assert match is not None
    return Fraction(int(match.group(1)), int(match.group(2)))


def rubric_of(cycle: Cycle, track: str = HEADS) -> Rubric:
    """The rubric a track of the cycle (the heads', unless another is named) scores with: its
    snapshot once scoring opened, else (a preview) the file its rules name."""
    rules = cycle.rules or {}
    if track == HEADS:
        snapshot = rules.get("rubric")
        if snapshot is not None:
            return Rubric.from_snapshot(snapshot, source=f"{cycle.name} (snapshot)")
        return rubric_from_rules(rules)
    snapshot = rules.get("track_rubrics", {}).get(track)
    if snapshot is not None:
        return Rubric.from_snapshot(snapshot, source=f"{cycle.name}: {track} (snapshot)")
    return load_rubric(rubric_path(rules, track))


def rubric_for(registration: Any) -> Rubric:
    """The rubric a plan is scored with: its track's, on the sheet of its subject's title
    (biểu điểm theo chức danh) when it has one."""
    return rubric_of(registration.cycle, registration.track.code).for_sheet(registration.subject.title or None)


def council_tracks(cycle: Cycle) -> list[str]:
    """The tracks of the cycle that the council scores: the heads track first, then by the track's
    `position` (the stored rules keep no order of their own: PostgreSQL's JSON sorts the keys)."""
    tracks = tracks_of(cycle.rules or {})
    codes = [code for code, rule in tracks.items() if rule.get("assessment", "council") == "council"]
    return sorted(codes, key=lambda code: (code != HEADS, tracks[code].get("position", 0), code))


def settings_editable_reason(cycle: Cycle) -> str | None:
    if cycle.state not in (CycleState.REGISTRATION, CycleState.EXECUTION):
        return gettext("The council's settings can only be changed before scoring opens.")
    return None
