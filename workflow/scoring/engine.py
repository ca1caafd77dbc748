"""The scoring engine: pure functions from figures to points, levels and proposals.

Nothing here reads the database or a request: the council package gathers the figures (targets,
accepted reports, members' scores), calls these functions and stores what they return. Every
rule comes from the `Rubric`; each method a rubric can name is a small function in one of the
tables below (COMBINE, DEDUCTIONS, WEIGHTING, AGGREGATIONS, DISAGREEMENT, QUOTA_ROUNDING), so
adding a method is adding a row.

The steps, in order:
1. `target_result` – one target's quantity, quality and timeliness, deductions and result, with
   every intermediate figure, the council's overrides (each with its reason) and notes that
   explain it (`TargetResult`).
2. `task_points` – the weighted task-result points (`TaskPoints`); `total` adds the general
   criteria and applies the subordinate-units rule (`Total`). A council member's total is this.
3. `propose` – for all heads at once: the panel score from the members' totals (`aggregate` for
   one head), the level with its conditions (`classify` for one head), then the quota
   (`apply_quota`), giving `Proposals`. `what_if` runs it again with changed rules and lists
   who changes level.

Rounding. Every figure is rounded to `rubric.decimals` places (2 by default), half up (0.005 →
0.01), at each step where it is shown: a factor percentage, a target's result, the task-result
points, the subordinate deduction, the panel score. Sums of rounded figures are exact. Levels
and the quota compare the rounded panel score, so what the council sees is what is compared:
89.995 shows as 90.00 and is ≥ 90. Percentage conditions compare counts of targets exactly
(2 of 7 exceeded is 28.57%, below 30%). Panel figures are computed on integers (points × 10^decimals),
so no binary floating point touches a boundary.

The statistics about raters (leniency, agreement) live in `workflow.scoring.raters`; the words
for the notes in `workflow.scoring.explain`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from itertools import chain
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from flask_babel import gettext

from workflow.core.errors import ValidationFailed

if TYPE_CHECKING:
    from workflow.scoring.rubric import FactorWeights, Rubric, TaskRules

HUNDRED = Decimal(100)
ZERO = Decimal(0)
# A council has fewer members than this; it keeps the exact integer arithmetic of the panel
# statistics within 64 bits.
MAX_RATINGS_PER_HEAD = 100


_PLACES = [Decimal(1).scaleb(-n) for n in range(10)]


def quantize(value: Decimal, decimals: int) -> Decimal:
    """Round half up (away from zero) to `decimals` places."""
    return value.quantize(_PLACES[decimals], rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Note:
    """One line of explanation: a code (see `workflow.scoring.explain`) and its figures."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


# -- Target results --------------------------------------------------------------------------


class Kind(enum.StrEnum):
    QUANTITATIVE = "quantitative"  # chỉ tiêu định lượng: baseline → target
    TASK = "task"  # nhiệm vụ: done or not, with a product and a deadline


