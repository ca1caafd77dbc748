"""The rules of confidence votes and secret-ballot classification (`config/votes.toml`): ballot
forms (the levels a ballot offers), and profiles (quorum, denominator, exclusions, criteria and
the outcomes by threshold), validated on load and copied into each round when it is created.

Shares are exact fractions ("2/3"): 26 low ballots of 39 is exactly two thirds, which "từ 2/3
trở lên" includes and "dưới 2/3" does not.
"""

from __future__ import annotations

import tomllib
from fractions import Fraction
from pathlib import Path
from typing import Any

from workflow.rules import RulesError, resolve

RULES_FILE = "config/votes.toml"
DENOMINATORS = ("cast", "valid", "summoned")


def fraction(text: str, where: str) -> Fraction:
    try:
        value = Fraction(str(text))
    except (ValueError, ZeroDivisionError):
        raise RulesError(f"{where}: {text!r} is not a fraction like \"2/3\"") from None
    if not 0 <= value <= 1:
        raise RulesError(f"{where}: {text!r} must be between 0 and 1")
    return value


def _names(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not value.get("vi") or not value.get("en"):
        raise RulesError(f"{where}: needs a Vietnamese (vi) and an English (en) name")
    return {"vi": str(value["vi"]), "en": str(value["en"])}


def _form(code: str, data: dict[str, Any]) -> dict[str, Any]:
    where = f"{RULES_FILE} [forms.{code}]"
    levels = data.get("levels") or []
    if len(levels) < 2:
        raise RulesError(f"{where}: a ballot needs at least two levels")
    codes = [str(level.get("code", "")) for level in levels]
    if len(set(codes)) != len(codes) or not all(codes):
        raise RulesError(f"{where}: level codes must be present and distinct")
    return {"code": code, "name": _names(data.get("name"), where),
            "levels": [{"code": c, "name": _names(level.get("name"), f"{where} level {c}")} for c, level in zip(codes, levels)]}


def _profile(code: str, data: dict[str, Any], forms: dict[str, dict[str, Any]]) -> dict[str, Any]:
    where = f"{RULES_FILE} [profiles.{code}]"
    form = forms.get(str(data.get("form")))
    if form is None:
        raise RulesError(f"{where}: form must be one of {sorted(forms)}")
    if data.get("denominator") not in DENOMINATORS:
        raise RulesError(f"{where}: denominator must be one of {DENOMINATORS}")
    level_codes = {level["code"] for level in form["levels"]}
    outcomes = []
    for i, outcome in enumerate(data.get("outcomes") or []):
        at = f"{where} outcomes[{i}]"
        if outcome.get("level") not in level_codes:
            raise RulesError(f"{at}: level must be one of {sorted(level_codes)}")
        bounds = {k: str(outcome[k]) for k in ("above", "at_least", "below") if k in outcome}
        if not bounds.keys() & {"above", "at_least"}:
            raise RulesError(f"{at}: give `above` or `at_least`")
        for key, value in bounds.items():
            fraction(value, f"{at} {key}")
        outcomes.append({"code": str(outcome.get("code") or ""), "level": outcome["level"], **bounds,
                         "follow_up": bool(outcome.get("follow_up", False)), "deadline_days": int(outcome.get("deadline_days", 0)),
                         "words": _names(outcome.get("words"), at)})
    if form["code"] == "classification":
        fraction(str(data.get("majority", "1/2")), f"{where} majority")
    fraction(str(data.get("quorum")), f"{where} quorum")
    return {
        "code": code,
        "name": _names(data.get("name"), where),
        "form": form,
        "quorum": str(data["quorum"]),
        "denominator": data["denominator"],
        "majority": str(data.get("majority", "1/2")),
        "min_months_in_post": int(data.get("min_months_in_post", 0)),
        "exclude_retirement_announced": bool(data.get("exclude_retirement_announced", False)),
        "exclude_elected_in_vote_year": bool(data.get("exclude_elected_in_vote_year", False)),
        "criteria": [_names(c, f"{where} criteria") for c in data.get("criteria") or []],
        "outcomes": outcomes,
    }


def load_vote_rules(path: str | Path = RULES_FILE) -> dict[str, Any]:
    """The validated rules: {"version", "profiles": {code: profile with its form}}."""
    try:
        data = tomllib.loads(resolve(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{path}: {exc}") from None
    forms = {code: _form(code, form) for code, form in (data.get("forms") or {}).items()}
    profiles = {code: _profile(code, profile, forms) for code, profile in (data.get("profiles") or {}).items()}
    if not data.get("version") or not profiles:
        raise RulesError(f"{path}: needs a version and at least one profile")
    every = (data.get("follow_ups") or {}).get("remind_every_days", 7)
    if not isinstance(every, int) or not 1 <= every <= 90:
        raise RulesError(f"{path} [follow_ups]: remind_every_days must be a whole number of days from 1 to 90")
    return {"version": str(data["version"]), "profiles": profiles, "remind_every_days": every}


def profile(code: str, path: str | Path = RULES_FILE) -> dict[str, Any]:
    """One profile, with the version of the file, ready to be copied into a round."""
    rules = load_vote_rules(path)
    if code not in rules["profiles"]:
        raise RulesError(f"{path}: no profile {code!r} (there are {sorted(rules['profiles'])})")
    return {**rules["profiles"][code], "version": rules["version"], "remind_every_days": rules["remind_every_days"]}
