"""The what-if form of the proposal lists (the council's and the head of agency's): which rubric
keys it offers and how a person's typed figures become the engine's changes."""

from __future__ import annotations

from typing import Any

from workflow.core import formats
from workflow.scoring.rubric import RubricError

WHAT_IF_FIELDS = ("quota.max_percent", "levels.excellent.min_points", "levels.good.min_points", "levels.completed.min_points",
                  "aggregation.disagreement_points")


def what_if_changes(args: Any, rubric: Any, fields: tuple[str, ...] = WHAT_IF_FIELDS) -> dict[str, Any]:
    """The changes typed into the form (`args`: the query string), numbers read the Vietnamese
    way; a choice equal to the rubric's own is no change. RubricError for a number not read."""
    changes: dict[str, Any] = {}
    for name in fields:
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                changes[name] = str(formats.parse_number(raw))
            except formats.FormatError as exc:
                raise RubricError([exc.message]) from None
    method = (args.get("aggregation.method") or "").strip()
    if method and method != rubric.aggregation.method:
        changes["aggregation.method"] = method
    reading = (args.get("quota.reading") or "").strip()
    if reading in ("literal", "inclusive") and reading != rubric.quota.reading:
        changes["quota.reading"] = reading
    return changes
