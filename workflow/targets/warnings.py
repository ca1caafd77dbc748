"""Warnings the system computes on a registration, for the head before submitting and for the
staff and committee while reviewing: weights that do not add up, targets that do not improve
on their baseline or on last cycle, no focal task, no bottleneck named, quarter plans that
do not move steadily toward the target, too few or too many targets.

`compute_warnings` is a pure function of the targets, the cycle's `registration` rules and the
previous cycle's results; `warnings_for` and `warnings_for_many` fetch those inputs (a fixed
number of statements however many registrations). Thresholds are data: the `registration`
section of `config/rules/*.toml`, snapshotted into each cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from flask_babel import gettext
from marshmallow import fields
from sqlalchemy import select

from workflow.core import formats
from workflow.core.schemas import BaseSchema, between
from workflow.extensions import db
from workflow.targets.models import Direction, Target, TargetKind

if TYPE_CHECKING:
    from workflow.cycles.models import Cycle
    from workflow.targets.models import Registration


class RegistrationRulesSchema(BaseSchema):
    """[registration] in the rules file."""

    weight_total = fields.Integer(load_default=100, validate=between(1, 1000))
    min_targets = fields.Integer(load_default=3, validate=between(0, 200))
    max_targets = fields.Integer(load_default=20, validate=between(1, 200))
    require_focal = fields.Boolean(load_default=True)
    require_bottleneck = fields.Boolean(load_default=True)
    compare_previous = fields.Boolean(load_default=True)
    decision_date_margin_days = fields.Integer(load_default=90, validate=between(0, 366))


def registration_rules(cycle: Cycle) -> dict[str, Any]:
    """The cycle's snapshot of the rules; what a cycle created before a setting existed lacks
    comes from the defaults, so an old cycle never breaks."""
    return {**_defaults(), **((cycle.rules or {}).get("registration") or {})}


@cache
def _defaults() -> dict[str, Any]:
    schema = RegistrationRulesSchema()
    return schema.dump(schema.load({}))


@dataclass(frozen=True)
class Warning:
    """One warning; its message is written out (translated, numbers in the reader's locale)
    only when read, since lists show a page of registrations with just their count."""

    code: str
    describe: Callable[[], str] = field(compare=False, repr=False)
    target_id: int | None = None
    target_title: str = ""

    @property
    def message(self) -> str:
        return self.describe()


def in_force(targets: Iterable[Target]) -> list[Target]:
    return [t for t in targets if not t.dropped]


def weight_total(targets: Iterable[Target]) -> Decimal:
    return sum((Decimal(t.weight) for t in in_force(targets)), Decimal(0))


def previous_results(targets: Sequence[Target]) -> dict[int, Decimal]:
    """The result each target's counterpart reached last cycle, by target id.

    That is the previous target's reported year-end value (its accepted fourth-quarter
    actual, `workflow.reports.facts.year_end_actuals`) when its cycle has one, and its
    assigned target value otherwise (the year is not over, or its Q4 report was not
    accepted). Targets without a linked previous target are absent from the result. Two
    statements however many targets.
    """
    from workflow.reports.facts import year_end_actuals

    previous_ids = {t.previous_target_id for t in targets if t.previous_target_id}
    if not previous_ids:
        return {}
    rows = db.session.execute(select(Target.id, Target.target_value).where(Target.id.in_(previous_ids))).all()
    values = {row.id: row.target_value for row in rows if row.target_value is not None}
    values.update(year_end_actuals(sorted(previous_ids)))
    return {t.id: values[t.previous_target_id] for t in targets if t.previous_target_id in values}


def improves(target: Target, reference: Decimal) -> bool:
    if target.direction == Direction.LOWER:
        return target.target_value < reference
    return target.target_value > reference


def _plan_is_monotone(target: Target) -> bool:
    plan = (target.plan_q1, target.plan_q2, target.plan_q3, target.plan_q4)
    if any(p is None for p in plan):
        return True  # a missing plan is a validation error, not a warning
    pairs = zip(plan, plan[1:])
    if target.direction == Direction.LOWER:
        return all(a >= b for a, b in pairs)
    return all(a <= b for a, b in pairs)


def _fmt(value: Decimal) -> str:
    return formats.number(value)


def compute_warnings(targets: Sequence[Target], rules: dict[str, Any], previous: dict[int, Decimal]) -> list[Warning]:
    """Every warning about this set of targets (dropped ones are ignored)."""
    active = in_force(targets)
    found: list[Warning] = []
    total = weight_total(active)
    count = len(active)
    if total != Decimal(rules["weight_total"]):
        found.append(Warning("weights", lambda: gettext("The weights add up to %(total)s instead of %(expected)s.", total=_fmt(total),
                                                        expected=rules["weight_total"])))
    if count < rules["min_targets"]:
        found.append(Warning("too_few", lambda: gettext("Only %(count)s targets; at least %(min)s are expected.", count=count, min=rules["min_targets"])))
    if count > rules["max_targets"]:
        found.append(Warning("too_many", lambda: gettext("%(count)s targets; at most %(max)s are expected.", count=count, max=rules["max_targets"])))
    if rules["require_focal"] and active and not any(t.is_focal for t in active):
        found.append(Warning("no_focal", lambda: gettext("No target is marked as a focal task (trọng điểm).")))
    if rules["require_bottleneck"] and active and not any(t.is_bottleneck for t in active):
        found.append(Warning("no_bottleneck", lambda: gettext("No bottleneck (điểm nghẽn) of the sector or locality is named.")))
    for t in active:
        if t.kind != TargetKind.QUANTITATIVE or t.target_value is None:
            continue
        value = t.target_value
        if t.baseline is not None and not improves(t, t.baseline):
            found.append(Warning("no_improvement", lambda value=value, baseline=t.baseline: gettext(
                "The target %(target)s does not improve on the baseline %(baseline)s.", target=_fmt(value), baseline=_fmt(baseline)), t.id, t.title))
        if rules["compare_previous"] and t.id in previous and not improves(t, previous[t.id]):
            found.append(Warning("below_previous", lambda value=value, before=previous[t.id]: gettext(
                "The target %(target)s does not improve on last cycle's result %(previous)s.", target=_fmt(value), previous=_fmt(before)),
                t.id, t.title))
        if not _plan_is_monotone(t):
            found.append(Warning("plan_not_monotone", lambda: gettext("The quarterly plan does not move steadily toward the target."), t.id, t.title))
        elif t.plan_q4 is not None and t.plan_q4 != value:
            found.append(Warning("plan_end", lambda value=value, q4=t.plan_q4: gettext(
                "The plan for the fourth quarter (%(q4)s) is not the target (%(target)s).", q4=_fmt(q4), target=_fmt(value)), t.id, t.title))
    return found


def warnings_for(registration: Registration) -> list[Warning]:
    targets = list(registration.targets)
    return compute_warnings(targets, registration_rules(registration.cycle), previous_results(targets))


def warnings_for_many(registrations: Sequence[Registration], targets: Mapping[int, Sequence[Any]] | None = None) -> dict[int, list[Warning]]:
    """Warnings of a page of registrations (their cycles loaded): of their loaded targets, or
    of `targets` by registration id (rows with the columns the warnings read will do)."""
    of = {r.id: list(r.targets) for r in registrations} if targets is None else targets
    previous = previous_results([t for r in registrations for t in of[r.id]])
    return {r.id: compute_warnings(of[r.id], registration_rules(r.cycle), previous) for r in registrations}
