"""The method tables: each method a rubric can name is a small function in one of these tables,
so adding a method is adding a row. The rubric validates its choices against the tables' keys.

- COMBINE: a target's quantity, quality and timeliness percentages into one;
- PROGRESS: how far a quantitative target went (from its baseline, or its share of the target);
- DEDUCTIONS: what is left of a target's result (or of one factor) after its errors and delays;
- DEDUCTED_FROM: which figure the errors and the delays are taken from;
- WEIGHTING: each target's share of the task-result points;
- SUBORDINATE_TARGETS: which points the subordinate-units rule takes its share of;
- CONDITIONS: the conditions a level may set;
- AGGREGATIONS and DISAGREEMENT: the panel score and what "the members disagree" means;
- QUOTA_ROUNDING and QUOTA_SCOPES: the quota's allowance and what it counts within.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from workflow.scoring.engine.core import HUNDRED, ZERO

if TYPE_CHECKING:
    from workflow.scoring.engine.levels import _FactArrays
    from workflow.scoring.engine.panel import _Ratings, _Spread
    from workflow.scoring.engine.targets import TargetResult
    from workflow.scoring.rubric import FactorWeights, Rubric


def _combine_product(q: Decimal, l: Decimal, t: Decimal, w: FactorWeights) -> Decimal:  # noqa: E741
    return q * l * t / (HUNDRED * HUNDRED)


def _combine_weighted(q: Decimal, l: Decimal, t: Decimal, w: FactorWeights) -> Decimal:  # noqa: E741
    return (q * w.quantity + l * w.quality + t * w.timeliness) / HUNDRED


def _combine_minimum(q: Decimal, l: Decimal, t: Decimal, w: FactorWeights) -> Decimal:  # noqa: E741
    return min(q, l, t)


def _combine_mean(q: Decimal, l: Decimal, t: Decimal, w: FactorWeights) -> Decimal:  # noqa: E741
    # Nghị định 335/2025 Điều 14 k2: (a + b + c) / 3, quantity, quality and progress alike.
    return (q + l + t) / 3


# How a target's quantity, quality and timeliness percentages become one percentage.
COMBINE: dict[str, Callable[[Decimal, Decimal, Decimal, FactorWeights], Decimal]] = {
    "product": _combine_product,
    "weighted": _combine_weighted,
    "minimum": _combine_minimum,
    "mean": _combine_mean,
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

# Which figure major errors and delays are taken from: the whole result (today's default), or
# the factor they concern (Nghị định 335/2025 Điều 14 k2 b and c: an error costs 25% of the
# product's quality points, a delay 25% of its progress points).
DEDUCTED_FROM: dict[str, tuple[str, ...]] = {
    "errors_from": ("result", "quality"),
    "delays_from": ("result", "timeliness"),
}

# What the quality and timeliness factors are a share of: what was done (today: they judge the
# work delivered), or what was assigned (335 Điều 14 k2: all three divide by the assigned
# products, so what was not done lowers quality and progress as it lowers quantity).
FACTORS_OF = ("done", "assigned")


def _progress_from_baseline(baseline: Decimal, target: Decimal, actual: Decimal, increase: bool) -> tuple[Decimal, str]:
    span = target - baseline if increase else baseline - target
    gained = actual - baseline if increase else baseline - actual
    if span > 0:
        return gained * HUNDRED / span, "quantity.progress"
    # The target keeps a level (or sits on the wrong side of the baseline): the figure is
    # measured against the target itself.
    return _progress_share(baseline, target, actual, increase)[0], "quantity.keep_level"


def _progress_share(baseline: Decimal, target: Decimal, actual: Decimal, increase: bool) -> tuple[Decimal, str]:
    # done ÷ assigned (335 Điều 14 k2 a), or target ÷ actual when lower is better.
    if increase:
        if target > 0:
            return actual * HUNDRED / target, "quantity.share"
        return (HUNDRED if actual >= target else ZERO), "quantity.share"
    if actual > 0:
        return target * HUNDRED / actual, "quantity.share"
    return (HUNDRED if actual <= target else ZERO), "quantity.share"


# How far a quantitative target went, in percent (uncapped), with the code of the note that
# says so: from the baseline towards the target, or the share of the target reached.
PROGRESS: dict[str, Callable[[Decimal, Decimal, Decimal, bool], tuple[Decimal, str]]] = {
    "baseline": _progress_from_baseline,
    "share": _progress_share,
}
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

# Which points the subordinate-units rule takes its share of.
SUBORDINATE_TARGETS: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "task_points": lambda general, tasks: tasks,
    "total": lambda general, tasks: general + tasks,
}

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


def _beyond_range(spread: _Spread, threshold: int) -> np.ndarray:
    return spread.range > threshold


def _beyond_stdev(spread: _Spread, threshold: int) -> np.ndarray:
    return spread.numerator > threshold * threshold * spread.denominator


# What "the members disagree" is measured on; a head beyond the threshold is flagged.
DISAGREEMENT: dict[str, Callable[[_Spread, int], np.ndarray]] = {
    "range": _beyond_range,
    "stdev": _beyond_stdev,
}

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


def _year_mean_of_sum(total: Decimal, count: int) -> Decimal:
    # 335 (xếp loại theo năm, k1): "điểm trung bình" of the months' or quarters' results.
    return total / count


def _year_mean(points: Sequence[Decimal]) -> Decimal:
    return _year_mean_of_sum(sum(points, ZERO), len(points))


# How the year's task-result points come from its periods' (over the periods actually worked).
YEAR_FROM_PERIODS: dict[str, Callable[[Sequence[Decimal]], Decimal]] = {
    "mean": _year_mean,
}
# The same from the sum and the count of the periods' points, for the rules that need no more:
# a civil service's year is then summed by the database, not read month by month.
YEAR_FROM_SUM: dict[str, Callable[[Decimal, int], Decimal]] = {
    "mean": _year_mean_of_sum,
}

# What a fact an evidence source gives can be, through the rubric's [[evidence]] entries:
#   criterion      a suggested score for a general criterion (the value a percent of its points);
#   target_line    a computed target line (its share of `threshold`, with a weight);
#   deduction      points taken from the total (`points` per unit of the value, at most
#                  `max_points`);
#   condition      closes levels when the value is above `above` (or below `below`);
#   not_completed  forces the lowest level whenever the fact is there (its value above 0).
EVIDENCE_USES = ("criterion", "target_line", "deduction", "condition", "not_completed")
# The uses that act on the level (checked with the levels' conditions).
LEVEL_USES = ("condition", "not_completed")
