"""Marshmallow basics shared by every schema: translated error messages, a strict text field, the
number and date fields of every form (`Number`, `WholeNumber`, `Day`: the Vietnamese way of
`workflow.core.formats`) and validators whose messages a user can read in Vietnamese or English.

Whatever a schema declares, `BaseSchema` keeps every whole number it loads within the database's
INTEGER and every piece of text free of lone surrogates (`"\\ud800"` is valid JSON but no
database can store it), so bad input is a field-level 422, never an error in the database.

Importing this module installs the translated default messages on marshmallow's field classes;
every domain schema derives from `BaseSchema`, so the messages are in place before any field is
built.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from workflow.core import formats
from workflow.core.inputs import MAX_INT, MIN_INT

fields.Field.default_error_messages = {
    "required": _l("This field is required."),
    "null": _l("This field is required."),
    "validator_failed": _l("Invalid value."),
}
fields.String.default_error_messages = {"invalid": _l("Must be text."), "invalid_utf8": _l("Must be valid UTF-8 text.")}
fields.Number.default_error_messages = {"invalid": _l("Must be a number."), "too_large": _l("The number is too large.")}
fields.Integer.default_error_messages = {"invalid": _l("Must be a whole number.")}
fields.Decimal.default_error_messages = {"special": _l("Must be a finite number.")}
fields.Float.default_error_messages = {"special": _l("Must be a finite number.")}
fields.Boolean.default_error_messages = {"invalid": _l("Must be yes or no.")}
fields.Date.default_error_messages = {
    "invalid": _l("Write the date as day/month/year, for example 31/03/2027."),
    "format": _l("Write the date as day/month/year, for example 31/03/2027."),
}
fields.DateTime.default_error_messages = {
    "invalid": _l("Must be a date and time (ISO 8601)."),
    "invalid_awareness": _l("Must be a date and time with a time zone."),
    "format": _l("Must be a date and time (ISO 8601)."),
}
fields.List.default_error_messages = {"invalid": _l("Must be a list.")}
fields.Nested.default_error_messages = {"type": _l("Must be an object.")}
fields.Dict.default_error_messages = {"invalid": _l("Must be an object.")}
fields.Email.default_error_messages = {"invalid": _l("Must be an e-mail address.")}
fields.Enum.default_error_messages = {"unknown": _l("Not one of the allowed values.")}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def storable(value: Any) -> None:
    """Text without lone surrogates: UTF-8 (and so the database) cannot hold them."""
    if isinstance(value, str) and _SURROGATE.search(value):
        raise ValidationError(gettext("Contains a character that is not valid text."))


def _bound(field: fields.Field) -> None:
    """Bound the whole numbers and check the text a field (or the fields inside it) loads.

    A schema's fields are shallow copies of the declared ones (marshmallow copies a field, not
    its list of validators), so the list is replaced, never appended to: appending would add the
    check again to the declared field at every instance of the schema, and loading would grow
    slower with every request."""
    if isinstance(field, fields.Integer):
        ranges = [v for v in field.validators if hasattr(v, "min") and hasattr(v, "max")]
        if not any(v.min is not None and v.max is not None for v in ranges):
            field.validators = [*field.validators, between(MIN_INT, MAX_INT)]
    elif isinstance(field, fields.String) and not isinstance(field, Text):
        if storable not in field.validators:
            field.validators = [*field.validators, storable]
    elif isinstance(field, fields.List):
        _bound(field.inner)
    elif isinstance(field, fields.Dict):
        for inner in (field.key_field, field.value_field):
            if inner is not None:
                _bound(inner)


class BaseSchema(Schema):
    """Unknown fields are refused, so a misspelt field name is an error rather than ignored."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": _l("Unknown field."), "type": _l("Must be an object.")}

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        _bound(field_obj)


class Text(fields.String):
    """Text from a person: surrounding spaces removed, control characters refused, and a length
    limit that is always present (no unbounded text reaches the database).

    Text that may not be empty says so with the field's "required" message whether it is
    missing or only spaces, so a schema can ask for it in the domain's words
    (`error_messages={"required": _l("Say what the conflict of interest is.")}`)."""

    def __init__(self, *, max_length: int, allow_empty: bool = False, **kwargs: Any) -> None:
        validators = list(kwargs.pop("validate", []) or [])
        validators.append(length(max=max_length))
        super().__init__(validate=validators, **kwargs)
        self.max_length = max_length
        self.allow_empty = allow_empty

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text and not self.allow_empty:
            raise self.make_error("required")
        if _CONTROL.search(text):
            raise self.make_error("control")
        if _SURROGATE.search(text):
            raise self.make_error("surrogate")
        return text

    default_error_messages = {
        "control": _l("Contains characters that cannot be shown."),
        "surrogate": _l("Contains a character that is not valid text."),
    }


