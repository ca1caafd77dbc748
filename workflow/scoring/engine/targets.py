"""Step 1, one target's result (`target_result`): quantity, quality and timeliness, combined,
capped, less the deductions for errors and delays, with every intermediate figure, the council's
overrides (each with its reason) and notes that explain it (`TargetResult`)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask_babel import gettext

from workflow.core.errors import ValidationFailed
from workflow.scoring.engine.core import HUNDRED, ZERO, Note, quantize
from workflow.scoring.engine.methods import COMBINE, DEDUCTIONS, PROGRESS

if TYPE_CHECKING:
    from workflow.scoring.rubric import Rubric, TaskRules


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
    type: str = ""  # the target's type: the rubric may measure its progress its own way
    progress: str | None = None  # a PROGRESS method that overrides the rubric's (evidence lines)
    origin: str = ""  # where the line comes from when a fact made it (evidence), in words


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
    origin: str = ""


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
    origin: str = ""  # the fact a computed line comes from (evidence), carried into the trace

    @property
    def late(self) -> bool:
        """Behind schedule (chậm tiến độ): not done on time, including not done at all."""
        return not self.on_time


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


def _progress(target: QuantitativeTarget, rules: TaskRules) -> tuple[Decimal, str]:
    """How far the figure went, in percent (uncapped): from the baseline towards the target,
    or the share of the target reached, as the rubric measures the target's type."""
    assert target.actual is not None
    method = target.progress or rules.progress_by_type.get(target.type, rules.progress)
    return PROGRESS[method](target.baseline, target.target, target.actual, target.direction == Direction.INCREASE)


def _counts(b: _Breakdown, target: Target, done: bool, on_time: bool, rules: TaskRules) -> tuple[int, int]:
    """The major errors and delays, a council member's changes included."""
    delays = target.delays
    if not on_time and rules.timeliness.late_counts_as_delay and delays == 0 and done:
        delays = 1
        b.note("delay.late_delivery")
    return int(b.figure("errors", Decimal(target.errors))), int(b.figure("delays", Decimal(delays)))


def _remaining(errors: int, delays: int, rules: TaskRules) -> Decimal:
    ded = rules.deductions
    return max(DEDUCTIONS[ded.mode](errors, delays, ded.per_error_percent, ded.per_delay_percent), ded.floor_percent, ZERO)


def target_result(target: Target, rubric: Rubric, overrides: Iterable[Override] = ()) -> TargetResult:
    """The result of one target, line by line (see `TargetResult`).

    Order: quantity, quality and timeliness percentages (as shares of what was assigned when
    tasks.factors_of says so; less the errors and delays the rubric takes from them); combined
    (tasks.combine); capped (tasks.result_cap_percent); errors and delays the rubric takes from
    the result deducted (tasks.deductions); each figure rounded. A figure a council member
    overrode replaces the computed one from that step on.
    """
    _validate_target(target)
    rules: TaskRules = rubric.tasks
    ded = rules.deductions
    d = rubric.decimals
    b = _Breakdown(_overrides_by_figure(target.code, overrides, d))
    if target.origin:
        b.note("evidence.line", origin=target.origin)

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
            raw, code = _progress(target, rules)
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
    quality = quantize(quality, d)

    on_time = target.on_time and done
    timeliness = quantize(HUNDRED, d)
    if done and not target.on_time:
        lost = target.days_late * rules.timeliness.percent_lost_per_day_late
        timeliness = quantize(max(rules.timeliness.floor_percent, HUNDRED - lost), d)
        b.note("timeliness.late", days=target.days_late, percent=timeliness)
    if rules.factors_of == "assigned" and quantity < HUNDRED:
        # Quality and progress count what was done of what was assigned (335 Điều 14 k2 b, c).
        share = max(quantity, ZERO)
        quality, timeliness = quantize(quality * share / HUNDRED, d), quantize(timeliness * share / HUNDRED, d)
        b.note("factors.assigned", share=share, quality=quality, timeliness=timeliness)
    per_factor = ded.errors_from != "result" or ded.delays_from != "result"
    if per_factor:
        errors, delays = _counts(b, target, done, on_time, rules)
        if ded.errors_from == "quality" and errors:
            kept = _remaining(errors, 0, rules)
            before, quality = quality, quantize(quality * kept / HUNDRED, d)
            b.note("deduction.quality", errors=errors, deduction=quantize(HUNDRED - kept, d), before=before, percent=quality)
        if ded.delays_from == "timeliness" and delays:
            kept = _remaining(0, delays, rules)
            before, timeliness = timeliness, quantize(timeliness * kept / HUNDRED, d)
            b.note("deduction.timeliness", delays=delays, deduction=quantize(HUNDRED - kept, d), before=before, percent=timeliness)
    quality = b.figure("quality_percent", quality)
    timeliness = b.figure("timeliness_percent", timeliness)

    combined = quantize(COMBINE[rules.combine](quantity, quality, timeliness, rules.factor_weights), d)
    b.note(f"combine.{rules.combine}", quantity=quantity, quality=quality, timeliness=timeliness, percent=combined)
    capped = min(combined, rules.result_cap_percent)
    if capped < combined:
        b.note("result.capped", cap=rules.result_cap_percent)

    if not per_factor:
        errors, delays = _counts(b, target, done, on_time, rules)
    # What is taken from the result: the errors and delays not already taken from a factor.
    from_result = (errors if ded.errors_from == "result" else 0, delays if ded.delays_from == "result" else 0)
    remaining = _remaining(*from_result, rules)
    deduction = quantize(HUNDRED - remaining, d)
    result = quantize(capped * remaining / HUNDRED, d)
    if any(from_result):
        b.note("deduction", errors=from_result[0], delays=from_result[1], deduction=deduction, percent=result)
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
        origin=target.origin,
    )
