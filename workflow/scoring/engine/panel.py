"""Step 4, the panel: the council members' totals as a matrix of exact integers, the panel
score (`AGGREGATIONS`), the spread and the flags (disagreement, too few ratings)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np
from flask_babel import gettext

from workflow.core.errors import ValidationFailed
from workflow.scoring.engine.core import MAX_RATINGS_PER_HEAD, ZERO, _points, quantize
from workflow.scoring.engine.methods import AGGREGATIONS, DISAGREEMENT

if TYPE_CHECKING:
    from workflow.scoring.rubric import Rubric


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


@dataclass(frozen=True, slots=True)
class _Spread:
    stdev: np.ndarray
    range: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray


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
