"""The rubric (thang điểm): every threshold, weight, quota and penalty the scoring engine uses,
read from a TOML file under `config/rubrics/`, validated, and frozen into a `Rubric`.

The file format is documented in `config/rubrics/default.toml` itself. Loading checks each
field (marshmallow schemas), then the rubric as a whole (points add up, levels ordered, names
known); every error names the file, the key path and the line. `Rubric.to_snapshot()` gives the
JSON-safe dict a cycle stores when scoring opens, and `Rubric.from_snapshot()` reads it back,
so later edits of the file never change a past result. `Rubric.with_changes()` gives a modified
copy for the what-if view, validated like a file.

What does not live here: the computations (`workflow.scoring.engine`).
"""

from __future__ import annotations

import copy
import functools
import json
import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load, validate

from workflow.core.schemas import BaseSchema, Text, between, one_of
from workflow.rules import RulesError, located_errors, resolve
from workflow.scoring.engine import (
    AGGREGATIONS,
    COMBINE,
    DEDUCTED_FROM,
    DEDUCTIONS,
    DISAGREEMENT,
    EVIDENCE_USES,
    FACTORS_OF,
    LEVEL_USES,
    PROGRESS,
    QUOTA_ROUNDING,
    QUOTA_SCOPES,
    SUBORDINATE_TARGETS,
    WEIGHTING,
    YEAR_FROM_PERIODS,
)

DEFAULT_RUBRIC = "config/rubrics/default.toml"


class RubricError(RulesError):
    """The rubric file (or snapshot, or what-if change) is invalid; each line of the message
    says where: "file:line: key.path: what is wrong"."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# -- The rubric as the engine reads it -------------------------------------------------------


@dataclass(frozen=True)
class Localized:
    """A name in Vietnamese and English."""

    vi: str
    en: str

    def get(self, locale: str | None) -> str:
        return self.en if str(locale or "vi").startswith("en") else self.vi


@dataclass(frozen=True)
class Criterion:
    """A general criterion (tiêu chí chung), scored directly by each council member."""

    code: str
    name: Localized
    max_points: Decimal
    description: Localized | None = None


@dataclass(frozen=True)
class FactorWeights:
    quantity: Decimal
    quality: Decimal
    timeliness: Decimal


@dataclass(frozen=True)
class Timeliness:
    percent_lost_per_day_late: Decimal
    floor_percent: Decimal
    late_counts_as_delay: bool


@dataclass(frozen=True)
class Deductions:
    per_error_percent: Decimal
    per_delay_percent: Decimal
    mode: str
    floor_percent: Decimal
    errors_from: str = "result"  # "result" or "quality" (DEDUCTED_FROM)
    delays_from: str = "result"  # "result" or "timeliness"


@dataclass(frozen=True)
class TaskRules:
    """How the results of assigned targets and tasks become task-result points."""

    name: Localized
    max_points: Decimal
    combine: str
    factor_weights: FactorWeights
    quantity_cap_percent: Decimal
    result_cap_percent: Decimal
    exceeded_above_percent: Decimal
    done_at_percent: Decimal
    no_product_quality_percent: Decimal
    weighting: str
    timeliness: Timeliness
    deductions: Deductions
    progress: str = "baseline"  # a PROGRESS method for quantitative targets
    progress_by_type: Mapping[str, str] = field(default_factory=dict)  # a target type's own method
    factors_of: str = "done"  # FACTORS_OF: what quality and timeliness are a share of


@dataclass(frozen=True)
class SubordinateRule:
    share_percent: Decimal
    applies_to: str
    factor_percent: Decimal
    failing_levels: tuple[str, ...]


@dataclass(frozen=True)
class Level:
    """A classification level (mức xếp loại) with its lower bound and extra conditions."""

    code: str
    name: Localized
    min_points: Decimal
    min_on_time_percent: Decimal | None = None
    min_exceeded_percent: Decimal | None = None
    min_done_percent: Decimal | None = None
    max_late_percent: Decimal | None = None
    refuse_if_disciplined: bool = False


@dataclass(frozen=True)
class Quota:
    level: str
    max_percent: Decimal
    base_levels: tuple[str, ...]
    scope: str
    rounding: str
    reading: str = "inclusive"  # "literal": the base is those who end at base_levels
    exception_percent: Decimal | None = None  # an exception by decision (335 Điều 20 k5 b); None: none


@dataclass(frozen=True)
class Sheet:
    """A title's own scoring sheet (biểu điểm theo chức danh): its general criteria, and its
    task-result points when they differ from the track's."""

    code: str
    name: Localized
    general: tuple[Criterion, ...]
    tasks_max_points: Decimal | None = None


