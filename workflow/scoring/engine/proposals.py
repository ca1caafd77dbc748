"""Step 6, the proposals for every head at once (`propose`): panel, levels and quota run on
arrays, each `Proposal` built when it is first read; `what_if` runs it again with changed rules
and lists who changes level."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from flask_babel import gettext

from workflow.core.errors import ValidationFailed
from workflow.scoring.engine.core import Note
from workflow.scoring.engine.levels import Classification, Facts, _check_rows, _fact_arrays, _first_level, _level_checks
from workflow.scoring.engine.panel import PanelScore, _Panel, _panel, _panel_score, _ratings_matrix
from workflow.scoring.engine.quota import Exceptions, QuotaOutcome, QuotaStatus, _quota, _quota_outcome, _QuotaArrays

if TYPE_CHECKING:
    from workflow.scoring.rubric import Rubric


@dataclass(frozen=True, slots=True)
class Candidate:
    """One head as the council's figures give it: each member's total (a recused member is
    absent), the facts the levels look at, and where the head is classified for the quota."""

    head: Hashable
    ratings: Mapping[Hashable, Decimal]
    facts: Facts
    agency: str = ""
    group: str = ""
    track: str = ""  # the track (nhóm đối tượng): the quota counts within it
    previous_level: str | None = None  # last year's level, for the two-years flag


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
        return self.panel.disagreement or self.panel.too_few_ratings or self.quota.status == QuotaStatus.TIE or self.repeat_not_completed

    @property
    def repeat_not_completed(self) -> bool:
        """Proposed at the lowest level for the second year running: flagged for the decision
        maker (a ground for removal of a leader, 41-QĐ/TW), never acted on by the system."""
        return any(note.code == REPEAT for note in self.notes)


REPEAT = "history.repeat_not_completed"


class Proposals(Sequence[Proposal]):
    """The proposals for all heads, computed together. Each `Proposal` (with its explanations)
    is built when it is first read, so a page of 25 costs the same for 50 heads or 100,000."""

    def __init__(self, rubric: Rubric, candidates: Sequence[Candidate], panel: _Panel, checks: list[dict[str, np.ndarray]], level: np.ndarray,
                 fallback: np.ndarray, quota: _QuotaArrays, repeat: np.ndarray) -> None:
        self.rubric = rubric
        self._candidates = candidates
        self._heads = [c.head for c in candidates]
        self._panel = panel
        self._checks = checks
        self._level = level
        self._fallback = fallback
        self._quota = quota
        self._repeat = repeat
        self.quota_exceptions: Exceptions = {}
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
        """Heads to discuss: members disagree, too few ratings, tied at the quota's cut, or at
        the lowest level for the second year running."""
        mask = self._panel.disagreement | self._panel.too_few | self._repeat
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
        if self._repeat[row]:
            notes.append(Note(REPEAT, {"level": rubric.lowest_level.code, "previous": candidate.previous_level}))
        quota = _quota_outcome(rubric, self._quota, row, self._heads, panel.score, fallback)
        return Proposal(candidate.head, panel, classification, quota, tuple(notes))


def propose(candidates: Sequence[Candidate], rubric: Rubric, quota_exceptions: Exceptions | None = None) -> Proposals:
    """Panel score, level and quota for every head (see the module's docstring).
    `quota_exceptions`: the decisions granting a scope the rubric's exception to the quota."""
    heads = [c.head for c in candidates]
    if len(set(heads)) != len(heads):
        raise ValidationFailed({"candidates": [gettext("A head is listed twice.")]})
    ratings, _ = _ratings_matrix([c.ratings for c in candidates], rubric, heads)
    panel = _panel(ratings, rubric)
    facts = _fact_arrays(panel.score, [c.facts for c in candidates], rubric)
    checks = _level_checks(rubric, facts)
    level = _first_level(checks, len(candidates))
    limited = rubric.level_codes.index(rubric.quota.level)
    fallback = _first_level(checks, len(candidates), skip=limited)
    rated = panel.count > 0
    quota = _quota(rubric, panel.score, level, fallback, rated, [c.agency for c in candidates], [c.group for c in candidates],
                   [c.track for c in candidates], quota_exceptions)
    lowest = rubric.lowest_level.code
    repeat = (quota.final == len(rubric.levels) - 1) & np.fromiter((c.previous_level == lowest for c in candidates), dtype=bool, count=len(candidates))
    proposals = Proposals(rubric, candidates, panel, checks, level, fallback, quota, repeat)
    proposals.quota_exceptions = dict(quota_exceptions or {})
    return proposals


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
    proposed = propose(candidates, changed, current.quota_exceptions if changed.quota.exception_percent is not None else None)
    diff = []
    for head in (c.head for c in candidates):
        before, after = current.level_of(head), proposed.level_of(head)
        before_status, after_status = current.status_of(head), proposed.status_of(head)
        if before != after or (before is None and before_status != after_status):
            diff.append(LevelChange(head, before, after, before_status, after_status))
    return WhatIf(changed, current, proposed, tuple(diff))
