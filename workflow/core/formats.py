"""Numbers, dates and quarters the Vietnamese way: how a person writes them in a form, and how
every page, e-mail, PDF and Excel file shows them, whatever the reader's language.

Reading (what a person typed in a web form):
- `parse_number` / `parse_whole`: `650,5`, `1.234,5`, `1 234,5` (see the grammar there);
- `parse_day`: `31/03/2027` (also `31.03.2027`, `31-03-2027`) or ISO `2027-03-31`.
Strings typed in a web form are read with this grammar only inside `typed_by_person()`, which
the form readers (`workflow.core.web.load_form` and the report and scoring forms) open around
the person's input; the JSON API keeps JSON numbers and machine strings (`1234.5`) as before,
and values the system stored itself are never re-read as if a person had typed them.

Showing (everywhere, in both languages):
- `number`: decimal comma, dots between thousands (`1.234,5`);
- `day`: `dd/mm/yyyy`; `day_time`: `dd/mm/yyyy HH:MM`; `time_of_day`: `HH:MM`, in the
  configured time zone (Asia/Ho_Chi_Minh);
- `quarter`: "Quý 1" … "Quý 4" ("Q1" in English; quarters are written with their digit, also
  inside sentences: "quý 1/2027");
- `excel_cell`: a value and its Excel number format (real numbers grouped the Vietnamese way,
  dates, local times).
Templates use the same helpers as the Jinja filters `number`, `date`, `datetime`, `time` and
`quarter`; the page scripts use `KPI.number` and `KPI.time` in static/js/app.js.
"""

from __future__ import annotations

from functools import lru_cache

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from flask import current_app, has_app_context
from flask_babel import gettext

NUMBER_LOCALE = "vi"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_PATTERN = "#,##0.####"
MAX_TYPED_LENGTH = 64
MINUS = "\u2212"

# --- reading what a person typed ---------------------------------------------------------------

_TYPED: ContextVar[bool] = ContextVar("typed_by_person", default=False)


@contextmanager
def typed_by_person() -> Iterator[None]:
    """Inside this block, text read by the number fields is what a person typed in a web form
    (`1.234,5`), not a machine's number (`1234.5`)."""
    token = _TYPED.set(True)
    try:
        yield
    finally:
        _TYPED.reset(token)


def is_typed_by_person() -> bool:
    return _TYPED.get()


