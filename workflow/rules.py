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


def section_labels() -> dict[str, str]:
    """The sections of the rules, as the pages name them."""
    from flask_babel import gettext

    return {
        "registration": gettext("Registration of targets"),
        "reports": gettext("Quarterly reports and reminders"),
        "calendar": gettext("Reporting calendar"),
        "council": gettext("The advisory council"),
        "scoring": gettext("Scoring rubric"),
        "rubric": gettext("Scoring rubric fixed for the cycle"),
        "ratings": gettext("Citizens' ratings at the counter"),
        "opinions": gettext("Opinions from above and below"),
    }


def section_label(name: str) -> str:
    return section_labels().get(name) or name.replace("_", " ")


def resolve(path: str | Path) -> Path:
    path = Path(path)
    return path if path.is_absolute() else PROJECT_ROOT / path


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=\s*(.*)$")
_INLINE_KEY = re.compile(r"[{,]\s*([A-Za-z0-9_-]+)\s*=")


def _split_key(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.findall(r"\"[^\"]*\"|'[^']*'|[^.]+", dotted))


def _strip_strings(value: str) -> str:
    """The value with its quoted strings emptied and its comment removed: what is left shows
    the brackets that open or close."""
    value = re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', '""', value)
    return value.split("#", 1)[0]


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Where each key path is set in a TOML text: {("levels", "1", "min_points"): 42, ...}.

    Arrays of tables (`[[levels]]`) and inline arrays of inline tables are numbered from 0, as
    marshmallow numbers list items in its errors; the keys of an inline table point at its line.
    A path is recorded where it is first seen, so a table's path points at its header.
    """
    found: dict[tuple[str, ...], int] = {}
    arrays: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    lines = text.splitlines()
    number = 0

    def note(path: tuple[str, ...], line: int) -> None:
        for end in range(1, len(path) + 1):
            found.setdefault(path[:end], line)

    def indexed(parts: tuple[str, ...]) -> tuple[str, ...]:
        # A header's path with the current item number after each array of tables in it.
        out: tuple[str, ...] = ()
        for part in parts:
            out += (part,)
            if out in arrays:
                out += (str(arrays[out]),)
        return out

    while number < len(lines):
        line = lines[number]
        number += 1
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            parts = _split_key(header.group(2))
            if header.group(1) == "[[":
                key = indexed(parts[:-1]) + parts[-1:]
                arrays[key] = arrays.get(key, -1) + 1
                table = key + (str(arrays[key]),)
            else:
                table = indexed(parts)
            note(table, number)
            continue
        match = _KEY.match(line)
        if not match or line.lstrip().startswith("#"):
            continue
        path = table + _split_key(match.group(1))
        note(path, number)
        value = match.group(2)
        for inner in _INLINE_KEY.findall(_strip_strings(value)):
            found.setdefault(path + (inner,), number)
        for quote in ('"""', "'''"):
            if value.lstrip().startswith(quote) and value.count(quote) == 1:
                # A multi-line string: its lines are text, not keys.
                while number < len(lines) and quote not in lines[number]:
                    number += 1
                number += 1
        depth = _strip_strings(value).count("[") - _strip_strings(value).count("]")
        item = -1
        while depth > 0 and number < len(lines):
            # A value spread over several lines: an array, perhaps of inline tables.
            inner_line = _strip_strings(lines[number])
            number += 1
            if depth == 1 and inner_line.lstrip().startswith("{"):
                item += 1
                note(path + (str(item),), number)
                for inner in _INLINE_KEY.findall(inner_line):
                    found.setdefault(path + (str(item), inner), number)
            depth += inner_line.count("[") - inner_line.count("]")
    return found


def _line_of(text: str, key_path: str) -> int | None:
    """The line that sets `key_path` ("levels.1.min_points"), else the line of the nearest
    enclosing key or table that the file has; None when not even the first key is there."""
    where = _key_lines(text)
    parts = tuple(part for part in key_path.split(".") if part != "_schema")
    while parts:
        if parts in where:
            return where[parts]
        parts = parts[:-1]
    return None


def located_errors(messages: dict[str, Any], text: str, source: str, prefix: str = "") -> list[str]:
    """Marshmallow's nested errors as lines "file:line: key.path: message"."""
    problems = []
    for key_path, texts in flatten_errors(messages).items():
        full = ".".join(part for part in f"{prefix}{key_path}".split(".") if part != "_schema")
        line = _line_of(text, full) if full else None
        where = f"{source}:{line}" if line else source
        problems.extend(f"{where}: {full}: {m}" if full else f"{where}: {m}" for m in texts)
    return problems


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
            problems.extend(located_errors(exc.messages, text, source, prefix=f"{name}."))
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
