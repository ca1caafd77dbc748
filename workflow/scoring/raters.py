"""How the council members score, for the chair: each member's leniency or severity against
the panel, and the agreement of the panel as a whole.

Agreement is given two ways, because members recuse themselves (nobody scores a head they work
with), which leaves holes in the heads × members table:

- Krippendorff's alpha (interval metric), from the maintained `krippendorff` package, uses
  every rating and tolerates the holes: it is the headline figure.
- ICC(2,1) (Shrout & Fleiss 1979; McGraw & Wong's ICC(A,1)): two-way random effects, absolute
  agreement, one rater. Random, because the members are a sample of the people who could sit on
  the council (it changes from year to year); absolute agreement, because a member who is 5
  points stricter than the others does change levels, which consistency (ICC(3,1)) would ignore.
  It needs a complete table, so it is computed on the heads every member scored ("complete
  cases") and says how many those were. ICC(2,k) is the reliability of the panel's mean of k
  members. The 95% interval uses the F distribution from scipy (Satterthwaite's approximation,
  as in Shrout & Fleiss and in pingouin).

Alpha counts every difference between two ratings of the same head as disagreement, whether
it comes from a member's habit or not, like the one-way ICC(1,1) (with a small-sample
correction); it is therefore lower than ICC(2,1) when members differ systematically: on Shrout
& Fleiss's example 0.15 against 0.29. The leniency figures show those systematic differences.
Alpha builds a table of units × distinct values, so it is meant for one council's heads (up to
a few thousand), not a whole civil service at once.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import krippendorff
import numpy as np
from scipy.stats import f as f_distribution

from workflow.scoring.engine import Candidate, Proposals, quantize


@dataclass(frozen=True, slots=True)
class Leniency:
    """How far one member's totals sit from the panel's scores, over the heads they scored:
    positive is lenient (more generous than the panel), negative severe."""

    member: Hashable
    heads: int
    mean_deviation: Decimal
    mean_absolute_deviation: Decimal


def leniency(candidates: Sequence[Candidate], proposals: Proposals) -> list[Leniency]:
    """Per member, in the order members first appear; heads nobody scored are left out."""
    d = proposals.rubric.decimals
    sums: dict[Hashable, list[Decimal]] = {}
    counts: dict[Hashable, int] = {}
    for candidate, proposal in zip(candidates, proposals, strict=True):
        score = proposal.panel.score
        if score is None:
            continue
        for member, value in candidate.ratings.items():
            deviation = Decimal(value) - score
            total = sums.setdefault(member, [Decimal(0), Decimal(0)])
            total[0] += deviation
            total[1] += abs(deviation)
            counts[member] = counts.get(member, 0) + 1
    return [
        Leniency(member, counts[member], quantize(signed / counts[member], d), quantize(absolute / counts[member], d))
        for member, (signed, absolute) in sums.items()
    ]


@dataclass(frozen=True, slots=True)
class ICC:
    """ICC(2,1) and ICC(2,k) of a complete heads × members table, with the 95% interval of
    ICC(2,1)."""

    single: float
    average: float
    low: float
    high: float
    heads: int
    members: int


def icc_two_way(table: np.ndarray, confidence: float = 0.95) -> ICC:
    """Shrout & Fleiss (1979) ICC(2,1) and ICC(2,k) from the two-way ANOVA mean squares of a
    complete table (rows: heads, columns: members)."""
    x = np.asarray(table, dtype=float)
    n, k = x.shape
    if n < 2 or k < 2 or np.isnan(x).any():
        raise ValueError("ICC needs a complete table of at least 2 heads and 2 members")
    grand = x.mean()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_error = ((x - grand) ** 2).sum() - ss_rows - ss_cols
    df_rows, df_error = n - 1, (n - 1) * (k - 1)
    bms = ss_rows / df_rows  # between heads
    jms = ss_cols / (k - 1)  # between members ("judges")
    ems = ss_error / df_error
    single = (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n)
    average = (bms - ems) / (bms + (jms - ems) / n)
    # Satterthwaite's degrees of freedom for the interval of ICC(2,1).
    fj = jms / ems
    v = df_error * (k * single * fj + n * (1 + (k - 1) * single) - k * single) ** 2
    v /= df_rows * k**2 * single**2 * fj**2 + (n * (1 + (k - 1) * single) - k * single) ** 2
    q = 1 - (1 - confidence) / 2
    f_upper = f_distribution.ppf(q, df_rows, v)
    f_lower = f_distribution.ppf(q, v, df_rows)
    low = n * (bms - f_upper * ems) / (f_upper * (k * jms + (k * n - k - n) * ems) + n * bms)
    high = n * (f_lower * bms - ems) / (k * jms + (k * n - k - n) * ems + n * f_lower * bms)
    return ICC(float(single), float(average), float(low), float(high), n, k)


@dataclass(frozen=True, slots=True)
class Agreement:
    """The panel's agreement (see the module's docstring). A figure is None when the data
    cannot give it (fewer than two heads or members, or no variation at all)."""

    alpha: float | None  # Krippendorff's alpha, interval metric, every rating
    icc: ICC | None  # on the heads every member scored
    heads: int  # heads with at least two ratings (those alpha can use)
    complete_heads: int  # heads every member scored (those the ICC uses)
    members: int


def agreement(ratings: Mapping[Hashable, Mapping[Hashable, Decimal]]) -> Agreement:
    """Agreement of the panel from {head: {member: total}}; a recused member is absent."""
    members: dict[Hashable, int] = {}
    for by_member in ratings.values():
        for member in by_member:
            members.setdefault(member, len(members))
    table = np.full((len(ratings), len(members)), np.nan)
    for row, by_member in enumerate(ratings.values()):
        for member, value in by_member.items():
            table[row, members[member]] = float(value)
    counts = (~np.isnan(table)).sum(axis=1)
    pairable = int((counts >= 2).sum())
    alpha = None
    if pairable >= 2 and np.unique(table[~np.isnan(table)]).size > 1:
        # krippendorff wants raters × units.
        alpha = float(krippendorff.alpha(reliability_data=table.T, level_of_measurement="interval"))
    complete = table[counts == len(members)] if members else table[:0]
    icc = None
    if len(complete) >= 2 and len(members) >= 2 and complete.var() > 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            result = icc_two_way(complete)
        if np.isfinite([result.single, result.average, result.low, result.high]).all():
            icc = result
    return Agreement(alpha, icc, pairable, len(complete), len(members))


def agreement_of(candidates: Sequence[Candidate]) -> Agreement:
    return agreement({c.head: c.ratings for c in candidates})