class Direction(enum.StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"  # e.g. poverty rate, processing time


@dataclass(frozen=True, slots=True)
class QuantitativeTarget:
    """A numeric target as assigned (or amended), with the year-end figure from the reports."""

    code: str
    weight: Decimal
    baseline: Decimal
    target: Decimal
    actual: Decimal | None  # None: no year-end figure reported
    direction: Direction = Direction.INCREASE
    on_time: bool = True  # the figure was reached by the deadline
    days_late: int = 0
    errors: int = 0  # major content errors (sai sót lớn về nội dung)
    delays: int = 0  # delays recorded in the year (chậm tiến độ)
    quality_percent: Decimal = HUNDRED


@dataclass(frozen=True, slots=True)
class TaskTarget:
    """A task (nhiệm vụ) with a concrete product and a deadline."""

    code: str
    weight: Decimal
    done: bool
    product_delivered: bool
    on_time: bool
    days_late: int = 0
    errors: int = 0
    delays: int = 0
    quality_percent: Decimal = HUNDRED
    progress_percent: Decimal | None = None  # how much of an unfinished task was carried out
    exceeded: bool = False  # judged beyond what was required (vượt yêu cầu)


Target = QuantitativeTarget | TaskTarget

# The figures of a target a council member may change, with a written reason.
FIGURES = ("quantity_percent", "quality_percent", "timeliness_percent", "errors", "delays", "result_percent")
_COUNT_FIGURES = ("errors", "delays")


@dataclass(frozen=True, slots=True)
class Override:
    """A council member's change of one figure of a target (kept, with its reason, in the
    breakdown that the council and the committee see)."""

    figure: str
    value: Decimal
    reason: str
    by: str


@dataclass(frozen=True, slots=True)
class AppliedOverride:
    figure: str
    original: Decimal
    overridden: Decimal
    reason: str
    by: str


@dataclass(frozen=True, slots=True)
class TargetResult:
    """One line of the breakdown: every figure from the target to its result."""

    code: str
    kind: Kind
    weight: Decimal
    progress_percent: Decimal | None  # quantitative: the way from baseline to target, uncapped
    quantity_percent: Decimal
    quality_percent: Decimal
    timeliness_percent: Decimal
    combined_percent: Decimal  # the three factors combined (rubric tasks.combine)
    capped_percent: Decimal  # after tasks.result_cap_percent
    errors: int
    delays: int
    deduction_percent: Decimal  # share of the result taken off for errors and delays
    result_percent: Decimal
    done: bool
    on_time: bool
    exceeded: bool
    notes: tuple[Note, ...]
    overrides: tuple[AppliedOverride, ...] = ()

    @property
    def late(self) -> bool:
        """Behind schedule (chậm tiến độ): not done on time, including not done at all."""
        return not self.on_time


def _combine_product(q: Decimal, l: Decimal, t: Decimal, w: FactorWeights) -> Decimal:  # noqa: E741
    return q * l * t / (HUNDRED * HUNDRED)


def _combine_weighted(q: Decimal, l: Decimal, t: Decimal, w: FactorWeights) -> Decimal:  # noqa: E741
    return (q * w.quantity + l * w.quality + t * w.timeliness) / HUNDRED


def _combine_minimum(q: Decimal, l: Decimal, t: Decimal, w: FactorWeights) -> Decimal:  # noqa: E741
    return min(q, l, t)


# How a target's quantity, quality and timeliness percentages become one percentage.
COMBINE: dict[str, Callable[[Decimal, Decimal, Decimal, FactorWeights], Decimal]] = {
    "product": _combine_product,
    "weighted": _combine_weighted,
    "minimum": _combine_minimum,
}


def _remaining_additive(errors: int, delays: int, per_error: Decimal, per_delay: Decimal) -> Decimal:
    return HUNDRED - errors * per_error - delays * per_delay


def _remaining_compound(errors: int, delays: int, per_error: Decimal, per_delay: Decimal) -> Decimal:
    return HUNDRED * (1 - per_error / HUNDRED) ** errors * (1 - per_delay / HUNDRED) ** delays


# What share of a target's result is left after its errors and delays: "additive" takes 25% of
# the result for each (four cost it all), "compound" takes 25% of what is left each time.
DEDUCTIONS: dict[str, Callable[[int, int, Decimal, Decimal], Decimal]] = {
    "additive": _remaining_additive,
    "compound": _remaining_compound,
}


def _validate_target(target: Target) -> None:
    errors: dict[str, list[str]] = {}
    if target.weight < 0:
        errors["weight"] = [gettext("Must be at least %(min)s.", min=0)]
    for name in ("errors", "delays", "days_late"):
        if getattr(target, name) < 0:
            errors[name] = [gettext("Must be at least %(min)s.", min=0)]
    if not ZERO <= target.quality_percent <= HUNDRED:
        errors["quality_percent"] = [gettext("Must be between %(min)s and %(max)s.", min=0, max=100)]
    if isinstance(target, TaskTarget) and target.progress_percent is not None and not ZERO <= target.progress_percent <= HUNDRED:
        errors["progress_percent"] = [gettext("Must be between %(min)s and %(max)s.", min=0, max=100)]
    if errors:
        raise ValidationFailed({f"{target.code}.{name}": messages for name, messages in errors.items()})


def _overrides_by_figure(code: str, overrides: Iterable[Override], decimals: int) -> dict[str, Override]:
    by_figure: dict[str, Override] = {}
    errors: dict[str, list[str]] = {}
    for item in overrides:
        key = f"{code}.{item.figure}"
        if item.figure not in FIGURES:
            errors[key] = [gettext("This figure cannot be changed.")]
        elif not (item.reason or "").strip():
            errors[key] = [gettext("Give the reason for changing this figure.")]
        elif item.figure in by_figure:
            errors[key] = [gettext("This figure is changed twice.")]
        elif item.value < 0 or (item.figure in _COUNT_FIGURES and item.value != int(item.value)):
            errors[key] = [gettext("Must be a whole number of at least 0.") if item.figure in _COUNT_FIGURES else gettext("Must be at least %(min)s.", min=0)]
        elif Decimal(item.value) != quantize(Decimal(item.value), decimals):
            errors[key] = [gettext("At most %(places)s decimal places.", places=decimals)]
        else:
            by_figure[item.figure] = item
    if errors:
        raise ValidationFailed(errors)
    return by_figure


class _Breakdown:
    """Collects the notes and overrides while one target's result is worked out."""

    def __init__(self, overrides: dict[str, Override]) -> None:
        self.overrides = overrides
        self.notes: list[Note] = []
        self.applied: list[AppliedOverride] = []

    def note(self, code: str, **params: Any) -> None:
        self.notes.append(Note(code, params))

    def figure(self, name: str, computed: Decimal) -> Decimal:
        item = self.overrides.get(name)
        if item is None:
            return computed
        value = Decimal(item.value)
        self.applied.append(AppliedOverride(name, computed, value, item.reason.strip(), item.by))
        self.note("override", figure=name, original=computed, value=value, reason=item.reason.strip(), by=item.by)
        return value


def _progress(target: QuantitativeTarget) -> tuple[Decimal, str]:
    """How far the figure went from the baseline towards the target, in percent (uncapped)."""
    assert target.actual is not None
    increase = target.direction == Direction.INCREASE
    span = target.target - target.baseline if increase else target.baseline - target.target
    gained = target.actual - target.baseline if increase else target.baseline - target.actual
    if span > 0:
        return gained * HUNDRED / span, "quantity.progress"
    # The target keeps a level (or sits on the wrong side of the baseline): the figure is
    # measured against the target itself.
    if increase:
        if target.target > 0:
            return target.actual * HUNDRED / target.target, "quantity.keep_level"
        return (HUNDRED if target.actual >= target.target else ZERO), "quantity.keep_level"
    if target.actual > 0:
        return target.target * HUNDRED / target.actual, "quantity.keep_level"
    return (HUNDRED if target.actual <= target.target else ZERO), "quantity.keep_level"


def target_result(target: Target, rubric: Rubric, overrides: Iterable[Override] = ()) -> TargetResult:
    """The result of one target, line by line (see `TargetResult`).

    Order: quantity, quality and timeliness percentages; combined (tasks.combine); capped
    (tasks.result_cap_percent); errors and delays deducted (tasks.deductions); each figure
    rounded. A figure a council member overrode replaces the computed one from that step on.
    """
    _validate_target(target)
    rules: TaskRules = rubric.tasks
    d = rubric.decimals
    b = _Breakdown(_overrides_by_figure(target.code, overrides, d))

    progress: Decimal | None = None
    quality = quantize(target.quality_percent, d)
    if quality != HUNDRED:
        b.note("quality.assessed", percent=quality)
    if isinstance(target, QuantitativeTarget):
        kind = Kind.QUANTITATIVE
        if target.actual is None:
            raw = ZERO
            b.note("quantity.not_reported")
        else:
            raw, code = _progress(target)
            progress = quantize(raw, d)
            b.note(code, baseline=target.baseline, target=target.target, actual=target.actual, progress=progress)
            if raw < 0:
                b.note("quantity.wrong_way")
        quantity = quantize(min(max(raw, ZERO), rules.quantity_cap_percent), d)
        if raw > rules.quantity_cap_percent:
            b.note("quantity.capped", cap=rules.quantity_cap_percent)
        quantity = b.figure("quantity_percent", quantity)
        # Without an override, "exceeded" looks at the uncapped progress.
        measured = quantity if "quantity_percent" in b.overrides else (progress if progress is not None else ZERO)
        done = quantity >= rules.done_at_percent
        exceeded = measured > rules.exceeded_above_percent
        if exceeded:
            b.note("quantity.exceeded", progress=measured, above=rules.exceeded_above_percent)
    else:
        kind = Kind.TASK
        done = target.done
        if done:
            quantity = quantize(HUNDRED, d)
            b.note("task.done")
        else:
            quantity = quantize(target.progress_percent or ZERO, d)
            b.note("task.not_done", percent=quantity)
        quantity = b.figure("quantity_percent", quantity)
        exceeded = target.exceeded and done
        if exceeded:
            b.note("task.exceeded")
        if done and not target.product_delivered:
            # Reported done, but the product (văn bản, công trình, …) was not handed over.
            quality = min(quality, rules.no_product_quality_percent)
            b.note("quality.no_product", percent=quality)
    quality = b.figure("quality_percent", quantize(quality, d))

    on_time = target.on_time and done
    timeliness = quantize(HUNDRED, d)
    if done and not target.on_time:
        lost = target.days_late * rules.timeliness.percent_lost_per_day_late
        timeliness = quantize(max(rules.timeliness.floor_percent, HUNDRED - lost), d)
        b.note("timeliness.late", days=target.days_late, percent=timeliness)
    timeliness = b.figure("timeliness_percent", timeliness)

    combined = quantize(COMBINE[rules.combine](quantity, quality, timeliness, rules.factor_weights), d)
    b.note(f"combine.{rules.combine}", quantity=quantity, quality=quality, timeliness=timeliness, percent=combined)
    capped = min(combined, rules.result_cap_percent)
    if capped < combined:
        b.note("result.capped", cap=rules.result_cap_percent)

    delays = target.delays
    if not on_time and rules.timeliness.late_counts_as_delay and delays == 0 and done:
        delays = 1
        b.note("delay.late_delivery")
    errors = int(b.figure("errors", Decimal(target.errors)))
    delays = int(b.figure("delays", Decimal(delays)))
    ded = rules.deductions
    remaining = DEDUCTIONS[ded.mode](errors, delays, ded.per_error_percent, ded.per_delay_percent)
    remaining = max(remaining, ded.floor_percent, ZERO)
    deduction = quantize(HUNDRED - remaining, d)
    result = quantize(capped * remaining / HUNDRED, d)
    if errors or delays:
        b.note("deduction", errors=errors, delays=delays, deduction=deduction, percent=result)
    result = b.figure("result_percent", result)

    return TargetResult(
        code=target.code,
        kind=kind,
        weight=target.weight,
        progress_percent=progress,
        quantity_percent=quantity,
        quality_percent=quality,
        timeliness_percent=timeliness,
        combined_percent=combined,
        capped_percent=capped,
        errors=errors,
        delays=delays,
        deduction_percent=deduction,
        result_percent=result,
        done=done,
        on_time=on_time,
        exceeded=exceeded,
        notes=tuple(b.notes),
        overrides=tuple(b.applied),
    )


# -- Task-result points and a member's total -------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskPointsLine:
    code: str
    weight: Decimal
    share_percent: Decimal  # the target's share of the task-result points
    result_percent: Decimal
    points: Decimal  # what this line contributes (rounded, for reading)


@dataclass(frozen=True, slots=True)
class TaskPoints:
    weighted_percent: Decimal  # the targets' results, weighted (tasks.weighting), rounded
    points: Decimal  # tasks.max_points × weighted_percent, rounded, at most tasks.max_points
    max_points: Decimal
    lines: tuple[TaskPointsLine, ...]
    notes: tuple[Note, ...]


def _weights_by_weight(results: Sequence[TargetResult]) -> list[Decimal]:
    total = sum((r.weight for r in results), ZERO)
    if total == 0:
        return _weights_equal(results)
    return [r.weight / total for r in results]


def _weights_equal(results: Sequence[TargetResult]) -> list[Decimal]:
    return [Decimal(1) / len(results) for _ in results]


# Each target's share of the task-result points.
WEIGHTING: dict[str, Callable[[Sequence[TargetResult]], list[Decimal]]] = {
    "weight": _weights_by_weight,
    "equal": _weights_equal,
}


def task_points(results: Sequence[TargetResult], rubric: Rubric) -> TaskPoints:
    """The task-result points (out of tasks.max_points) from the targets' results."""
    rules = rubric.tasks
    d = rubric.decimals
    if not results:
        return TaskPoints(ZERO, quantize(ZERO, d), rules.max_points, (), (Note("points.no_targets"),))
    shares = WEIGHTING[rules.weighting](results)
    weighted = quantize(sum((s * r.result_percent for s, r in zip(shares, results, strict=True)), ZERO), d)
    lines = tuple(
        TaskPointsLine(r.code, r.weight, quantize(s * HUNDRED, d), r.result_percent, quantize(rules.max_points * s * r.result_percent / HUNDRED, d))
        for s, r in zip(shares, results, strict=True)
    )
    points = quantize(rules.max_points * weighted / HUNDRED, d)
    notes = [Note("points.weighted", {"percent": weighted, "max": rules.max_points, "points": points})]
    if points > rules.max_points:
        points = rules.max_points
        notes.append(Note("points.capped", {"max": rules.max_points}))
    return TaskPoints(weighted, points, rules.max_points, lines, tuple(notes))


@dataclass(frozen=True, slots=True)
class Total:
    """One council member's total for one head."""

    general: tuple[tuple[str, Decimal], ...]  # (criterion code, points), in rubric order
    general_points: Decimal
    task_points: Decimal  # before the subordinate-units rule
    subordinate_part: Decimal  # the points that depend on subordinate units
    subordinate_factor_percent: Decimal  # 100, or subordinates.factor_percent when one failed
    subordinate_deduction: Decimal
    total: Decimal
    notes: tuple[Note, ...]


# Which points the subordinate-units rule takes its share of.
SUBORDINATE_TARGETS: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "task_points": lambda general, tasks: tasks,
    "total": lambda general, tasks: general + tasks,
}


