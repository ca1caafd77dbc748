"""The engine's record of a level kept as JSON, and read back: a decision or a finalised list
freezes the checks of the levels tried and the quota's note, so that its sentence never moves
when the rules, the scores or the others' levels do (`workflow.scoring.explain.explain_level`
reads them again through `level_trace`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from workflow.scoring.engine import Check, Note

# The parameters of notes that are words, never numbers.
WORDS = ("reason", "by", "figure", "measure", "applies_to", "level", "fallback")


def to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


def params_to_json(params: Any) -> dict[str, Any]:
    return {k: to_json(v) for k, v in dict(params).items()}


def checks_to_json(checks: Sequence[Check]) -> list[dict[str, Any]]:
    return [{"level": c.level, "condition": c.condition, "required": to_json(c.required), "actual": to_json(c.actual), "passed": c.passed}
            for c in checks]


def value_of(value: Any) -> Any:
    return Decimal(value) if isinstance(value, str) else value


def params_of(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str) and key not in WORDS:
            try:
                out[key] = Decimal(value)
                continue
            except ArithmeticError:
                pass
        out[key] = tuple(value) if key == "scope" and isinstance(value, list) else value
    return out


def checks_of(data: Sequence[Mapping[str, Any]]) -> list[Check]:
    return [Check(c["level"], c["condition"], value_of(c["required"]), value_of(c["actual"]), c["passed"]) for c in data]


def note_of(data: Mapping[str, Any]) -> Note:
    return Note(data["code"], params_of(data["params"]))
