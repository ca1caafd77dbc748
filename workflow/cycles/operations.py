"""Creating cycles, renaming them, moving them through their phases and refreshing their rules.

The phases and the conditions between cycles are declared in `workflow.cycles.workflow`; these
functions check the permission, then the version the caller edited, fire the step and write the
audit entry.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from workflow import policy
from workflow.accounts.models import Person
from workflow.calendar import Window, window_for
from workflow.core import audit, formats
from workflow.core.concurrency import check_version
from workflow.core.errors import DomainError, TransitionRefused, ValidationFailed
from workflow.core.models import utcnow
from workflow.cycles.models import Cycle, CycleState
from workflow.cycles.workflow import CYCLE_WORKFLOW, OPEN_STATES, entered, state_taken_reason
from workflow.extensions import db
from workflow.framework.operations import open_tracks
from workflow.rules import RulesError, load_rules


def _load_rules(rules_file: str | None) -> dict:
    try:
        return load_rules(rules_file or current_app.config["KPI"]["rules_file"])
    except RulesError as exc:
        raise DomainError(gettext("The rules file cannot be used: %(problem)s", problem=str(exc))) from None


def create_cycle(
    year: int, *, actor: Person, name: str | None = None, rules_file: str | None = None, state: CycleState = CycleState.REGISTRATION
) -> Cycle:
    """A cycle for `year` with a snapshot of the rules in force now. Only one cycle can be in
    each open phase, so a new cycle in registration waits for the previous one to start
    execution."""
    policy.require(actor, "admin.cycles.manage")
    if db.session.scalar(select(Cycle.id).where(Cycle.year == year)) is not None:
        raise ValidationFailed({"year": [gettext("A cycle for %(year)s already exists.", year=year)]})
    if state in OPEN_STATES:
        reason = state_taken_reason(state)
        if reason:
            raise TransitionRefused(reason)
    rules = _load_rules(rules_file)
    cycle = Cycle(
        year=year,
        name=name or gettext("Evaluation year %(year)s", year=year),
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
        state=state,
        rules_version=rules["version"],
        rules=rules,
    )
    db.session.add(cycle)
    db.session.flush()
    audit.record("cycle.create", cycle, actor=actor, summary=cycle.name, data={"rules_version": rules["version"], "state": state.value})
    open_tracks(cycle, actor=actor)
    entered(cycle, actor)
    return cycle


def rename_cycle(cycle: Cycle, *, actor: Person, version: int | None, name: str) -> None:
    policy.require(actor, "admin.cycles.manage", cycle)
    check_version(cycle, version)
    changed = audit.apply_changes(cycle, {"name": name})
    if changed:
        audit.record("cycle.update", cycle, actor=actor, summary=cycle.name, data={"changes": changed})


def scoring_early(cycle: Cycle, now: datetime | None = None) -> Window | None:
    """The fourth quarter's report window while its reports are not yet due: scoring opened now
    would open early. None once they are due."""
    window = window_for(cycle, 4)
    return window if (now or utcnow()) <= window.due_at else None


def advance_cycle(cycle: Cycle, step: str, *, actor: Person, version: int | None, reason: str | None = None,
                  now: datetime | None = None) -> None:
    """Take a step of the cycle workflow (start_execution, open_scoring, close).

    Scoring opens once the fourth quarter's reports are due: the council scores the whole year.
    Before that an administrator may open it with a written reason, kept on the cycle for the
    council to read."""
    policy.require(actor, "admin.cycles.manage", cycle)
    check_version(cycle, version)
    now = now or utcnow()
    early = scoring_early(cycle, now) if step == "open_scoring" else None
    reason = (reason or "").strip()
    if early is not None and not reason and CYCLE_WORKFLOW.refusal(cycle, step, actor=actor) is None:
        raise ValidationFailed(
            {"reason": [gettext("The fourth quarter's reports are due on %(day)s. To open scoring before then, write the reason; the council will read it.",
                                day=formats.day(early.due_on))]}
        )
    old, new = CYCLE_WORKFLOW.fire(cycle, step, actor=actor, reason=reason)
    data: dict[str, Any] = {"from": old.value, "to": new.value}
    if step == "open_scoring":
        cycle.scoring_opened_at = now
        if early is not None:
            cycle.early_scoring_reason = reason
            cycle.early_scoring_by_id = actor.id
            data["early"] = {"reports_due_on": early.due_on.isoformat()}
    audit.record(f"cycle.{step}", cycle, actor=actor, summary=cycle.name, reason=reason, data=data)
    entered(cycle, actor)


def refresh_rules(cycle: Cycle, *, actor: Person, version: int | None, rules_file: str | None = None) -> tuple[str, str]:
    """Replace the cycle's snapshot of the rules with the rules in force now; returns (old, new)
    rules versions. Only before execution starts: afterwards people have worked under the
    snapshot, and changing it would change the meaning of what they did."""
    policy.require(actor, "admin.cycles.manage", cycle)
    check_version(cycle, version)
    if cycle.state != CycleState.REGISTRATION:
        raise TransitionRefused(gettext("The rules of a cycle can only be updated before its execution starts."))
    rules = _load_rules(rules_file)
    if rules == cycle.rules:
        raise DomainError(gettext("The cycle already uses these rules (version %(version)s).", version=cycle.rules_version))
    old_version = cycle.rules_version
    cycle.rules = rules
    cycle.rules_version = rules["version"]
    audit.record(
        "cycle.rules_update",
        cycle,
        actor=actor,
        summary=cycle.name,
        data={"old_version": old_version, "new_version": cycle.rules_version, "sections": sorted(k for k in rules if k != "version")},
    )
    return old_version, cycle.rules_version


def current_cycle() -> Cycle | None:
    """The cycle people work in now: the newest one that is not closed."""
    return db.session.scalar(select(Cycle).where(Cycle.state != CycleState.CLOSED).order_by(Cycle.year.desc()).limit(1))