def total(
    general_scores: Mapping[str, Decimal],
    task_points: TaskPoints | Decimal,
    subordinate_statuses: Sequence[str],
    rubric: Rubric,
) -> Total:
    """A member's total: the general criteria as scored, plus the task-result points, less
    what the subordinate-units rule takes when any subordinate unit failed.

    `subordinate_statuses` are the level codes of the head's subordinate units (empty when
    the head has none).
    """
    d = rubric.decimals
    errors: dict[str, list[str]] = {}
    general = []
    for criterion in rubric.general:
        value = general_scores.get(criterion.code)
        key = f"general.{criterion.code}"
        if value is None:
            errors[key] = [gettext("This field is required.")]
            continue
        value = Decimal(value)
        if not ZERO <= value <= criterion.max_points:
            errors[key] = [gettext("Must be between %(min)s and %(max)s.", min=0, max=criterion.max_points)]
        elif value != quantize(value, d):
            errors[key] = [gettext("At most %(places)s decimal places.", places=d)]
        general.append((criterion.code, value))
    known = {c.code for c in rubric.general}
    for code in general_scores:
        if code not in known:
            errors[f"general.{code}"] = [gettext("Unknown criterion.")]
    if errors:
        raise ValidationFailed(errors)

    tasks = task_points.points if isinstance(task_points, TaskPoints) else Decimal(task_points)
    general_points = sum((v for _, v in general), ZERO)
    rule = rubric.subordinates
    notes: list[Note] = []
    part = ZERO
    factor = HUNDRED
    deduction = ZERO
    if subordinate_statuses:
        part = quantize(SUBORDINATE_TARGETS[rule.applies_to](general_points, tasks) * rule.share_percent / HUNDRED, d)
        failing = [s for s in subordinate_statuses if s in rule.failing_levels]
        if failing:
            factor = rule.factor_percent
            deduction = quantize(part * (HUNDRED - factor) / HUNDRED, d)
            figures = {"count": len(failing), "share": rule.share_percent, "applies_to": rule.applies_to, "part": part, "factor": factor, "deduction": deduction}
            notes.append(Note("subordinates.failing", figures))
        else:
            notes.append(Note("subordinates.all_passed", {"count": len(subordinate_statuses)}))
    return Total(tuple(general), general_points, tasks, part, factor, deduction, general_points + tasks - deduction, tuple(notes))


# -- Facts and classification ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Facts:
    """What the levels' extra conditions look at, as counts of the head's targets."""

    targets: int
    done: int
    on_time: int
    exceeded: int
    late: int
    disciplined: bool = False  # disciplined in the year (bị kỷ luật trong năm)

    def __post_init__(self) -> None:
        if not (0 <= self.on_time <= self.done <= self.targets and 0 <= self.exceeded <= self.targets and 0 <= self.late <= self.targets):
            raise ValueError(f"inconsistent counts of targets: {self}")

    def percent(self, name: str, decimals: int = 2) -> Decimal | None:
        """The share of targets `name` ("on_time", "exceeded", "done", "late"), rounded."""
        if not self.targets:
            return None
        return quantize(Decimal(getattr(self, name)) * HUNDRED / self.targets, decimals)


