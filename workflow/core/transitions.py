"""Declared workflows: every state and every allowed step of one workflow in one table.

A step names the policy action that must be allowed, the states it leaves from, the state it
reaches and guards that may refuse it with a reason a user can read. `Workflow.fire` is the only
way a state changes; `Workflow.check` raises the refusal of a step before it is taken;
`Workflow.available` decides which buttons a page shows.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from flask_babel import gettext

from workflow import policy
from workflow.core.errors import PermissionDenied, TransitionRefused, ValidationFailed

S = TypeVar("S", bound=enum.Enum)
Guard = Callable[[Any], "str | None"]
"""Returns None when the step may go ahead, else the reason it may not (translated)."""


@dataclass(frozen=True)
class Transition(Generic[S]):
    name: str
    sources: tuple[S, ...]
    target: S
    action: str
    label: Any
    guards: tuple[Guard, ...] = ()
    reason_required: bool = False
    style: str = "primary"


@dataclass(frozen=True)
class Refusal:
    transition: Transition[Any]
    reason: str
    forbidden: bool = False


@dataclass
class Workflow(Generic[S]):
    name: str
    states: type[S]
    transitions: Sequence[Transition[S]]
    state_attr: str = "state"
    labels: dict[S, Any] = field(default_factory=dict)
    _by_name: dict[str, Transition[S]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {}
        for t in self.transitions:
            if t.name in self._by_name:
                raise ValueError(f"{self.name}: transition {t.name!r} declared twice")
            if not t.sources:
                raise ValueError(f"{self.name}: transition {t.name!r} has no source state")
            self._by_name[t.name] = t
        unlabeled = [s for s in self.states if s not in self.labels]
        if unlabeled:
            raise ValueError(f"{self.name}: states without a label: {unlabeled}")

    def get(self, name: str) -> Transition[S]:
        try:
            return self._by_name[name]
        except KeyError:
            raise TransitionRefused(gettext("Unknown action “%(name)s”.", name=name)) from None

    def state_of(self, obj: Any) -> S:
        return getattr(obj, self.state_attr)

    def label(self, state: S) -> str:
        return str(self.labels[state])

    def refusal(self, obj: Any, name: str, *, actor: Any) -> Refusal | None:
        """Why `actor` may not take step `name` on `obj` now, or None if they may."""
        transition = self.get(name)
        state = self.state_of(obj)
        if not policy.can(actor, transition.action, obj):
            return Refusal(transition, gettext("You are not allowed to do this."), forbidden=True)
        if state not in transition.sources:
            return Refusal(
                transition,
                gettext(
                    "“%(action)s” is not possible while the item is %(state)s.",
                    action=str(transition.label),
                    state=self.label(state).lower(),
                ),
            )
        for guard in transition.guards:
            reason = guard(obj)
            if reason:
                return Refusal(transition, reason)
        return None

    def check(self, obj: Any, name: str, *, actor: Any) -> None:
        """Raise the refusal of step `name` (PermissionDenied when `actor` may never take it,
        TransitionRefused with the guard's reason otherwise). Operations call it before anything
        else is looked at (the version, the form's fields), so a refused step says why first."""
        refusal = self.refusal(obj, name, actor=actor)
        if refusal is not None:
            raise (PermissionDenied if refusal.forbidden else TransitionRefused)(refusal.reason)

    def fire(self, obj: Any, name: str, *, actor: Any, reason: str | None = None) -> tuple[S, S]:
        """Check and take a step; returns (old state, new state). Callers write the audit entry."""
        self.check(obj, name, actor=actor)
        transition = self._by_name[name]
        if transition.reason_required and not (reason or "").strip():
            raise ValidationFailed({"reason": [gettext("Please give a reason.")]})
        old = self.state_of(obj)
        setattr(obj, self.state_attr, transition.target)
        return old, transition.target

    def available(self, obj: Any, actor: Any) -> list[tuple[Transition[S], str | None]]:
        """Steps from the current state that `actor` is allowed to take, each with the reason a
        guard gives for refusing it now (None when it can be taken), so pages can show a disabled
        button with its explanation rather than hide it."""
        state = self.state_of(obj)
        result = []
        for t in self.transitions:
            if state in t.sources and policy.can(actor, t.action, obj):
                reasons = (g(obj) for g in t.guards)
                result.append((t, next((r for r in reasons if r), None)))
        return result

    def rows(self) -> Iterable[tuple[str, S, S, str]]:
        """(step, from, to, action) for every declared edge: the table tests and docs read."""
        for t in self.transitions:
            for source in t.sources:
                yield t.name, source, t.target, t.action

