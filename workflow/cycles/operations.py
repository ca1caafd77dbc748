"""Creating cycles and moving them through their phases."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from workflow.accounts.models import Person
from workflow.core import audit
from workflow.core.errors import ValidationFailed
from workflow.cycles.models import Cycle, CycleState
from workflow.extensions import db
from workflow.rules import load_rules


def create_cycle(
    year: int, *, actor: Person | None, name: str | None = None, rules_file: str | None = None, state: CycleState = CycleState.REGISTRATION
) -> Cycle:
    """A cycle for `year` with a snapshot of the rules in force now."""
    if db.session.scalar(select(Cycle.id).where(Cycle.year == year)) is not None:
        raise ValidationFailed({"year": [gettext("A cycle for %(year)s already exists.", year=year)]})
    rules = load_rules(rules_file or current_app.config["KPI"]["rules_file"])
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
    audit.record("cycle.create", cycle, actor=actor, summary=cycle.name, data={"rules_version": rules["version"]})
    return cycle


def current_cycle() -> Cycle | None:
    """The cycle people work in now: the newest one that is not closed."""
    return db.session.scalar(select(Cycle).where(Cycle.state != CycleState.CLOSED).order_by(Cycle.year.desc()).limit(1))
