"""The registry of demo steps: each package adds its part of the demo province."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workflow.accounts.models import Person
from workflow.cycles.models import Cycle
from workflow.units.models import Unit


@dataclass
class DemoContext:
    people: dict[str, Person] = field(default_factory=dict)  # by username
    units: dict[str, Unit] = field(default_factory=dict)  # by code
    cycles: dict[int, Cycle] = field(default_factory=dict)  # by year
    heads: dict[str, Person] = field(default_factory=dict)  # unit code -> head
    notes: list[str] = field(default_factory=list)  # printed after loading

    @property
    def admin(self) -> Person:
        return self.people["quantri"]


Step = Callable[[DemoContext], None]
_STEPS: list[tuple[int, str, Step]] = []


def step(order: int, name: str) -> Callable[[Step], Step]:
    def register(fn: Step) -> Step:
        if any(n == name for _, n, _ in _STEPS):
            raise ValueError(f"demo step {name!r} registered twice")
        _STEPS.append((order, name, fn))
        _STEPS.sort(key=lambda s: s[0])
        return fn

    return register


def registered() -> list[tuple[int, str, Step]]:
    return list(_STEPS)


def run_all(ctx: DemoContext, echo: Callable[[str], Any]) -> None:
    for _, name, fn in _STEPS:
        echo(f"  · {name}")
        fn(ctx)