@dataclass(frozen=True)
class EvidenceRule:
    """How the facts of one kind an evidence source gives enter the scoring (`use`, one of
    EVIDENCE_USES), with the figures that use needs."""

    fact: str
    use: str
    name: Localized
    criterion: str | None = None
    threshold: Decimal | None = None
    weight: Decimal | None = None
    points: Decimal | None = None
    max_points: Decimal | None = None
    above: Decimal | None = None
    below: Decimal | None = None
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Periods:
    """How the year's result comes from its periods (months, quarters)."""

    year: str  # a YEAR_FROM_PERIODS method for the task-result points


@dataclass(frozen=True)
class Aggregation:
    method: str
    trim_percent: Decimal
    min_ratings: int
    disagreement_measure: str
    disagreement_points: Decimal


@dataclass(frozen=True)
class Rubric:
    version: str
    name: Localized
    total_points: Decimal
    decimals: int
    general: tuple[Criterion, ...]
    tasks: TaskRules
    subordinates: SubordinateRule
    levels: tuple[Level, ...]
    quota: Quota
    aggregation: Aggregation
    sheets: tuple[Sheet, ...] = ()
    evidence: tuple[EvidenceRule, ...] = ()
    periods: Periods | None = None
    source: str = field(default="<rubric>", compare=False)

    def level(self, code: str) -> Level:
        for level in self.levels:
            if level.code == code:
                return level
        raise KeyError(code)

    @cached_property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(level.code for level in self.levels)

    @property
    def lowest_level(self) -> Level:
        return self.levels[-1]

    def sheet(self, code: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.code == code:
                return sheet
        raise KeyError(code)

    def for_sheet(self, code: str | None) -> Rubric:
        """The rubric as a title with the sheet `code` is scored by: the sheet's general
        criteria (and task-result points); the rubric itself for no sheet."""
        if not code:
            return self
        try:
            sheet = self.sheet(code)
        except KeyError:
            raise RubricError([f"{self.source}: sheets: " + gettext("No scoring sheet %(code)s in the rubric.", code=code)]) from None
        tasks = self.tasks if sheet.tasks_max_points is None else dataclasses.replace(self.tasks, max_points=sheet.tasks_max_points)
        return dataclasses.replace(self, general=sheet.general, tasks=tasks)

    def evidence_for(self, *uses: str) -> tuple[EvidenceRule, ...]:
        return tuple(rule for rule in self.evidence if rule.use in uses)

    def closed_by(self, rule: EvidenceRule) -> tuple[str, ...]:
        """The levels an evidence rule acting on the level closes: those it names, else every
        level but the lowest (where a head goes when no other level is open)."""
        return rule.levels or tuple(level.code for level in self.levels[:-1])

    def to_snapshot(self) -> dict[str, Any]:
        """A JSON-safe dict (numbers as strings, so nothing is lost to binary floating point)."""
        return RubricSchema().dump(self)

    @classmethod
    def from_snapshot(cls, data: dict[str, Any], source: str = "<snapshot>") -> Rubric:
        # Every page that scores reads its cycle's snapshot, and validating one takes
        # milliseconds; the same snapshot gives the same rubric (which is never changed).
        return _snapshot_rubric(json.dumps(data, sort_keys=True, default=str), source)

    def with_changes(self, changes: dict[str, Any]) -> Rubric:
        """A copy with some values changed, validated like a file. Keys are dotted paths;
        levels and criteria may be named by code: {"quota.max_percent": 25,
        "levels.excellent.min_points": 88}."""
        data = self.to_snapshot()
        problems = []
        for path, value in changes.items():
            try:
                _set_path(data, path, value)
            except KeyError:
                problems.append(f"{self.source} (what-if): {path}: " + gettext("No such setting in the rubric."))
        if problems:
            raise RubricError(problems)
        return _build(data, f"{self.source} (what-if)", text="")


@functools.lru_cache(maxsize=64)
def _snapshot_rubric(text: str, source: str) -> Rubric:
    return _build(json.loads(text), source, text="")


def _set_path(data: Any, path: str, value: Any) -> None:
    parts = path.split(".")
    target = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(target, list):
            index = int(part) if part.isdigit() else next((n for n, item in enumerate(target) if item.get("code") == part), None)
            if index is None or index >= len(target):
                raise KeyError(path)
            if last:
                target[index] = value
            target = target[index]
        elif isinstance(target, dict) and (part in target or last):
            if last:
                if part not in _ALL_KEYS:
                    raise KeyError(path)
                target[part] = value
            target = target.get(part)
        else:
            raise KeyError(path)


# -- The file format -------------------------------------------------------------------------

_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$", error=_l("Use 1 to 32 lower-case letters, digits or _, starting with a letter."))


class places(validate.Validator):
    """At most `n` decimal places, so that the engine compares exactly."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __call__(self, value: Decimal) -> Decimal:
        if value.as_tuple().exponent < -self.n:  # type: ignore[operator]
            raise ValidationError(gettext("At most %(places)s decimal places.", places=self.n))
        return value


def _number(*, minimum: float = 0, maximum: float | None = None, exclusive_min: bool = False, **kw: Any) -> fields.Decimal:
    return fields.Decimal(as_string=True, validate=[between(minimum, maximum, min_exclusive=exclusive_min), places(4)], **kw)


def _percent(minimum: float = 0, maximum: float = 100, **kw: Any) -> fields.Decimal:
    # Two decimals at most: a percentage threshold is compared exactly with counts of targets.
    return fields.Decimal(as_string=True, validate=[between(minimum, maximum), places(2)], **kw)


def _choice(table: dict[str, Any] | tuple[str, ...], **kw: Any) -> fields.String:
    return fields.String(validate=one_of(sorted(table)), **kw)


class _Loads(BaseSchema):
    """Loads into the frozen class named by `made`, with lists as tuples (frozen too)."""

    made: Any = dict

    @post_load
    def make(self, data: dict[str, Any], **kw: Any) -> Any:
        return self.made(**{key: tuple(value) if isinstance(value, list) else value for key, value in data.items()})


class LocalizedSchema(_Loads):
    made = Localized

    vi = Text(max_length=300, required=True)
    en = Text(max_length=300, required=True)


class LongLocalizedSchema(LocalizedSchema):
    vi = Text(max_length=4000, required=True)
    en = Text(max_length=4000, required=True)


class CriterionSchema(_Loads):
    made = Criterion

    code = fields.String(required=True, validate=_CODE)
    name = fields.Nested(LocalizedSchema, required=True)
    max_points = _number(required=True, exclusive_min=True, maximum=1000)
    description = fields.Nested(LongLocalizedSchema, load_default=None)


class FactorWeightsSchema(_Loads):
    made = FactorWeights

    quantity = _percent(required=True)
    quality = _percent(required=True)
    timeliness = _percent(required=True)


class TimelinessSchema(_Loads):
    made = Timeliness

    percent_lost_per_day_late = _percent(required=True)
    floor_percent = _percent(required=True)
    late_counts_as_delay = fields.Boolean(required=True)


class DeductionsSchema(_Loads):
    made = Deductions

    per_error_percent = _percent(required=True)
    per_delay_percent = _percent(required=True)
    mode = _choice(DEDUCTIONS, required=True)
    floor_percent = _percent(required=True)
    errors_from = _choice(DEDUCTED_FROM["errors_from"], load_default="result")
    delays_from = _choice(DEDUCTED_FROM["delays_from"], load_default="result")


class TaskRulesSchema(_Loads):
    made = TaskRules

    name = fields.Nested(LocalizedSchema, required=True)
    max_points = _number(required=True, exclusive_min=True, maximum=1000)
    combine = _choice(COMBINE, required=True)
    factor_weights = fields.Nested(FactorWeightsSchema, required=True)
    quantity_cap_percent = _percent(100, 1000, required=True)
    result_cap_percent = _percent(100, 1000, required=True)
    exceeded_above_percent = _percent(maximum=1000, required=True)
    done_at_percent = _percent(required=True)
    no_product_quality_percent = _percent(required=True)
    weighting = _choice(WEIGHTING, required=True)
    timeliness = fields.Nested(TimelinessSchema, required=True)
    deductions = fields.Nested(DeductionsSchema, required=True)
    progress = _choice(PROGRESS, load_default="baseline")
    progress_by_type = fields.Dict(keys=fields.String(validate=_CODE), values=_choice(PROGRESS), load_default=dict)
    factors_of = _choice(FACTORS_OF, load_default="done")


class SubordinateRuleSchema(_Loads):
    made = SubordinateRule

    share_percent = _percent(required=True)
    applies_to = _choice(SUBORDINATE_TARGETS, required=True)
    factor_percent = _percent(required=True)
    failing_levels = fields.List(fields.String(validate=_CODE), required=True)


class LevelSchema(_Loads):
    made = Level

    code = fields.String(required=True, validate=_CODE)
    name = fields.Nested(LocalizedSchema, required=True)
    min_points = _number(required=True, maximum=1000)
    min_on_time_percent = _percent(load_default=None)
    min_exceeded_percent = _percent(load_default=None)
    min_done_percent = _percent(load_default=None)
    max_late_percent = _percent(load_default=None)
    refuse_if_disciplined = fields.Boolean(load_default=False)


class QuotaSchema(_Loads):
    made = Quota

    level = fields.String(required=True, validate=_CODE)
    max_percent = _percent(required=True)
    base_levels = fields.List(fields.String(validate=_CODE), required=True, validate=validate.Length(min=1))
    scope = _choice(QUOTA_SCOPES, required=True)
    rounding = _choice(QUOTA_ROUNDING, required=True)
    # Absent in rubrics (and snapshots) written before the option: today's reading.
    reading = _choice(("literal", "inclusive"), load_default="inclusive")
    exception_percent = _percent(load_default=None)


class SheetSchema(_Loads):
    made = Sheet

    code = fields.String(required=True, validate=_CODE)
    name = fields.Nested(LocalizedSchema, required=True)
    general = fields.List(fields.Nested(CriterionSchema), required=True, validate=validate.Length(min=1, max=50))
    tasks_max_points = _number(load_default=None, exclusive_min=True, maximum=1000)


class EvidenceRuleSchema(_Loads):
    made = EvidenceRule

    fact = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$", error=_l("Use lower-case words joined by dots.")))
    use = _choice(EVIDENCE_USES, required=True, data_key="as")
    name = fields.Nested(LocalizedSchema, required=True)
    criterion = fields.String(load_default=None, validate=_CODE)
    threshold = _number(load_default=None, exclusive_min=True, maximum=1000000)
    weight = _number(load_default=None, exclusive_min=True, maximum=1000)
    points = _number(load_default=None, exclusive_min=True, maximum=1000)
    max_points = _number(load_default=None, exclusive_min=True, maximum=1000)
    above = _number(load_default=None, maximum=1000000)
    below = _number(load_default=None, maximum=1000000)
    levels = fields.List(fields.String(validate=_CODE), load_default=list)


class PeriodsSchema(_Loads):
    made = Periods

    year = _choice(YEAR_FROM_PERIODS, required=True)


class AggregationSchema(_Loads):
    made = Aggregation

    method = _choice(AGGREGATIONS, required=True)
    # Cut from each end, as scipy.stats.trim_mean's proportiontocut (in percent).
    trim_percent = fields.Decimal(as_string=True, required=True, validate=[between(0, 50, max_exclusive=True), places(2)])
    min_ratings = fields.Integer(strict=True, required=True, validate=between(1, 1000))
    disagreement_measure = _choice(DISAGREEMENT, required=True)
    disagreement_points = _number(required=True, maximum=1000)


class RubricSchema(_Loads):
    made = dict

    version = Text(max_length=64, required=True)
    name = fields.Nested(LocalizedSchema, required=True)
    total_points = _number(required=True, exclusive_min=True, maximum=1000)
    # At most 2: the panel statistics run on 64-bit integers of points × 10**decimals.
    decimals = fields.Integer(strict=True, required=True, validate=between(0, 2))
    general = fields.List(fields.Nested(CriterionSchema), required=True, validate=validate.Length(min=1, max=50))
    tasks = fields.Nested(TaskRulesSchema, required=True)
    subordinates = fields.Nested(SubordinateRuleSchema, required=True)
    levels = fields.List(fields.Nested(LevelSchema), required=True, validate=validate.Length(min=2, max=20))
    quota = fields.Nested(QuotaSchema, required=True)
    aggregation = fields.Nested(AggregationSchema, required=True)
    sheets = fields.List(fields.Nested(SheetSchema), load_default=list, validate=validate.Length(max=200))
    evidence = fields.List(fields.Nested(EvidenceRuleSchema), load_default=list, validate=validate.Length(max=100))
    periods = fields.Nested(PeriodsSchema, load_default=None)


def _schema_keys(schema: type[BaseSchema]) -> set[str]:
    keys = set()
    for name, item in schema._declared_fields.items():
        keys.add(name)
        inner = item.inner if isinstance(item, fields.List) else item
        if isinstance(inner, fields.Nested) and isinstance(inner.nested, type):
            keys |= _schema_keys(inner.nested)
    return keys


# Every key the format knows: a what-if change may only set one of these.
_ALL_KEYS = _schema_keys(RubricSchema)


# -- Checks of the rubric as a whole ---------------------------------------------------------


def _cross_check(data: dict[str, Any]) -> dict[str, list[str]]:
    """Problems no single field shows, keyed by the path of the value to change."""
    problems: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        problems.setdefault(path, []).append(message)

    general: tuple[Criterion, ...] = data["general"]
    tasks: TaskRules = data["tasks"]
    levels: tuple[Level, ...] = data["levels"]
    decimals: int = data["decimals"]

    general_sum = sum((c.max_points for c in general), Decimal(0))
    if general_sum + tasks.max_points != data["total_points"]:
        add(
            "total_points",
            gettext(
                "The general criteria (%(general)s) and the task results (%(tasks)s) add up to %(sum)s, not %(total)s.",
                general=general_sum,
                tasks=tasks.max_points,
                sum=general_sum + tasks.max_points,
                total=data["total_points"],
            ),
        )
    _unique(general, "general", add)
    _unique(levels, "levels", add)

    weights = tasks.factor_weights
    if weights.quantity + weights.quality + weights.timeliness != 100:
        add("tasks.factor_weights", gettext("The weights of quantity, quality and timeliness must add up to 100."))

    for i, level in enumerate(levels):
        if level.min_points > data["total_points"]:
            add(f"levels.{i}.min_points", gettext("Must be at most %(max)s.", max=data["total_points"]))
        if level.min_points.as_tuple().exponent < -decimals:  # type: ignore[operator]
            add(f"levels.{i}.min_points", gettext("At most %(places)s decimal places.", places=decimals))
        if i and level.min_points >= levels[i - 1].min_points:
            add(
                f"levels.{i}.min_points",
                gettext(
                    "Level %(level)s starts at %(points)s, which overlaps level %(above)s (from %(above_points)s): "
                    "list the levels from the highest, each starting strictly below the one above it.",
                    level=level.code,
                    points=level.min_points,
                    above=levels[i - 1].code,
                    above_points=levels[i - 1].min_points,
                ),
            )
    lowest = levels[-1]
    if lowest.min_points != 0:
        add(f"levels.{len(levels) - 1}.min_points", gettext("The lowest level must start at 0 so that every score has a level."))
    if _conditions(lowest):
        add(
            f"levels.{len(levels) - 1}",
            gettext("The lowest level must have no extra conditions: it is where everyone who meets no other level goes."),
        )

    codes = {level.code for level in levels}
    known = ", ".join(level.code for level in levels)
    quota: Quota = data["quota"]
    if quota.level not in codes:
        add("quota.level", gettext("Unknown level %(code)s (known: %(known)s).", code=quota.level, known=known))
    elif quota.level == lowest.code:
        add("quota.level", gettext("The lowest level cannot be limited: nobody could be moved below it."))
    for i, code in enumerate(quota.base_levels):
        if code not in codes:
            add(f"quota.base_levels.{i}", gettext("Unknown level %(code)s (known: %(known)s).", code=code, known=known))
    for i, code in enumerate(data["subordinates"].failing_levels):
        if code not in codes:
            add(f"subordinates.failing_levels.{i}", gettext("Unknown level %(code)s (known: %(known)s).", code=code, known=known))
    aggregation: Aggregation = data["aggregation"]
    if aggregation.disagreement_points.as_tuple().exponent < -decimals:  # type: ignore[operator]
        add("aggregation.disagreement_points", gettext("At most %(places)s decimal places.", places=decimals))
    if quota.reading == "literal" and quota.level in quota.base_levels:
        add("quota.base_levels", gettext("Read literally, the base is those rated at the base levels: it cannot include the limited level %(code)s.",
                                         code=quota.level))
    if quota.exception_percent is not None and quota.exception_percent < quota.max_percent:
        add("quota.exception_percent", gettext("An exception allows more than the quota: at least %(min)s.", min=quota.max_percent))
    _check_sheets(data, add)
    _check_evidence(data, codes, add)
    return problems


def _check_sheets(data: dict[str, Any], add: Any) -> None:
    seen: set[str] = set()
    for i, sheet in enumerate(data["sheets"]):
        if sheet.code in seen:
            add(f"sheets.{i}.code", gettext("The code %(code)s is used twice.", code=sheet.code))
        seen.add(sheet.code)
        _unique(sheet.general, f"sheets.{i}.general", add)
        tasks = data["tasks"].max_points if sheet.tasks_max_points is None else sheet.tasks_max_points
        general_sum = sum((c.max_points for c in sheet.general), Decimal(0))
        if general_sum + tasks != data["total_points"]:
            add(f"sheets.{i}.general", gettext(
                "The general criteria (%(general)s) and the task results (%(tasks)s) add up to %(sum)s, not %(total)s.",
                general=general_sum, tasks=tasks, sum=general_sum + tasks, total=data["total_points"]))


# What each use of a fact needs, and what it may not have.
_EVIDENCE_NEEDS = {
    "criterion": ("criterion",),
    "target_line": ("threshold", "weight"),
    "deduction": ("points",),
    "condition": (),
    "not_completed": (),
}
_EVIDENCE_KEYS = ("criterion", "threshold", "weight", "points", "max_points", "above", "below")


def _check_evidence(data: dict[str, Any], codes: set[str], add: Any) -> None:
    criteria = {c.code for c in data["general"]} | {c.code for sheet in data["sheets"] for c in sheet.general}
    lowest = data["levels"][-1].code
    on_level: set[str] = set()
    for i, rule in enumerate(data["evidence"]):
        needs = _EVIDENCE_NEEDS[rule.use]
        allowed = set(needs) | ({"max_points"} if rule.use == "deduction" else set()) | ({"above", "below"} if rule.use == "condition" else set())
        for key in needs:
            if getattr(rule, key) is None:
                add(f"evidence.{i}.{key}", gettext("Required when a fact is used as %(use)s.", use=rule.use))
        for key in _EVIDENCE_KEYS:
            if key not in allowed and getattr(rule, key) is not None:
                add(f"evidence.{i}.{key}", gettext("Not used when a fact is used as %(use)s.", use=rule.use))
        if rule.use == "criterion" and rule.criterion is not None and rule.criterion not in criteria:
            add(f"evidence.{i}.criterion", gettext("Unknown criterion %(code)s.", code=rule.criterion))
        if rule.use == "condition" and (rule.above is None) == (rule.below is None):
            add(f"evidence.{i}", gettext("Give one of above or below: the value that closes the levels."))
        if rule.levels and rule.use != "condition":
            add(f"evidence.{i}.levels", gettext("Not used when a fact is used as %(use)s.", use=rule.use))
        for j, code in enumerate(rule.levels):
            if code not in codes or code == lowest:
                add(f"evidence.{i}.levels.{j}", gettext("Unknown level %(code)s (known: %(known)s).", code=code,
                                                        known=", ".join(level.code for level in data["levels"][:-1])))
        if rule.use in LEVEL_USES:
            if rule.fact in on_level:
                add(f"evidence.{i}.fact", gettext("This fact already acts on the level in another entry."))
            on_level.add(rule.fact)


def _unique(items: tuple[Any, ...], key: str, add: Any) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.code in seen:
            add(f"{key}.{i}.code", gettext("The code %(code)s is used twice.", code=item.code))
        seen.add(item.code)


def _conditions(level: Level) -> bool:
    return any(
        value is not None for value in (level.min_on_time_percent, level.min_exceeded_percent, level.min_done_percent, level.max_late_percent)
    ) or level.refuse_if_disciplined


# -- Loading ---------------------------------------------------------------------------------


def _build(raw: dict[str, Any], source: str, text: str) -> Rubric:
    try:
        data = RubricSchema().load(copy.deepcopy(raw))
    except ValidationError as exc:
        raise RubricError(located_errors(exc.messages, text, source)) from None  # type: ignore[arg-type]
    problems = _cross_check(data)
    if problems:
        raise RubricError(located_errors(problems, text, source))
    return Rubric(**data, source=source)


@functools.lru_cache(maxsize=64)
def parse_rubric(text: str, source: str = "<rubric>") -> Rubric:
    # Cached by the text: a rubric file is read on every page that scores before its cycle
    # keeps a snapshot, and the same text gives the same rubric (which is never changed).
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with "(at line N, column M)".
        raise RubricError([f"{source}: {exc}"]) from None
    return _build(raw, source, text)


def load_rubric(path: str | Path = DEFAULT_RUBRIC) -> Rubric:
    """Read and validate a rubric file; a relative path is taken from the project's root."""
    full = resolve(path)
    try:
        text = full.read_text(encoding="utf-8")
    except OSError as exc:
        raise RubricError([f"{path}: {exc.strerror}"]) from None
    return parse_rubric(text, str(path))


# -- The [scoring] section of the rules file -------------------------------------------------


def _rubric_loads(path: str) -> None:
    try:
        load_rubric(path)
    except RubricError as exc:
        raise ValidationError(str(exc)) from None


class ScoringRulesSchema(BaseSchema):
    """`[scoring]` in config/rules/*.toml: which rubric file the council scores with."""

    rubric = fields.String(load_default=DEFAULT_RUBRIC, validate=[validate.Length(min=1, max=500), _rubric_loads])


def rubric_from_rules(rules: dict[str, Any]) -> Rubric:
    """The rubric a cycle's rules name (its `[scoring]` section), loaded from the file now."""
    return load_rubric(rules.get("scoring", {}).get("rubric", DEFAULT_RUBRIC))


__all__ = [
    "DEFAULT_RUBRIC",
    "Aggregation",
    "Criterion",
    "Deductions",
    "FactorWeights",
    "Level",
    "Localized",
    "Quota",
    "EvidenceRule",
    "Periods",
    "Rubric",
    "RubricError",
    "Sheet",
    "ScoringRulesSchema",
    "SubordinateRule",
    "TaskRules",
    "Timeliness",
    "load_rubric",
    "parse_rubric",
    "rubric_from_rules",
]