def facts_from_results(results: Sequence[TargetResult], *, disciplined: bool = False) -> Facts:
    return Facts(
        targets=len(results),
        done=sum(r.done for r in results),
        on_time=sum(r.on_time for r in results),
        exceeded=sum(r.exceeded for r in results),
        late=sum(r.late for r in results),
        disciplined=disciplined,
    )


@dataclass(frozen=True, slots=True)
class Check:
    """One condition of one level, with the figure it looked at."""

    level: str
    condition: str  # a key of CONDITIONS
    required: Decimal | bool
    actual: Decimal | bool | None  # None: a share of no targets
    passed: bool


@dataclass(frozen=True, slots=True)
class Classification:
    level: str
    checks: tuple[Check, ...]  # the levels tried from the top, down to the one given

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)


@dataclass(frozen=True, slots=True)
class _FactArrays:
    points: np.ndarray  # scaled by 10**decimals
    targets: np.ndarray
    done: np.ndarray
    on_time: np.ndarray
    exceeded: np.ndarray
    late: np.ndarray
    disciplined: np.ndarray


def _share_at_least(counts: np.ndarray, targets: np.ndarray, percent: Decimal) -> np.ndarray:
    # count / targets ≥ percent / 100, on integers; a share of no targets meets only 0%.
    p = int(percent * 100)
    return (counts * 10000 >= p * targets) & ((targets > 0) | (p == 0))


def _share_at_most(counts: np.ndarray, targets: np.ndarray, percent: Decimal) -> np.ndarray:
    return counts * 10000 <= int(percent * 100) * targets


@dataclass(frozen=True)
class Condition:
    fact: str  # the attribute of _FactArrays (and of Facts, for the figure shown)
    test: Callable[[_FactArrays, Any, int], np.ndarray]


# The conditions a level may set, by the key that sets it in the rubric file.
CONDITIONS: dict[str, Condition] = {
    "min_points": Condition("points", lambda f, v, scale: f.points >= int(v * scale)),
    "min_on_time_percent": Condition("on_time", lambda f, v, scale: _share_at_least(f.on_time, f.targets, v)),
    "min_exceeded_percent": Condition("exceeded", lambda f, v, scale: _share_at_least(f.exceeded, f.targets, v)),
    "min_done_percent": Condition("done", lambda f, v, scale: _share_at_least(f.done, f.targets, v)),
    "max_late_percent": Condition("late", lambda f, v, scale: _share_at_most(f.late, f.targets, v)),
    "refuse_if_disciplined": Condition("disciplined", lambda f, v, scale: ~f.disciplined),
}


def _level_checks(rubric: Rubric, facts: _FactArrays) -> list[dict[str, np.ndarray]]:
    """For each level, from the top: its conditions (those it sets) and who passes each."""
    scale = 10**rubric.decimals
    out = []
    for level in rubric.levels:
        checks = {}
        for key, condition in CONDITIONS.items():
            value = getattr(level, key)
            if value is None or (key == "refuse_if_disciplined" and not value):
                continue
            checks[key] = condition.test(facts, value, scale)
        out.append(checks)
    return out


def _first_level(checks: list[dict[str, np.ndarray]], size: int, skip: int | None = None) -> np.ndarray:
    """The index of the highest level whose conditions all pass (the lowest has none)."""
    level = np.full(size, len(checks) - 1, dtype=np.int64)
    undecided = np.ones(size, dtype=bool)
    for index, conditions in enumerate(checks[:-1]):
        if index == skip:
            continue
        passed = undecided.copy()
        for mask in conditions.values():
            passed &= mask
        level[passed] = index
        undecided &= ~passed
    return level


def _check_rows(rubric: Rubric, checks: list[dict[str, np.ndarray]], row: int, down_to: int, facts: Facts, points: Decimal) -> tuple[Check, ...]:
    out = []
    for index in range(down_to + 1):
        level = rubric.levels[index]
        for key, mask in checks[index].items():
            fact = CONDITIONS[key].fact
            if key == "min_points":
                actual: Decimal | bool | None = points
            elif key == "refuse_if_disciplined":
                actual = facts.disciplined
            else:
                actual = facts.percent(fact)
            out.append(Check(level.code, key, getattr(level, key), actual, bool(mask[row])))
    return tuple(out)


def _fact_arrays(points: np.ndarray, facts: Sequence[Facts]) -> _FactArrays:
    n = len(facts)

    def column(name: str, dtype: Any = np.int64) -> np.ndarray:
        return np.fromiter((getattr(f, name) for f in facts), dtype=dtype, count=n)

    return _FactArrays(
        points, column("targets"), column("done"), column("on_time"), column("exceeded"), column("late"), column("disciplined", bool)
    )


def _scaled(value: Decimal, rubric: Rubric) -> int:
    scaled = Decimal(value).scaleb(rubric.decimals)
    if scaled != scaled.to_integral_value():
        raise ValidationFailed({"total": [gettext("At most %(places)s decimal places.", places=rubric.decimals)]})
    return int(scaled)


def classify(total: Decimal, facts: Facts, rubric: Rubric) -> Classification:
    """The highest level whose points and extra conditions the head meets; every condition of
    every level tried is given with its figure, so the page can say why."""
    arrays = _fact_arrays(np.array([_scaled(total, rubric)], dtype=np.int64), [facts])
    checks = _level_checks(rubric, arrays)
    index = int(_first_level(checks, 1)[0])
    return Classification(rubric.levels[index].code, _check_rows(rubric, checks, 0, index, facts, Decimal(total)))


# -- Why a level is below what the points give -----------------------------------------------


def points_level(score: Decimal, rubric: Rubric) -> str:
    """The level the points alone give: the highest whose min_points the score reaches, its
    extra conditions aside."""
    for level in rubric.levels:
        if Decimal(score) >= level.min_points:
            return level.code
    return rubric.lowest_level.code


@dataclass(frozen=True, slots=True)
class FailedCondition:
    """A condition that closed one or more of the levels the points reached (each condition is
    given once, with every level it closed and its figure)."""

    condition: str  # a key of CONDITIONS
    required: Decimal | bool
    actual: Decimal | bool | None
    levels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LevelTrace:
    """How a head went from the level of their points to the level proposed: the conditions
    that failed on the way down, and the quota when it moved the head."""

    score: Decimal
    points_level: str
    classified: str  # after the levels' extra conditions, before the quota
    proposed: str | None  # after the quota; None when tied at its cut (the committee chooses)
    failed: tuple[FailedCondition, ...]
    quota: Note | None  # the quota's note ("quota.demoted" or "quota.tie") when it moved the head

    def lower(self, level: str | None, rubric: Rubric) -> bool:
        """Whether `level` (None: not chosen yet) is below what the points alone give."""
        codes = rubric.level_codes
        return level is None or codes.index(level) > codes.index(self.points_level)


QUOTA_MOVES = ("quota.demoted", "quota.tie")