class FormatError(ValueError):
    """Text that is not a number or a date as this module reads them; `message` says how to
    write it, in the reader's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Spaces people put between thousands: ordinary, no-break, narrow no-break and thin.
_SPACES = " \u00a0\u202f\u2009"
_NUMBER = re.compile(
    r"(?P<sign>[-+\u2212])?"
    r"(?P<int>[0-9]{1,3}(?P<sep>[." + _SPACES + r"])[0-9]{3}(?:(?P=sep)[0-9]{3})*|[0-9]+)"
    r"(?:,(?P<frac>[0-9]+))?"
)
# How a number written the English or machine way looks, to show it back rewritten.
_ENGLISH = re.compile(r"(?P<sign>[-+\u2212])?(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac>[0-9]+))?")


def parse_number(text: str) -> Decimal:
    """A number as a person writes it in Vietnamese, exactly:

        number   = [sign] integer ["," decimals]
        sign     = "-" | "−" | "+"
        integer  = digits                               1234
                 | 1–3 digits (separator 3 digits)…     1.234  1 234  1.234.567
        separator = "." or a space (ordinary, no-break, narrow or thin), the same throughout

    So the comma is always the decimal mark and the dot only ever separates thousands: `650,5`
    is 650.5, `1.234,5` and `1 234,5` are 1234.5, `1.234` is 1234 and `0,125` is 0.125.
    Anything else is refused rather than guessed: `650.5` (a dot before other than three digits),
    `1,234.5` (the English way), `1.23,4`, `1.234 567`, `1e5`. Spaces around are ignored.
    Raises FormatError with a message that shows how to write it.
    """
    raw = text.strip()
    match = _NUMBER.fullmatch(raw) if len(raw) <= MAX_TYPED_LENGTH else None
    if match is None:
        raise FormatError(_how_to_write_numbers(raw))
    sign = "-" if match["sign"] in ("-", MINUS) else ""
    digits = re.sub(r"[^0-9]", "", match["int"])
    return Decimal(sign + digits + ("." + match["frac"] if match["frac"] else ""))


def parse_whole(text: str) -> int:
    """A whole number in the same grammar (`1.000` is a thousand; `2,0` is 2)."""
    value = parse_number(text)
    if value != value.to_integral_value():
        raise FormatError(gettext("Must be a whole number."))
    return int(value)


def _how_to_write_numbers(raw: str) -> str:
    example = "1.234,5"
    english = _ENGLISH.fullmatch(raw)
    if english and (english["frac"] is not None or "," in english["int"]):
        try:
            sign = "-" if english["sign"] in ("-", MINUS) else ""
            value = Decimal(sign + english["int"].replace(",", "") + "." + (english["frac"] or "0"))
            example = number(value, "#,##0." + "#" * len(english["frac"] or ""))
        except InvalidOperation:
            pass
    return gettext("Write the number the Vietnamese way: a comma before the decimals and dots between thousands, for example %(example)s.",
                   example=example)


def read_number(value: Any) -> Decimal:
    """A number given to an operation: a JSON number as it is; text typed by a person in a web
    form (inside `typed_by_person()`) in the Vietnamese grammar of `parse_number`; other text
    (an API client's, or a value the system stored) the machine way (`1234.5`), a lone decimal
    comma (`92,5`) also accepted as before. Raises FormatError."""
    if isinstance(value, bool):
        raise FormatError(gettext("Must be a number."))
    if isinstance(value, (int, float, Decimal)):
        number_ = Decimal(str(value))
    elif is_typed_by_person():
        number_ = parse_number(str(value))
    else:
        try:
            number_ = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise FormatError(gettext("Must be a number.")) from None
    if not number_.is_finite():
        raise FormatError(gettext("Must be a finite number."))
    return number_


_DAY = re.compile(r"(?P<d>[0-9]{1,2})(?P<sep>[/.-])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})")
_ISO_DAY = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})")


def parse_day(text: str) -> date:
    """A date as a person writes it: day/month/year with a four-digit year (`31/03/2027`,
    `7/3/2027`, also with dots or hyphens), or ISO year-month-day (`2027-03-31`). Two-digit
    years and the American month/day order are not read (`03/31/2027` has no month 31).
    Raises FormatError."""
    raw = text.strip()
    match = (_DAY.fullmatch(raw) or _ISO_DAY.fullmatch(raw)) if len(raw) <= MAX_TYPED_LENGTH else None
    if match is None:
        raise FormatError(gettext("Write the date as day/month/year, for example 31/03/2027."))
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise FormatError(gettext("There is no such date: %(date)s.", date=raw)) from None


# --- showing ---------------------------------------------------------------------------------

def number(value: Any, pattern: str = DEFAULT_PATTERN) -> str:
    """`1.234,5`: a number the Vietnamese way (a babel pattern: "#,##0.00" for two decimals
    always, the default up to four as needed). None → ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(value)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    return _formatted(amount, pattern)


@lru_cache(maxsize=8192)
def _formatted(amount: Decimal, pattern: str) -> str:
    # Grids show the same few figures many times (4 dossiers, 70,00 points): babel's formatting
    # is the costly part of such a page, and equal amounts read the same under one pattern.
    text = format_decimal(amount, format=pattern, locale=NUMBER_LOCALE)
    return "0" if text in ("-0", "−0") else text


def timezone() -> ZoneInfo:
    name = current_app.config["KPI"]["timezone"] if has_app_context() else DEFAULT_TIMEZONE
    return ZoneInfo(name)


def local(moment: datetime) -> datetime:
    """An instant in the province's time zone (a naive datetime is taken as UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(timezone())


def day(value: date | datetime | str | None) -> str:
    """`07/12/2026`; an instant is first put in the province's time zone. None → ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)  # as snapshots and JSON keep dates
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = local(value)
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def day_time(value: datetime | None) -> str:
    """`07/12/2026 04:27` in the province's time zone. None → ""."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return day(value)
    moment = local(value)
    return f"{day(moment.date())} {moment.hour:02d}:{moment.minute:02d}"


def time_of_day(value: datetime | None) -> str:
    """`04:27` in the province's time zone. None → ""."""
    if value is None:
        return ""
    moment = local(value)
    return f"{moment.hour:02d}:{moment.minute:02d}"


def quarter(q: int) -> str:
    """"Quý 1" … "Quý 4" ("Q1" in English): a quarter standing alone (a heading, a column)."""
    return gettext("Q%(quarter)s", quarter=q)


def month(number: int, year: int) -> str:
    """"Tháng 3/2026" ("March 2026" reads "3/2026" in English): a month of a year standing alone."""
    return gettext("Month %(month)s/%(year)s", month=number, year=year)


def excel_number_format(value: Any) -> str:
    """The number format of a numeric Excel cell: grouped thousands and as many decimals as the
    value has (at most four), marked Vietnamese (LCID 042A) so that a spreadsheet set to
    Vietnamese shows `1.234,5`. The cell keeps a real number that sorts and sums."""
    places = 0
    if isinstance(value, (float, Decimal)) and not isinstance(value, bool):
        exponent = Decimal(str(value)).quantize(Decimal("0.0001")).normalize().as_tuple().exponent
        places = max(0, -int(exponent))
    return "[$-42A]#,##0" + ("." + "0" * places if places else "")


EXCEL_DATE = "DD/MM/YYYY"
EXCEL_DATE_TIME = "DD/MM/YYYY HH:MM"


def excel_cell(value: Any) -> tuple[Any, str | None]:
    """A value for an Excel cell and its number format (None: the cell's own): numbers stay
    numbers (a Decimal becomes an int or a float), grouped the Vietnamese way; a date shows
    dd/mm/yyyy; an instant is put in the province's time zone and shows dd/mm/yyyy hh:mm;
    anything else is left as it is."""
    if isinstance(value, bool) or value is None:
        return value, None
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (int, float)):
        return value, excel_number_format(value)
    if isinstance(value, datetime):
        return local(value).replace(tzinfo=None), EXCEL_DATE_TIME
    if isinstance(value, date):
        return value, EXCEL_DATE
    return value, None
