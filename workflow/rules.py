"""Rules officials change, kept as data: loaded from `config/rules/*.toml`, validated, and
snapshotted into each cycle.

Each domain package registers the section it owns with `section(name, schema)`: a marshmallow
schema that validates and normalises it. An error names the file, the key path and, where the
key can be found in the file, its line.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError

from workflow.core.errors import flatten_errors
from workflow.settings import PROJECT_ROOT

_SECTIONS: dict[str, type[Schema]] = {}


class RulesError(ValueError):
    """The rules file is unreadable or invalid; the message says where."""


def section(name: str, schema: type[Schema]) -> None:
    if _SECTIONS.get(name, schema) is not schema:
        raise ValueError(f"rules section {name!r} registered twice")
    _SECTIONS[name] = schema


def registered_sections() -> list[str]:
    return sorted(_SECTIONS)


def resolve(path: str | Path) -> Path:
    path = Path(path)
    return path if path.is_absolute() else PROJECT_ROOT / path


def _line_of(text: str, key_path: str) -> int | None:
    """Best effort: the line where the last named key of `key_path` is set."""
    key = next((part for part in reversed(key_path.split(".")) if not part.isdigit()), None)
    if key is None:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*(\[+\s*)?[\w.\"-]*\b{re.escape(key)}\b", line):
            return number
    return None


def parse_rules(text: str, source: str = "<rules>") -> dict[str, Any]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{source}: {exc}") from None
    version = raw.pop("version", None)
    if not isinstance(version, str) or not version.strip():
        raise RulesError(f"{source}: the file must start with version = \"…\" naming this set of rules")
    unknown = sorted(set(raw) - set(_SECTIONS))
    if unknown:
        raise RulesError(f"{source}: unknown section [{unknown[0]}] (known: {', '.join(registered_sections())})")
    rules: dict[str, Any] = {"version": version}
    problems: list[str] = []
    for name, schema in sorted(_SECTIONS.items()):
        try:
            # Stored as the schema dumps it: JSON-safe, ready to snapshot into a cycle.
            validator = schema()
            rules[name] = validator.dump(validator.load(raw.get(name, {})))
        except ValidationError as exc:
            for key_path, messages in flatten_errors(exc.messages).items():
                full = f"{name}.{key_path}"
                line = _line_of(text, full)
                where = f"{source}:{line}" if line else source
                problems.extend(f"{where}: {full}: {m}" for m in messages)
    if problems:
        raise RulesError("\n".join(problems))
    return rules


def load_rules(path: str | Path) -> dict[str, Any]:
    path = resolve(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"{path}: {exc.strerror}") from None
    return parse_rules(text, str(path))
