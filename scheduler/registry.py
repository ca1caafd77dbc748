"""The job registry: packages declare their scheduled jobs with `@job(name)` at import time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

JobFunction = Callable[[datetime], Mapping[str, int] | None]


@dataclass(frozen=True)
class Job:
    name: str
    run: JobFunction
    order: int = 100
    description: str = ""


_JOBS: dict[str, Job] = {}


def job(name: str, *, order: int = 100) -> Callable[[JobFunction], JobFunction]:
    """Register `fn(now) -> {"count name": n, …}` to run on every tick as of `now`."""

    def register(fn: JobFunction) -> JobFunction:
        existing = _JOBS.get(name)
        if existing is not None and existing.run is not fn:
            raise ValueError(f"scheduler job {name!r} registered twice")
        _JOBS[name] = Job(name, fn, order, (fn.__doc__ or "").strip().split("\n")[0])
        return fn

    return register


def jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda j: (j.order, j.name))


def unregister(name: str) -> None:
    """For tests that register a job of their own."""
    _JOBS.pop(name, None)
