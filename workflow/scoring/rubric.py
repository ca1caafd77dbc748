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
import tomllib
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
    DEDUCTIONS,
    DISAGREEMENT,
    QUOTA_ROUNDING,
    QUOTA_SCOPES,
    SUBORDINATE_TARGETS,
    WEIGHTING,
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

    def to_snapshot(self) -> dict[str, Any]:
        """A JSON-safe dict (numbers as strings, so nothing is lost to binary floating point)."""
        return RubricSchema().dump(self)

    @classmethod
    def from_snapshot(cls, data: dict[str, Any], source: str = "<snapshot>") -> Rubric:
        return _build(data, source, text="")

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
    return problems


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


def parse_rubric(text: str, source: str = "<rubric>") -> Rubric:
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
    "Rubric",
    "RubricError",
    "ScoringRulesSchema",
    "SubordinateRule",
    "TaskRules",
    "Timeliness",
    "load_rubric",
    "parse_rubric",
    "rubric_from_rules",
]
