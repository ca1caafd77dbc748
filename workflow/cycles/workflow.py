"""The phases of a cycle (kỳ đánh giá), declared in one table.

registration → execution → scoring → closed, forward only: each phase's work (registrations
assigned, quarterly reports, scores and decisions) is built on the one before, so going back
would undo it. The rule between cycles: at most one cycle is in each open phase at a time, and
the years advance in order. So 2027 may register while 2026 is still executing (as in the
provinces' own calendars, where next year's targets are registered in the last quarter), but
2027 cannot start executing before 2026 has moved on to scoring, nor before an earlier cycle has
left registration.

Other packages add conditions to a step with `guard(step)`, e.g. the scoring package refusing
`close` while a head has no decided level::

    @cycles.workflow.guard("close")
    def every_level_decided(cycle) -> str | None: ...

and act when a cycle enters a phase with `on_enter(state)`, e.g. the council snapshotting the
rubric when scoring opens (called by `operations.advance_cycle`, and by `create_cycle` for a
cycle created directly in that phase), in the same transaction as the step::

    @cycles.workflow.on_enter(CycleState.SCORING)
    def snapshot_rubric(cycle, actor) -> None: ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workflow.core.transitions import Guard, Transition, Workflow
from workflow.cycles.models import Cycle, CycleState
from workflow.extensions import db

STATE_LABELS = {
    CycleState.REGISTRATION: _l("Registration"),
    CycleState.EXECUTION: _l("Execution"),
    CycleState.SCORING: _l("Scoring"),
    CycleState.CLOSED: _l("Closed"),
}
# Bootstrap colours for badges; the text always says the state too.
STATE_TONES = {
    CycleState.REGISTRATION: "info",
    CycleState.EXECUTION: "primary",
    CycleState.SCORING: "warning",
    CycleState.CLOSED: "secondary",
}
OPEN_STATES = (CycleState.REGISTRATION, CycleState.EXECUTION, CycleState.SCORING)

_EXTRA_GUARDS: dict[str, dict[str, Guard]] = {}
_ENTER_HOOKS: dict[CycleState, dict[str, Callable[[Cycle, Any], None]]] = {}


def guard(step: str) -> Callable[[Guard], Guard]:
    """Add a condition to a step, from another package. Registering the same function twice is
    harmless (an `init_app` run for a second application)."""

    def register(fn: Guard) -> Guard:
        _EXTRA_GUARDS.setdefault(step, {})[f"{fn.__module__}.{fn.__qualname__}"] = fn
        return fn

    return register


def on_enter(state: CycleState) -> Callable[[Callable[[Cycle, Any], None]], Callable[[Cycle, Any], None]]:
    """Run `fn(cycle, actor)` whenever a cycle enters `state`. Registering twice is harmless."""

    def register(fn: Callable[[Cycle, Any], None]) -> Callable[[Cycle, Any], None]:
        _ENTER_HOOKS.setdefault(state, {})[f"{fn.__module__}.{fn.__qualname__}"] = fn
        return fn

    return register


def entered(cycle: Cycle, actor: Any) -> None:
    """Tell the packages that `cycle` has just entered its current state."""
    for fn in _ENTER_HOOKS.get(cycle.state, {}).values():
        fn(cycle, actor)


def _registered(step: str) -> Guard:
    def check(cycle: Cycle) -> str | None:
        for fn in _EXTRA_GUARDS.get(step, {}).values():
            reason = fn(cycle)
            if reason:
                return reason
        return None

    return check


def other_cycle_in(state: CycleState, cycle_id: int | None = None) -> Cycle | None:
    stmt = select(Cycle).where(Cycle.state == state)
    if cycle_id is not None:
        stmt = stmt.where(Cycle.id != cycle_id)
    return db.session.scalar(stmt.order_by(Cycle.year).limit(1))


def state_taken_reason(state: CycleState, cycle_id: int | None = None) -> str | None:
    """Why no other cycle can be in `state` now, or None."""
    other = other_cycle_in(state, cycle_id)
    if other is None:
        return None
    return gettext(
        "“%(name)s” is already in the %(state)s phase; only one cycle can be in each phase at a time.",
        name=other.name,
        state=str(STATE_LABELS[state]).lower(),
    )


def _only_one_in(state: CycleState) -> Guard:
    return lambda cycle: state_taken_reason(state, cycle.id)


def _no_earlier_cycle_registering(cycle: Cycle) -> str | None:
    earlier = db.session.scalar(
        select(Cycle).where(Cycle.state == CycleState.REGISTRATION, Cycle.year < cycle.year).order_by(Cycle.year).limit(1)
    )
    if earlier is None:
        return None
    return gettext("“%(name)s”, an earlier cycle, is still in registration; start its execution first.", name=earlier.name)


CYCLE_WORKFLOW: Workflow[CycleState] = Workflow(
    "cycle",
    CycleState,
    [
        Transition(
            "start_execution",
            (CycleState.REGISTRATION,),
            CycleState.EXECUTION,
            "admin.cycles.manage",
            _l("Start execution"),
            guards=(_only_one_in(CycleState.EXECUTION), _no_earlier_cycle_registering, _registered("start_execution")),
        ),
        Transition(
            "open_scoring",
            (CycleState.EXECUTION,),
            CycleState.SCORING,
            "admin.cycles.manage",
            _l("Open scoring"),
            guards=(_only_one_in(CycleState.SCORING), _registered("open_scoring")),
        ),
        Transition(
            "close",
            (CycleState.SCORING,),
            CycleState.CLOSED,
            "admin.cycles.manage",
            _l("Close the cycle"),
            guards=(_registered("close"),),
            style="outline-danger",
        ),
    ],
    labels=STATE_LABELS,
)
