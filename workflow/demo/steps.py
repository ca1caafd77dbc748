"""The registry of demo steps: each package adds its part of the demo province, told at the
times it happened (`at`): every timestamp the operations write is that of the story, so the
province's past reads in order (registered, assigned, reported, scored, finalised, decided,
published, objected to)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from workflow.accounts.models import Person
from workflow.core.models import simulated_time
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.units.models import Unit


@dataclass
class DemoContext:
    people: dict[str, Person] = field(default_factory=dict)  # by username
    units: dict[str, Unit] = field(default_factory=dict)  # by code
    cycles: dict[int, Cycle] = field(default_factory=dict)  # by year
    heads: dict[str, Person] = field(default_factory=dict)  # unit code -> head
    # (unit code, position of the target): the head's result at the end of 2025, next year's baseline
    results: dict[tuple[str, int], Decimal] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # printed after loading

    @property
    def admin(self) -> Person:
        return self.people["quantri"]


# The rules each past year of the demo was created with (config/rules/ holds today's).
RULES = Path(__file__).parent / "rules"


def local(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """`hour`:`minute` on `day` in the province's time zone."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(current_app.config["KPI"]["timezone"]))


@contextmanager
def at(day: date, hour: int = 9, minute: int = 0) -> Iterator[datetime]:
    """The block happens at that local time: what it records is dated then."""
    with during(local(day, hour, minute)) as moment:
        yield moment


@contextmanager
def during(moment: datetime) -> Iterator[datetime]:
    """The block happens at `moment`. The session is flushed before the block ends, so that the
    timestamps the columns fill in when rows are written are the block's too."""
    with simulated_time(moment):
        yield moment
        db.session.flush()


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