def level_trace(score: Decimal, checks: Sequence[Check], quota: Note | None, rubric: Rubric) -> LevelTrace:
    """The trace of one head's level from the engine's own record: the checks of the levels it
    tried (`Classification.checks`, or those frozen with a proposal) and the quota's note."""
    codes = rubric.level_codes
    by_level: dict[str, list[Check]] = {}
    for check in checks:
        by_level.setdefault(check.level, []).append(check)
    tried = [code for code in codes if code in by_level]
    classified = next((code for code in tried if all(c.passed for c in by_level[code])), codes[-1])
    top = points_level(score, rubric)
    moved = quota if quota is not None and quota.code in QUOTA_MOVES else None
    proposed: str | None = classified
    bottom = codes.index(classified)
    if moved is not None:
        fallback = moved.params.get("fallback")
        proposed = fallback if moved.code == "quota.demoted" else None
        if fallback in codes:
            bottom = codes.index(fallback)
    groups: dict[tuple[str, Any], tuple[Check, list[str]]] = {}
    for index in range(codes.index(top), bottom):
        code = codes[index]
        if moved is not None and code == classified:
            continue  # the quota closed it, not a condition
        for check in by_level.get(code, ()):
            if not check.passed and check.condition != "min_points":
                groups.setdefault((check.condition, check.required), (check, []))[1].append(code)
    order = list(CONDITIONS)
    failed = tuple(
        FailedCondition(check.condition, check.required, check.actual, tuple(levels))
        for check, levels in sorted(groups.values(), key=lambda item: (codes.index(item[1][0]), order.index(item[0].condition)))
    )
    return LevelTrace(Decimal(score), top, classified, proposed, failed, moved)


# -- The panel: aggregation of the members' totals -------------------------------------------


class _Ratings:
    """The members' totals as a matrix of integers (points × 10**decimals), heads × members;
    `sorted` has each head's ratings in ascending order, then a filler past the last."""

    FILL = np.iinfo(np.int64).max // 4

    def __init__(self, values: np.ndarray, present: np.ndarray) -> None:
        self.values = np.where(present, values, 0)
        self.present = present
        self.count = present.sum(axis=1)
        self.sorted = np.sort(np.where(present, values, self.FILL), axis=1)

    def at(self, positions: np.ndarray) -> np.ndarray:
        """Each head's rating at a position of its sorted ratings (0 where it has none)."""
        rows = np.arange(len(positions))
        inside = (positions >= 0) & (positions < self.count)
        return np.where(inside, self.sorted[rows, np.clip(positions, 0, self.sorted.shape[1] - 1)], 0)


