"""Step 3, the level: the facts the levels' extra conditions look at (`Facts`), the first
level whose points and conditions a head meets (`classify`, and the vectorised checks that
`propose` runs for every head at once), and how a head went from the level of its points to
the level proposed (`level_trace`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from workflow.scoring.engine.core import HUNDRED, Note, quantize, _scaled
from workflow.scoring.engine.evidence import Evidence, level_figure, of_kind, triggered
from workflow.scoring.engine.methods import CONDITIONS, LEVEL_USES
from workflow.scoring.engine.targets import TargetResult

if TYPE_CHECKING:
    from workflow.scoring.rubric import Rubric


@dataclass(frozen=True, slots=True)
class Facts:
    """What the levels' extra conditions look at: counts of the head's targets, and the facts
    of evidence sources that the rubric's [[evidence]] entries may turn into conditions."""

    targets: int
    done: int
    on_time: int
    exceeded: int
    late: int
    disciplined: bool = False  # disciplined in the year (bị kỷ luật trong năm)
    evidence: tuple[Evidence, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"targets": self.targets, "done": self.done, "on_time": self.on_time, "exceeded": self.exceeded,
                               "late": self.late, "disciplined": self.disciplined}
        if self.evidence:
            out["evidence"] = [{"kind": e.kind, "value": str(e.value), "origin": e.origin, "period": e.period, "ref": e.ref} for e in self.evidence]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Facts:
        evidence = tuple(Evidence(e["kind"], Decimal(e["value"]), e.get("origin", ""), e.get("period", ""), e.get("ref", ""))
                         for e in data.get("evidence", ()))
        return cls(**{k: v for k, v in data.items() if k != "evidence"}, evidence=evidence)

    def __post_init__(self) -> None:
        if not (0 <= self.on_time <= self.done <= self.targets and 0 <= self.exceeded <= self.targets and 0 <= self.late <= self.targets):
            raise ValueError(f"inconsistent counts of targets: {self}")

    def percent(self, name: str, decimals: int = 2) -> Decimal | None:
        """The share of targets `name` ("on_time", "exceeded", "done", "late"), rounded."""
        if not self.targets:
            return None
        return quantize(Decimal(getattr(self, name)) * HUNDRED / self.targets, decimals)


def facts_from_results(results: Sequence[TargetResult], *, disciplined: bool = False, evidence: Sequence[Evidence] = ()) -> Facts:
    return Facts(
        targets=len(results),
        done=sum(r.done for r in results),
        on_time=sum(r.on_time for r in results),
        exceeded=sum(r.exceeded for r in results),
        late=sum(r.late for r in results),
        disciplined=disciplined,
        evidence=tuple(evidence),
    )


@dataclass(frozen=True, slots=True)
class Check:
    """One condition of one level, with the figure it looked at."""

    level: str
    condition: str  # a key of CONDITIONS, or "fact:<kind>" for a fact the rubric maps onto levels
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
    evidence: dict[str, np.ndarray]  # per evidence condition ("fact:<kind>"): who is clear of it


def evidence_condition(rule_fact: str) -> str:
    """The name of the level condition a fact's [[evidence]] entry sets."""
    return f"fact:{rule_fact}"


def _condition_order(condition: str) -> int:
    order = list(CONDITIONS)
    return order.index(condition) if condition in order else len(order)


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
        for rule in rubric.evidence_for(*LEVEL_USES):
            if level.code in rubric.closed_by(rule):
                checks[evidence_condition(rule.fact)] = facts.evidence[rule.fact]
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
            if key.startswith("fact:"):
                rule = next(r for r in rubric.evidence_for(*LEVEL_USES) if evidence_condition(r.fact) == key)
                hit = triggered(rule, of_kind(facts.evidence, rule.fact))
                required = level_figure(rule)
                value = None if hit is None else (Decimal(hit.value) if rule.use == "condition" else True)
                out.append(Check(level.code, key, required, value, bool(mask[row])))
                continue
            fact = CONDITIONS[key].fact
            if key == "min_points":
                actual: Decimal | bool | None = points
            elif key == "refuse_if_disciplined":
                actual = facts.disciplined
            else:
                actual = facts.percent(fact)
            out.append(Check(level.code, key, getattr(level, key), actual, bool(mask[row])))
    return tuple(out)


def _fact_arrays(points: np.ndarray, facts: Sequence[Facts], rubric: Rubric) -> _FactArrays:
    n = len(facts)

    def column(name: str, dtype: Any = np.int64) -> np.ndarray:
        return np.fromiter((getattr(f, name) for f in facts), dtype=dtype, count=n)

    evidence = {
        rule.fact: np.fromiter((not f.evidence or triggered(rule, of_kind(f.evidence, rule.fact)) is None for f in facts), dtype=bool, count=n)
        for rule in rubric.evidence_for(*LEVEL_USES)
    }
    return _FactArrays(
        points, column("targets"), column("done"), column("on_time"), column("exceeded"), column("late"), column("disciplined", bool), evidence
    )


def classify(total: Decimal, facts: Facts, rubric: Rubric) -> Classification:
    """The highest level whose points and extra conditions the head meets; every condition of
    every level tried is given with its figure, so the page can say why."""
    arrays = _fact_arrays(np.array([_scaled(total, rubric)], dtype=np.int64), [facts], rubric)
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

    condition: str  # a key of CONDITIONS, or "fact:<kind>" for a fact the rubric maps onto levels
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
    failed = tuple(
        FailedCondition(check.condition, check.required, check.actual, tuple(levels))
        for check, levels in sorted(groups.values(), key=lambda item: (codes.index(item[1][0]), _condition_order(item[0].condition)))
    )
    return LevelTrace(Decimal(score), top, classified, proposed, failed, moved)
