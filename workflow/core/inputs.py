"""Bounds on what a request may carry, enforced once for the whole application.

- Whole numbers in URLs (`<int:…>` in every route) are ids: ASCII digits within the database's
  INTEGER, so an id that no row can have is a 404 rather than an overflow in the database.
- Whole numbers typed into forms and query strings are read by `whole_number`, never by
  `int(raw) if raw.isdigit()` (`"²".isdigit()` is true, `int("²")` fails).
- JSON bodies are checked before any view reads them: their size, how deeply they nest, and how
  long a number may be (a 5,000-digit integer is refused by Python's own parser with an error
  no view expects).

Whole numbers and text inside JSON and form fields are checked by the schemas
(`workflow.core.schemas.BaseSchema` and its `Text` field).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, request
from flask_babel import gettext
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map, ValidationError

from workflow.core.errors import DomainError

# PostgreSQL's INTEGER, the type of every id, version and position column.
MAX_INT = 2**31 - 1
MIN_INT = -(2**31)
_MAX_INT_DIGITS = len(str(MAX_INT))

MAX_JSON_BYTES = 4 * 1024 * 1024  # the largest report (200 targets × 4,000 characters) is under 3 MB
MAX_JSON_DEPTH = 32  # the documents the API takes nest a few levels
MAX_NUMBER_CHARACTERS = 40  # a decimal with 15 digits before and 4 after the point needs 21


class BadRequest(DomainError):
    """A request that cannot be read at all; the message says what is wrong with it."""

    status_code = 400


class RequestTooLarge(DomainError):
    status_code = 413


class IdConverter(IntegerConverter):
    """`<int:…>`: a whole number from 0 to MAX_INT written in ASCII digits, else 404. Its bounds
    appear in the OpenAPI document."""

    regex = r"[0-9]+"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = 0, max: int | None = MAX_INT, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> Any:
        # Werkzeug turns a converter's ValidationError into 405 when the path has a route for
        # another method; an id that cannot exist is simply not found.
        if len(value.lstrip("0")) > _MAX_INT_DIGITS:  # refused before int() reads 5,000 digits
            raise NotFound()
        try:
            return super().to_python(value)
        except ValidationError:
            raise NotFound() from None


def whole_number(raw: Any, *, maximum: int = MAX_INT) -> int | None:
    """A whole number from a form or a query string (an id, a quarter, a version), or None when
    the text is not one: ASCII digits only, at most `maximum`."""
    text = str(raw if raw is not None else "").strip()
    if not text or not text.isascii() or not text.isdigit() or len(text.lstrip("0")) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None


class _NumberTooLong(ValueError):
    pass


class _NotJson(ValueError):
    pass


def _number(kind: type) -> Any:
    def parse(text: str) -> Any:
        if len(text) > MAX_NUMBER_CHARACTERS:
            raise _NumberTooLong(text)
        return kind(text)

    return parse


def _constant(name: str) -> Any:
    raise _NotJson(name)  # NaN and Infinity are not JSON


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _refuse_size() -> None:
    raise RequestTooLarge(gettext("The request is too large: at most %(mb)s MB of JSON.", mb=MAX_JSON_BYTES // (1024 * 1024)))


def parse_json(data: bytes) -> Any:
    """Parse a JSON body within the limits above; raises BadRequest or RequestTooLarge with a
    message a person can act on."""
    if len(data) > MAX_JSON_BYTES:
        _refuse_size()
    too_deep = gettext("The JSON body nests too deeply: at most %(depth)s levels.", depth=MAX_JSON_DEPTH)
    try:
        value = json.loads(
            data.decode("utf-8"), parse_int=_number(int), parse_float=_number(float), parse_constant=_constant
        )
    except _NumberTooLong:
        raise BadRequest(gettext("A number in the request is too long: at most %(n)s characters.", n=MAX_NUMBER_CHARACTERS)) from None
    except RecursionError:
        raise BadRequest(too_deep) from None
    except ValueError:  # not UTF-8, not JSON, NaN or Infinity
        raise BadRequest(gettext("The request body is not valid JSON.")) from None
    if _too_deep(value):
        raise BadRequest(too_deep)
    return value


def init_app(app: Flask) -> None:
    """Before any view of a route is set up (the converter) and after sign-in is checked (the
    JSON body of a stranger is never read)."""
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def check_json_body() -> None:
        if request.method not in ("POST", "PUT", "PATCH", "DELETE") or not request.is_json:
            return
        if (request.content_length or 0) > MAX_JSON_BYTES:
            _refuse_size()  # unread
        data = request.get_data(cache=True)
        if data.strip():
            parse_json(data)