def _half_up(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator rounded half up, for numerators ≥ 0 (0 where denominator is 0)."""
    safe = np.maximum(denominator, 1)
    return np.where(denominator > 0, (2 * numerator + safe) // (2 * safe), 0)


def _mean(r: _Ratings, rubric: Rubric) -> np.ndarray:
    return _half_up(r.values.sum(axis=1), r.count)


def _median(r: _Ratings, rubric: Rubric) -> np.ndarray:
    low, high = r.at((r.count - 1) // 2), r.at(r.count // 2)
    return _half_up(low + high, np.where(r.count > 0, 2, 0))


def _trimmed_mean(r: _Ratings, rubric: Rubric) -> np.ndarray:
    # As scipy.stats.trim_mean: cut floor(n × proportion) ratings from each end, average the
    # rest. Done here on integers so that the result is exact (and a recusal only shortens a row).
    proportion = int(rubric.aggregation.trim_percent * 100)  # in ten-thousandths
    cut = r.count * proportion // 10000
    cumulative = np.cumsum(np.where(r.sorted == r.FILL, 0, r.sorted), axis=1)
    rows = np.arange(len(cut))
    width = r.sorted.shape[1]
    upper = cumulative[rows, np.clip(r.count - cut - 1, 0, width - 1)]
    lower = np.where(cut > 0, cumulative[rows, np.clip(cut - 1, 0, width - 1)], 0)
    kept = r.count - 2 * cut
    return _half_up(np.where(kept > 0, upper - lower, 0), kept)


# The panel score of each head from its members' totals (integers × 10**decimals).
AGGREGATIONS: dict[str, Callable[[_Ratings, Rubric], np.ndarray]] = {
    "mean": _mean,
    "median": _median,
    "trimmed_mean": _trimmed_mean,
}


def _stdev(r: _Ratings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sample standard deviation (n − 1), rounded half up exactly: returns it with the
    numerator and denominator of its square (n·Σx² − (Σx)², n(n − 1)) for exact comparisons."""
    n = r.count
    total = r.values.sum(axis=1)
    numerator = n * (r.values * r.values).sum(axis=1) - total * total
    denominator = n * (n - 1)
    safe = np.maximum(denominator, 1)
    estimate = np.floor(np.sqrt(numerator / safe) + 0.5).astype(np.int64)
    # sd rounds to r exactly when (2r − 1)² ≤ 4·variance < (2r + 1)²: correct the float estimate.
    estimate += ((2 * estimate + 1) ** 2 * safe <= 4 * numerator).astype(np.int64)
    estimate -= ((estimate > 0) & ((2 * estimate - 1) ** 2 * safe > 4 * numerator)).astype(np.int64)
    return np.where(n > 1, estimate, 0), numerator, denominator


def _beyond_range(spread: _Spread, threshold: int) -> np.ndarray:
    return spread.range > threshold


def _beyond_stdev(spread: _Spread, threshold: int) -> np.ndarray:
    return spread.numerator > threshold * threshold * spread.denominator


@dataclass(frozen=True, slots=True)
class _Spread:
    stdev: np.ndarray
    range: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray


# What "the members disagree" is measured on; a head beyond the threshold is flagged.
DISAGREEMENT: dict[str, Callable[[_Spread, int], np.ndarray]] = {
    "range": _beyond_range,
    "stdev": _beyond_stdev,
}


@dataclass(frozen=True, slots=True)
class PanelScore:
    """The panel's score for one head, with how much its members disagree."""

    score: Decimal | None  # None: nobody scored the head
    method: str
    ratings: int
    stdev: Decimal | None  # sample standard deviation (n − 1); None with fewer than 2 ratings
    range: Decimal | None  # highest minus lowest
    disagreement: bool  # beyond aggregation.disagreement_points: to discuss
    too_few_ratings: bool  # fewer than aggregation.min_ratings


@dataclass(frozen=True, slots=True)
class _Panel:
    score: np.ndarray
    count: np.ndarray
    spread: _Spread
    disagreement: np.ndarray
    too_few: np.ndarray


def _panel(ratings: _Ratings, rubric: Rubric) -> _Panel:
    agg = rubric.aggregation
    score = AGGREGATIONS[agg.method](ratings, rubric)
    stdev, numerator, denominator = _stdev(ratings)
    low = ratings.sorted[:, 0]
    high = ratings.at(ratings.count - 1)
    spread = _Spread(stdev, np.where(ratings.count > 0, high - low, 0), numerator, denominator)
    threshold = int(agg.disagreement_points.scaleb(rubric.decimals))
    disagreement = DISAGREEMENT[agg.disagreement_measure](spread, threshold) & (ratings.count > 1)
    return _Panel(score, ratings.count, spread, disagreement, (ratings.count < agg.min_ratings) & (ratings.count > 0))


def _ratings_matrix(rows: Sequence[Mapping[Hashable, Decimal]], rubric: Rubric, heads: Sequence[Hashable]) -> tuple[_Ratings, list[Hashable]]:
    members: dict[Hashable, int] = {}
    # Most heads are scored by the same members in the same order: their column positions are
    # worked out once per such layout.
    layouts: dict[tuple[Hashable, ...], np.ndarray] = {}
    row_columns = []
    for ratings in rows:
        key = tuple(ratings)
        columns = layouts.get(key)
        if columns is None:
            columns = layouts[key] = np.array([members.setdefault(m, len(members)) for m in key], dtype=np.int64)
        row_columns.append(columns)
    counts = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    total = int(counts.sum())
    columns = np.concatenate(row_columns) if total else np.zeros(0, dtype=np.int64)
    values = np.fromiter(chain.from_iterable(ratings.values() for ratings in rows), dtype=np.float64, count=total)
    scale = 10**rubric.decimals
    # Decimal → float → integer is exact for totals of at most `decimals` places; anything else
    # (more places, out of range, not a number) is caught here and reported by name.
    scaled = np.rint(values * scale)
    bad = ~np.isfinite(values) | (np.abs(values * scale - scaled) > 1e-6) | (scaled < 0) | (values > float(rubric.total_points))
    if bad.any() or (counts > MAX_RATINGS_PER_HEAD).any():
        raise ValidationFailed(_ratings_errors(rows, heads, rubric))
    matrix = np.zeros((len(rows), max(len(members), 1)), dtype=np.int64)
    present = np.zeros(matrix.shape, dtype=bool)
    row_index = np.repeat(np.arange(len(rows)), counts)
    matrix[row_index, columns] = scaled.astype(np.int64)
    present[row_index, columns] = True
    return _Ratings(matrix, present), list(members)


def _ratings_errors(rows: Sequence[Mapping[Hashable, Decimal]], heads: Sequence[Hashable], rubric: Rubric) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for head, ratings in zip(heads, rows, strict=True):
        if len(ratings) > MAX_RATINGS_PER_HEAD:
            errors[f"ratings.{head}"] = [gettext("At most %(max)s ratings per head.", max=MAX_RATINGS_PER_HEAD)]
        for member, value in ratings.items():
            value = Decimal(value)
            if not value.is_finite() or not ZERO <= value <= rubric.total_points:
                errors[f"ratings.{head}.{member}"] = [gettext("Must be between %(min)s and %(max)s.", min=0, max=rubric.total_points)]
            elif value != quantize(value, rubric.decimals):
                errors[f"ratings.{head}.{member}"] = [gettext("At most %(places)s decimal places.", places=rubric.decimals)]
    return errors


def _points(scaled: int, decimals: int) -> Decimal:
    return Decimal(int(scaled)).scaleb(-decimals)


def _panel_score(panel: _Panel, row: int, rubric: Rubric) -> PanelScore:
    d = rubric.decimals
    n = int(panel.count[row])
    return PanelScore(
        score=_points(panel.score[row], d) if n else None,
        method=rubric.aggregation.method,
        ratings=n,
        stdev=_points(panel.spread.stdev[row], d) if n > 1 else None,
        range=_points(panel.spread.range[row], d) if n else None,
        disagreement=bool(panel.disagreement[row]),
        too_few_ratings=bool(panel.too_few[row]),
    )


def aggregate(ratings: Mapping[Hashable, Decimal], rubric: Rubric) -> PanelScore:
    """One head's panel score from its members' totals {member: total}."""
    matrix, _ = _ratings_matrix([ratings], rubric, ["head"])
    return _panel_score(_panel(matrix, rubric), 0, rubric)


# -- The quota -------------------------------------------------------------------------------


class QuotaStatus(enum.StrEnum):
    NOT_LIMITED = "not_limited"  # the head does not qualify for the limited level
    WITHIN = "within"  # no more qualify in the scope than the quota allows: all keep it
    KEPT = "kept"  # more qualify than allowed; this head's score is above the cut
    DEMOTED = "demoted"  # below the cut (or the scope's quota is 0): the next level it meets
    TIE = "tie"  # tied at the cut with more heads than places left: the committee decides
    UNRATED = "unrated"  # nobody scored the head


def _floor(numerator: int, denominator: int) -> int:
    return numerator // denominator


def _ceil(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _round_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


# How the allowance (max_percent of the base) becomes a whole number of heads. "floor" never
# lets the share exceed the quota, as "may not exceed 20%" requires.
QUOTA_ROUNDING: dict[str, Callable[[int, int], int]] = {
    "floor": _floor,
    "half_up": _round_half_up,
    "ceil": _ceil,
}

# What a quota scope groups heads by: the agency (cơ quan) that classifies them, the group of
# units within it, or everyone together.
QUOTA_SCOPES: dict[str, Callable[[str, str], tuple[str, ...]]] = {
    "agency": lambda agency, group: (agency,),
    "group": lambda agency, group: (agency, group),
    "all": lambda agency, group: (),
}


@dataclass(frozen=True, slots=True)
class QuotaOutcome:
    """What the quota did to one head, with the figures of its scope."""

    status: QuotaStatus
    level: str | None  # the proposed level; None when the committee must choose (tie) or unrated
    options: tuple[str, ...]  # for a tie: the levels the committee chooses between
    scope: tuple[str, ...]
    base: int  # heads of the scope at the quota's base levels, before the quota
    allowance: int  # how many of them may have the limited level
    qualifying: int  # how many qualify for it
    rank: int | None  # among those qualifying, by panel score (equal scores share a rank)
    seats: int | None  # for a tie: the places left for the tied heads
    tied_with: tuple[Hashable, ...]  # for a tie: the other heads tied at the cut
    notes: tuple[Note, ...]


@dataclass(frozen=True, slots=True)
class QuotaCandidate:
    """A head going into the quota: panel score, level met and the level it would have
    without the limited one (`fallback`), and where it is classified."""

    head: Hashable
    score: Decimal | None
    level: str | None
    fallback: str | None
    agency: str = ""
    group: str = ""


@dataclass(frozen=True, slots=True)
class _QuotaArrays:
    status: list[QuotaStatus]
    final: np.ndarray  # level index; -1 for a tie or unrated
    rank: np.ndarray  # 0 where not ranked
    seats: np.ndarray
    scope_ids: np.ndarray
    scopes: list[tuple[str, ...]]
    base: np.ndarray  # per scope
    allowance: np.ndarray
    qualifying: np.ndarray
    ties: dict[int, list[int]]  # row → rows tied with it


def _quota(
    rubric: Rubric, score: np.ndarray, level: np.ndarray, fallback: np.ndarray, rated: np.ndarray, agencies: Sequence[str], groups: Sequence[str]
) -> _QuotaArrays:
    quota = rubric.quota
    codes = rubric.level_codes
    limited = codes.index(quota.level)
    key = QUOTA_SCOPES[quota.scope]
    places: dict[tuple[str, str], int] = {}
    place_ids = np.fromiter((places.setdefault(pair, len(places)) for pair in zip(agencies, groups, strict=True)), dtype=np.int64, count=len(score))
    scope_index: dict[tuple[str, ...], int] = {}
    place_scope = np.array([scope_index.setdefault(key(*pair), len(scope_index)) for pair in places], dtype=np.int64)
    scope_ids = place_scope[place_ids] if len(score) else place_ids
    scopes = list(scope_index)
    base_codes = [codes.index(c) for c in quota.base_levels]
    in_base = np.isin(level, base_codes) & rated
    base = np.bincount(scope_ids[in_base], minlength=len(scopes))
    percent = int(quota.max_percent * 100)
    allowance = np.array([QUOTA_ROUNDING[quota.rounding](int(b) * percent, 10000) for b in base], dtype=np.int64)
    qualifies = (level == limited) & rated
    qualifying = np.bincount(scope_ids[qualifies], minlength=len(scopes))

    final = np.where(rated, level, -1)
    status = [QuotaStatus.NOT_LIMITED if r else QuotaStatus.UNRATED for r in rated]
    rank = np.zeros(len(score), dtype=np.int64)
    seats = np.zeros(len(score), dtype=np.int64)
    ties: dict[int, list[int]] = {}
    rows = np.flatnonzero(qualifies)
    # Those who qualify, by scope and then by score from the highest.
    rows = rows[np.lexsort((-score[rows], scope_ids[rows]))]
    for scope in np.unique(scope_ids[rows]):
        members = rows[scope_ids[rows] == scope]
        scores = score[members]
        rank[members] = np.searchsorted(-scores, -scores, side="left") + 1
        allowed = int(allowance[scope])
        if len(members) <= allowed:
            for row in members:
                status[row] = QuotaStatus.WITHIN
            continue
        cut = scores[allowed - 1] if allowed else None
        above = int((scores > cut).sum()) if cut is not None else 0
        at_cut = members[scores == cut] if cut is not None else members[:0]
        tie = cut is not None and above + len(at_cut) > allowed
        for row, value in zip(members, scores, strict=True):
            if cut is not None and (value > cut or (value == cut and not tie)):
                status[row] = QuotaStatus.KEPT
            elif tie and value == cut:
                status[row] = QuotaStatus.TIE
                final[row] = -1
                seats[row] = allowed - above
                ties[int(row)] = [int(other) for other in at_cut if other != row]
            else:
                status[row] = QuotaStatus.DEMOTED
                final[row] = fallback[row]
    return _QuotaArrays(status, final, rank, seats, scope_ids, scopes, base, allowance, qualifying, ties)


def _quota_outcome(rubric: Rubric, q: _QuotaArrays, row: int, heads: Sequence[Hashable], score: Decimal | None, fallback: str | None) -> QuotaOutcome:
    scope = int(q.scope_ids[row])
    status = q.status[row]
    codes = rubric.level_codes
    level = codes[q.final[row]] if q.final[row] >= 0 else None
    figures = {
        "scope": q.scopes[scope],
        "level": rubric.quota.level,
        "base": int(q.base[scope]),
        "allowance": int(q.allowance[scope]),
        "qualifying": int(q.qualifying[scope]),
        "percent": rubric.quota.max_percent,
        "rank": int(q.rank[row]),
    }
    notes: tuple[Note, ...] = ()
    if status in (QuotaStatus.WITHIN, QuotaStatus.KEPT):
        notes = (Note(f"quota.{status}", figures),)
    elif status == QuotaStatus.DEMOTED:
        notes = (Note("quota.demoted", {**figures, "fallback": fallback}),)
    elif status == QuotaStatus.TIE:
        tied = q.ties[row]
        notes = (Note("quota.tie", {**figures, "score": score, "tied": len(tied), "seats": int(q.seats[row]), "fallback": fallback}),)
    return QuotaOutcome(
        status=status,
        level=level,
        options=(rubric.quota.level, fallback) if status == QuotaStatus.TIE and fallback else (),
        scope=q.scopes[scope],
        base=int(q.base[scope]),
        allowance=int(q.allowance[scope]),
        qualifying=int(q.qualifying[scope]),
        rank=int(q.rank[row]) or None,
        seats=int(q.seats[row]) if status == QuotaStatus.TIE else None,
        tied_with=tuple(heads[i] for i in q.ties.get(row, ())),
        notes=notes,
    )


@dataclass(frozen=True, slots=True)
class QuotaCount:
    """The quota in one scope over levels already given (the committee's decisions): how many
    heads are at the limited level against how many the quota allows."""

    scope: tuple[str, ...]
    level: str
    percent: Decimal
    base: int  # heads of the scope at the quota's base levels
    allowance: int
    count: int  # heads at the limited level

    @property
    def exceeded(self) -> bool:
        return self.count > self.allowance


def quota_counts(levels: Sequence[tuple[str, str, str | None]], rubric: Rubric) -> list[QuotaCount]:
    """The quota checked on levels given, as (agency, group, level) per head (level None: not
    given yet), by scope in the order first met. The same base, allowance and rounding as when
    the council proposes (`apply_quota`), counted on the levels as they now stand."""
    quota = rubric.quota
    key = QUOTA_SCOPES[quota.scope]
    base: dict[tuple[str, ...], int] = {}
    count: dict[tuple[str, ...], int] = {}
    for agency, group, level in levels:
        scope = key(agency, group)
        base.setdefault(scope, 0)
        count.setdefault(scope, 0)
        base[scope] += level in quota.base_levels
        count[scope] += level == quota.level
    percent = int(quota.max_percent * 100)
    return [
        QuotaCount(scope, quota.level, quota.max_percent, base[scope], QUOTA_ROUNDING[quota.rounding](base[scope] * percent, 10000), count[scope])
        for scope in base
    ]


def apply_quota(candidates: Sequence[QuotaCandidate], rubric: Rubric) -> list[QuotaOutcome]:
    """The quota on heads already classified: within each scope, when more qualify for the
    limited level than `quota.max_percent` of the base allows, the highest panel scores keep
    it, those below the cut get their fallback level, and heads tied at the cut are left to the
    committee (status TIE, level None) rather than kept or dropped silently.

    The base is the heads of the scope at `quota.base_levels` before the quota. "Xuất sắc may
    not exceed 20% of those rated hoàn thành tốt" is read as 20% of those at hoàn thành tốt or
    above, since xuất sắc is chosen from among them (the default rubric's base_levels); the
    allowance is rounded down (`quota.rounding`) so the share never exceeds the quota."""
    codes = rubric.level_codes
    rated = np.array([c.score is not None and c.level is not None for c in candidates], dtype=bool)
    score = np.array([_scaled(c.score, rubric) if c.score is not None else 0 for c in candidates], dtype=np.int64)
    level = np.array([codes.index(c.level) if c.level else len(codes) - 1 for c in candidates], dtype=np.int64)
    fallback = np.array([codes.index(c.fallback) if c.fallback else len(codes) - 1 for c in candidates], dtype=np.int64)
    q = _quota(rubric, score, level, fallback, rated, [c.agency for c in candidates], [c.group for c in candidates])
    heads = [c.head for c in candidates]
    return [_quota_outcome(rubric, q, i, heads, c.score, c.fallback) for i, c in enumerate(candidates)]


# -- Proposals for every head ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """One head as the council's figures give it: each member's total (a recused member is
    absent), the facts the levels look at, and where the head is classified for the quota."""

    head: Hashable
    ratings: Mapping[Hashable, Decimal]
    facts: Facts
    agency: str = ""
    group: str = ""


@dataclass(frozen=True, slots=True)
class Proposal:
    """The council's proposed level for one head, with everything that explains it."""

    head: Hashable
    panel: PanelScore
    classification: Classification | None  # None when nobody scored the head
    quota: QuotaOutcome
    notes: tuple[Note, ...]  # flags for the council: disagreement, too few ratings, unrated

    @property
    def level(self) -> str | None:
        """The proposed level; None when the committee must choose (tie) or nobody scored."""
        return self.quota.level

    @property
    def needs_discussion(self) -> bool:
        return self.panel.disagreement or self.panel.too_few_ratings or self.quota.status == QuotaStatus.TIE


class Proposals(Sequence[Proposal]):
    """The proposals for all heads, computed together. Each `Proposal` (with its explanations)
    is built when it is first read, so a page of 25 costs the same for 50 heads or 100,000."""

    def __init__(self, rubric: Rubric, candidates: Sequence[Candidate], panel: _Panel, checks: list[dict[str, np.ndarray]], level: np.ndarray, fallback: np.ndarray, quota: _QuotaArrays) -> None:
        self.rubric = rubric
        self._candidates = candidates
        self._heads = [c.head for c in candidates]
        self._panel = panel
        self._checks = checks
        self._level = level
        self._fallback = fallback
        self._quota = quota
        self._index: dict[Hashable, int] | None = None
        self._built: dict[int, Proposal] = {}

    def __len__(self) -> int:
        return len(self._heads)

    @overload
    def __getitem__(self, i: int) -> Proposal: ...
    @overload
    def __getitem__(self, i: slice) -> list[Proposal]: ...
    def __getitem__(self, i: int | slice) -> Proposal | list[Proposal]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        if i not in self._built:
            self._built[i] = self._build(i)
        return self._built[i]

    def __iter__(self) -> Iterator[Proposal]:
        return (self[i] for i in range(len(self)))

    def position(self, head: Hashable) -> int:
        if self._index is None:
            self._index = {h: i for i, h in enumerate(self._heads)}
        return self._index[head]

    def for_head(self, head: Hashable) -> Proposal:
        return self[self.position(head)]

    def level_of(self, head: Hashable) -> str | None:
        """The proposed level without building the whole proposal."""
        final = self._quota.final[self.position(head)]
        return self.rubric.level_codes[final] if final >= 0 else None

    def status_of(self, head: Hashable) -> QuotaStatus:
        return self._quota.status[self.position(head)]

    def levels(self) -> dict[Hashable, str | None]:
        codes = self.rubric.level_codes
        return {h: (codes[f] if f >= 0 else None) for h, f in zip(self._heads, self._quota.final.tolist(), strict=True)}

    def counts(self) -> dict[str, int]:
        """How many heads are proposed at each level; "tie" and "unrated" for the others."""
        out = {code: 0 for code in self.rubric.level_codes}
        out["tie"] = out["unrated"] = 0
        for head_status, final in zip(self._quota.status, self._quota.final.tolist(), strict=True):
            key = self.rubric.level_codes[final] if final >= 0 else ("unrated" if head_status == QuotaStatus.UNRATED else "tie")
            out[key] += 1
        return out

    def flagged(self) -> list[Hashable]:
        """Heads to discuss: members disagree, too few ratings, or tied at the quota's cut."""
        mask = self._panel.disagreement | self._panel.too_few
        ties = {r for r in range(len(self)) if self._quota.status[r] == QuotaStatus.TIE}
        return [h for r, h in enumerate(self._heads) if mask[r] or r in ties]

    def _build(self, row: int) -> Proposal:
        rubric = self.rubric
        candidate = self._candidates[row]
        panel = _panel_score(self._panel, row, rubric)
        notes = []
        if panel.ratings == 0:
            notes.append(Note("panel.unrated"))
        if panel.disagreement:
            measure = rubric.aggregation.disagreement_measure
            figures = {"measure": measure, "value": getattr(panel, measure), "threshold": rubric.aggregation.disagreement_points}
            notes.append(Note("panel.disagreement", figures))
        if panel.too_few_ratings:
            notes.append(Note("panel.too_few", {"count": panel.ratings, "min": rubric.aggregation.min_ratings}))
        classification = None
        fallback = None
        if panel.score is not None:
            level, fb = int(self._level[row]), int(self._fallback[row])
            fallback = rubric.levels[fb].code
            down_to = max(level, fb) if self._quota.status[row] in (QuotaStatus.DEMOTED, QuotaStatus.TIE) else level
            checks = _check_rows(rubric, self._checks, row, down_to, candidate.facts, panel.score)
            classification = Classification(rubric.levels[level].code, checks)
        quota = _quota_outcome(rubric, self._quota, row, self._heads, panel.score, fallback)
        return Proposal(candidate.head, panel, classification, quota, tuple(notes))


def propose(candidates: Sequence[Candidate], rubric: Rubric) -> Proposals:
    """Panel score, level and quota for every head (see the module's docstring)."""
    heads = [c.head for c in candidates]
    if len(set(heads)) != len(heads):
        raise ValidationFailed({"candidates": [gettext("A head is listed twice.")]})
    ratings, _ = _ratings_matrix([c.ratings for c in candidates], rubric, heads)
    panel = _panel(ratings, rubric)
    facts = _fact_arrays(panel.score, [c.facts for c in candidates])
    checks = _level_checks(rubric, facts)
    level = _first_level(checks, len(candidates))
    limited = rubric.level_codes.index(rubric.quota.level)
    fallback = _first_level(checks, len(candidates), skip=limited)
    rated = panel.count > 0
    quota = _quota(rubric, panel.score, level, fallback, rated, [c.agency for c in candidates], [c.group for c in candidates])
    return Proposals(rubric, candidates, panel, checks, level, fallback, quota)


# -- What if ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LevelChange:
    head: Hashable
    before: str | None
    after: str | None
    before_status: QuotaStatus
    after_status: QuotaStatus


@dataclass(frozen=True, slots=True)
class WhatIf:
    rubric: Rubric  # the changed rubric (nothing is saved)
    current: Proposals
    proposed: Proposals
    changes: tuple[LevelChange, ...]  # the heads whose level (or tie/unrated state) changes

    @property
    def counts(self) -> dict[str, tuple[int, int]]:
        """Per level: (heads now, heads with the change)."""
        now, then = self.current.counts(), self.proposed.counts()
        return {key: (now[key], then.get(key, 0)) for key in now}


def what_if(candidates: Sequence[Candidate], rubric: Rubric, changes: Mapping[str, Any], current: Proposals | None = None) -> WhatIf:
    """The proposals under the rubric with `changes` (dotted keys, e.g.
    {"quota.max_percent": 25, "levels.excellent.min_points": 88}), against the current ones."""
    changed = rubric.with_changes(dict(changes))
    current = current if current is not None else propose(candidates, rubric)
    proposed = propose(candidates, changed)
    diff = []
    for head in (c.head for c in candidates):
        before, after = current.level_of(head), proposed.level_of(head)
        before_status, after_status = current.status_of(head), proposed.status_of(head)
        if before != after or (before is None and before_status != after_status):
            diff.append(LevelChange(head, before, after, before_status, after_status))
    return WhatIf(changed, current, proposed, tuple(diff))