class _TypedByPerson:
    """Text typed by a person in a web form (read inside `formats.typed_by_person()`, as
    `load_form` does) is read by `parse`, the Vietnamese way; anything else as the base field
    reads it (the JSON API's numbers and machine strings, as before)."""

    parse: Any

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and formats.is_typed_by_person():
            try:
                value = self.parse(value)
            except formats.FormatError as exc:
                raise ValidationError(exc.message) from None
        return super()._deserialize(value, attr, data, **kwargs)  # type: ignore[misc]


class Number(_TypedByPerson, fields.Decimal):
    """A decimal number. From the JSON API: a JSON number, or a string the machine way
    (`"1234.5"`). Typed in a web form: `650,5`, `1.234,5`, `1 234,5`, by the grammar of
    `formats.parse_number`; anything ambiguous is refused with a message that shows how to
    write it."""

    parse = staticmethod(formats.parse_number)


class WholeNumber(_TypedByPerson, fields.Integer):
    """A whole number, read like `Number` (in a form `1.000` is a thousand)."""

    parse = staticmethod(formats.parse_whole)


class Day(fields.Date):
    """A date: `31/03/2027` (day/month/year, as people write it) or ISO `2027-03-31` (as API
    clients send it), by `formats.parse_day`; shown back as ISO in the API's output."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return formats.parse_day(value)
        except formats.FormatError as exc:
            raise ValidationError(exc.message) from None


def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError(gettext("This field is required."))


class length(validate.Validator):
    """Text length limits, with a message that says how long the text is."""

    def __init__(self, *, min: int | None = None, max: int | None = None) -> None:
        self.min, self.max = min, max

    def __call__(self, value: Any) -> Any:
        n = len(value)
        if self.min is not None and n < self.min:
            raise ValidationError(gettext("At least %(min)s characters.", min=self.min))
        if self.max is not None and n > self.max:
            raise ValidationError(gettext("At most %(max)s characters (this has %(length)s).", max=self.max, length=n))
        return value


class between(validate.Validator):
    """A numeric range; either end may be open, and either may be exclusive."""

    def __init__(
        self, min: float | None = None, max: float | None = None, *, min_exclusive: bool = False, max_exclusive: bool = False
    ) -> None:
        self.min, self.max = min, max
        self.min_exclusive, self.max_exclusive = min_exclusive, max_exclusive

    def __call__(self, value: Any) -> Any:
        low, high = _limit_text(self.min), _limit_text(self.max)
        if self.min is not None:
            if self.min_exclusive and not value > self.min:
                raise ValidationError(gettext("Must be greater than %(min)s.", min=low))
            if not self.min_exclusive and value < self.min:
                raise ValidationError(gettext("Must be at least %(min)s.", min=low))
        if self.max is not None:
            if self.max_exclusive and not value < self.max:
                raise ValidationError(gettext("Must be less than %(max)s.", max=high))
            if not self.max_exclusive and value > self.max:
                raise ValidationError(gettext("Must be at most %(max)s.", max=high))
        return value


def _limit_text(value: float | None) -> str:
    """A limit in a message: a decimal the Vietnamese way (0,5); a whole number, often a year,
    without grouping (2100)."""
    if value is None or float(value).is_integer():
        return "" if value is None else str(int(value))
    return formats.number(value)


class one_of(validate.Validator):
    def __init__(self, choices: Any) -> None:
        self.choices = list(choices)

    def __call__(self, value: Any) -> Any:
        if value not in self.choices:
            raise ValidationError(gettext("Must be one of: %(choices)s.", choices=", ".join(map(str, self.choices))))
        return value


_EMAIL = validate.Email()


def email_address(value: str) -> None:
    """An e-mail address; an empty value is left to `not_blank` (one message, not two)."""
    if not value.strip():
        return
    try:
        _EMAIL(value)
    except ValidationError:
        raise ValidationError(gettext("Must be an e-mail address.")) from None


_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def code(value: str) -> None:
    """A short identifier people type and read (a unit's code): letters, digits, . _ -."""
    if value and not _CODE.match(value):
        raise ValidationError(gettext("Use only letters without accents, digits, dots, hyphens and underscores."))


class PartialSchema(BaseSchema):
    """For PATCH: every field optional, the ones sent validated as on creation."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(**kwargs)
