"""Step 5, the quota: within each scope, when more heads qualify for the limited level than
the quota allows, the highest panel scores keep it, those below the cut get their fallback, and
those tied at the cut are left to the committee (`apply_quota`, and `quota_counts` on levels
already given).

The scope is the candidate's track (when given) and the rubric's `[quota] scope` of its agency
and group. Two readings of "xuất sắc không vượt quá 20% tổng số … được xếp loại hoàn thành tốt"
(`[quota] reading`): "inclusive" (today's) counts the base before the quota, at `base_levels`
(tốt or higher); "literal" (Nghị định 335/2025 Điều 20 k5 a) counts those who end at
`base_levels` (tốt), so those moved down by the quota join the base: the most kept is the
largest k with k ≤ 20% × (tốt + those moved down to tốt when k are kept). A scope given an
exception by decision (k5 b; `[quota] exception_percent`, off unless set) uses that percent."""

from __future__ import annotations

import enum
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from flask_babel import gettext

from workflow.core.errors import ValidationFailed
from workflow.scoring.engine.core import Note, _scaled
from workflow.scoring.engine.methods import QUOTA_ROUNDING, QUOTA_SCOPES

if TYPE_CHECKING:
    from workflow.scoring.rubric import Rubric

# A scope's exception to the quota: the reference of the decision that grants it, by scope.
Exceptions = Mapping[tuple[str, ...], str]


class QuotaStatus(enum.StrEnum):
    NOT_LIMITED = "not_limited"  # the head does not qualify for the limited level
    WITHIN = "within"  # no more qualify in the scope than the quota allows: all keep it
    KEPT = "kept"  # more qualify than allowed; this head's score is above the cut
    DEMOTED = "demoted"  # below the cut (or the scope's quota is 0): the next level it meets
    TIE = "tie"  # tied at the cut with more heads than places left: the committee decides
    UNRATED = "unrated"  # nobody scored the head


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
    track: str = ""


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
    percent: list[Decimal]  # per scope: the quota's, or the exception's
    decisions: list[str]  # per scope: the decision granting an exception, or ""


def scope_key(rubric: Rubric, agency: str, group: str, track: str = "") -> tuple[str, ...]:
    """The quota's scope of a candidate: within its track (when given), the rubric's scope."""
    key = QUOTA_SCOPES[rubric.quota.scope](agency, group)
    return (track, *key) if track else key


def _literal_allowance(rubric: Rubric, base: int, fallbacks: np.ndarray, percent: int) -> tuple[int, int]:
    """How many of the qualifying (by score, highest first; `fallbacks` their levels without
    the limited one) may keep the limited level when those moved down join the base: the
    largest k with k ≤ percent × (base + those below k whose fallback is a base level). Returns
    (k, the base with k kept)."""
    codes = rubric.level_codes
    joins = np.isin(fallbacks, [codes.index(c) for c in rubric.quota.base_levels]).astype(np.int64)
    below = np.concatenate([np.cumsum(joins[::-1])[::-1], [0]])  # below[k]: those after the first k
    rounding = QUOTA_ROUNDING[rubric.quota.rounding]
    for k in range(len(fallbacks), -1, -1):
        if k <= rounding((base + int(below[k])) * percent, 10000):
            return k, base + int(below[k])
    return 0, base + int(below[0])


def _quota(
    rubric: Rubric, score: np.ndarray, level: np.ndarray, fallback: np.ndarray, rated: np.ndarray, agencies: Sequence[str], groups: Sequence[str],
    tracks: Sequence[str] | None = None, exceptions: Exceptions | None = None,
) -> _QuotaArrays:
    quota = rubric.quota
    codes = rubric.level_codes
    limited = codes.index(quota.level)
    tracks = tracks if tracks is not None else [""] * len(score)
    places: dict[tuple[str, str, str], int] = {}
    place_ids = np.fromiter((places.setdefault(key, len(places)) for key in zip(agencies, groups, tracks, strict=True)), dtype=np.int64,
                            count=len(score))
    scope_index: dict[tuple[str, ...], int] = {}
    place_scope = np.array([scope_index.setdefault(scope_key(rubric, *place), len(scope_index)) for place in places], dtype=np.int64)
    scope_ids = place_scope[place_ids] if len(score) else place_ids
    scopes = list(scope_index)
    exceptions = exceptions or {}
    if exceptions and quota.exception_percent is None:
        raise ValidationFailed({"quota_exceptions": [gettext("The rubric allows no exception to the quota.")]})
    decisions = [exceptions.get(scope, "") for scope in scopes]
    percents = [quota.exception_percent if decision and quota.exception_percent is not None else quota.max_percent for decision in decisions]
    base_codes = [codes.index(c) for c in quota.base_levels]
    in_base = np.isin(level, base_codes) & rated
    base = np.bincount(scope_ids[in_base], minlength=len(scopes))
    allowance = np.array([QUOTA_ROUNDING[quota.rounding](int(b) * int(p * 100), 10000) for b, p in zip(base, percents, strict=True)],
                         dtype=np.int64)
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
        if quota.reading == "literal":
            allowance[scope], base[scope] = _literal_allowance(rubric, int(base[scope]), fallback[members], int(percents[scope] * 100))
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
    return _QuotaArrays(status, final, rank, seats, scope_ids, scopes, base, allowance, qualifying, ties, percents, decisions)


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
        "percent": q.percent[scope],
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
    if notes and q.decisions[scope]:
        notes += (Note("quota.exception", {"scope": q.scopes[scope], "percent": q.percent[scope], "decision": q.decisions[scope]}),)
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


def apply_quota(candidates: Sequence[QuotaCandidate], rubric: Rubric, exceptions: Exceptions | None = None) -> list[QuotaOutcome]:
    """The quota on heads already classified: within each scope, when more qualify for the
    limited level than `quota.max_percent` of the base allows, the highest panel scores keep
    it, those below the cut get their fallback level, and heads tied at the cut are left to the
    committee (status TIE, level None) rather than kept or dropped silently.

    The base is read as the rubric says (`quota.reading`, see the module's docstring): the
    default rubric reads "xuất sắc may not exceed 20% of those rated hoàn thành tốt" as 20% of
    those at hoàn thành tốt or above before the quota; the presets of the rules in force read it
    literally. The allowance is rounded down (`quota.rounding`) so the share never exceeds the
    quota. `exceptions`: the decisions granting a scope the rubric's exception."""
    codes = rubric.level_codes
    rated = np.array([c.score is not None and c.level is not None for c in candidates], dtype=bool)
    score = np.array([_scaled(c.score, rubric) if c.score is not None else 0 for c in candidates], dtype=np.int64)
    level = np.array([codes.index(c.level) if c.level else len(codes) - 1 for c in candidates], dtype=np.int64)
    fallback = np.array([codes.index(c.fallback) if c.fallback else len(codes) - 1 for c in candidates], dtype=np.int64)
    q = _quota(rubric, score, level, fallback, rated, [c.agency for c in candidates], [c.group for c in candidates],
               [c.track for c in candidates], exceptions)
    heads = [c.head for c in candidates]
    return [_quota_outcome(rubric, q, i, heads, c.score, c.fallback) for i, c in enumerate(candidates)]
