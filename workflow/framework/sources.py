"""Evidence sources (nguồn minh chứng): the seam through which facts about subjects reach the
engine.

A source is a function registered under a name. Given a cycle and the plans asked about (all of
the cycle's when `registration_ids` is None), it returns the facts it holds about each plan's
subject as `Evidence` (kind, value, origin in words, its own reference, its period) — in a fixed
number of statements whatever the number of plans. Sources never compute a level: the rubric's
`[[evidence]]` entries map each kind onto a criterion, a target line, a deduction or a level
condition, and the engine applies them (`workflow.scoring.engine.evidence`).

Discipline records are the first source (`workflow.council.proposals`); citizens' ratings,
opinions of superiors and subordinates, and confidence votes plug in the same way: a module of
their package decorated with `@source("ratings")`, imported when the package starts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from workflow.scoring.engine.evidence import Evidence

Source = Callable[[int, Sequence[int] | None], dict[int, list[Evidence]]]

_SOURCES: dict[str, Source] = {}


def source(name: str) -> Callable[[Source], Source]:
    def register(fn: Source) -> Source:
        if _SOURCES.get(name, fn) is not fn:
            raise ValueError(f"evidence source {name!r} registered twice")
        _SOURCES[name] = fn
        return fn

    return register


def names() -> list[str]:
    return sorted(_SOURCES)


def evidence_for(cycle_id: int, registration_ids: Sequence[int] | None = None) -> dict[int, tuple[Evidence, ...]]:
    """Every source's facts about the plans of a cycle (all of them when `registration_ids` is
    None), by plan, sources in the order of their names."""
    found: dict[int, list[Evidence]] = {}
    for name in names():
        for registration_id, facts in _SOURCES[name](cycle_id, registration_ids).items():
            found.setdefault(registration_id, []).extend(facts)
    return {registration_id: tuple(facts) for registration_id, facts in found.items()}


def disciplined(evidence: Sequence[Any]) -> bool:
    """Whether the facts include a disciplinary decision ("bị kỷ luật" in the year, any form)."""
    return any(e.kind == "discipline.any" for e in evidence)
