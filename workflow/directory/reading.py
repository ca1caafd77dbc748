"""Reading the organisation from the forms personnel offices export: an Excel workbook with a
sheet each for units, positions and people, CSV files (one per sheet, told apart by their
columns), or the same rows as JSON (the API).

Columns are found by their heading, in English or in Vietnamese (`COLUMNS`), in any order;
unknown columns are ignored. Each row keeps its line in the file, so that every problem found
later names the line and the column. Nothing here looks at the database.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext

SHEETS = ("units", "positions", "people")

# The columns of each sheet: field → the headings that name it (compared without case, accents
# kept). The first heading is the one the example workbook uses.
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "units": {
        "code": ("code", "mã đơn vị"),
        "name": ("name", "tên đơn vị"),
        "parent_code": ("parent_code", "mã đơn vị cấp trên"),
        "group_code": ("group_code", "mã nhóm"),
        "group_name": ("group_name", "tên nhóm"),
    },
    "positions": {
        "code": ("code", "mã chức vụ"),
        "name": ("name", "tên chức vụ"),
        "track": ("track", "nhóm đối tượng"),
        "title": ("title", "biểu điểm"),
        "leads_unit": ("leads_unit", "đứng đầu đơn vị"),
    },
    "people": {
        "personnel_code": ("personnel_code", "mã cán bộ"),
        "full_name": ("full_name", "họ và tên"),
        "email": ("email", "thư điện tử"),
        "unit_code": ("unit_code", "mã đơn vị"),
        "position_code": ("position_code", "mã chức vụ"),
        "manager_code": ("manager_code", "mã lãnh đạo trực tiếp"),
        "start_date": ("start_date", "ngày nhận nhiệm vụ"),
    },
}
SHEET_NAMES = {"units": ("units", "đơn vị"), "positions": ("positions", "chức vụ"), "people": ("people", "cán bộ")}
# The column that tells a CSV file's sheet.
_KEY_COLUMN = {"people": "personnel_code", "positions": "leads_unit", "units": "parent_code"}
MAX_ROWS = 200_000


class ReadError(ValueError):
    """The file cannot be read as the organisation (no known sheet, a sheet without its key
    column, too many rows); the message says which."""


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values.get(name, "")


@dataclass
class Organisation:
    """The rows of each sheet the file has; a sheet the file does not have is None (left as the
    database holds it)."""

    units: list[Row] | None = None
    positions: list[Row] | None = None
    people: list[Row] | None = None
    sheets: list[str] = field(default_factory=list)
    # Each sheet given is the whole of that part of the organisation (False: a partial push).
    complete: bool = True

    def set(self, sheet: str, rows: list[Row]) -> None:
        if getattr(self, sheet) is not None:
            raise ReadError(gettext("The sheet %(sheet)s is given twice.", sheet=sheet))
        setattr(self, sheet, rows)
        self.sheets.append(sheet)


def _norm(text: Any) -> str:
    return unicodedata.normalize("NFC", str(text or "")).strip().lower()


def _cell(value: Any) -> str:
    if value.__class__ is str:  # most cells: checked before anything else (a million of them)
        return (value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)).strip()
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


def _sheet_of(title: str) -> str | None:
    name = _norm(title)
    return next((sheet for sheet, names in SHEET_NAMES.items() if name in names), None)


def _fields(sheet: str, header: list[Any]) -> dict[int, str]:
    by_heading = {heading: name for name, headings in COLUMNS[sheet].items() for heading in headings}
    return {i: by_heading[_norm(h)] for i, h in enumerate(header) if _norm(h) in by_heading}


def _rows(sheet: str, lines: Any) -> list[Row]:
    """Rows from an iterator of cell tuples whose first is the header; blank rows skipped."""
    try:
        header = next(lines)
    except StopIteration:
        return []
    columns = _fields(sheet, list(header))
    key = "code" if sheet != "people" else "personnel_code"
    if key not in columns.values():
        raise ReadError(gettext("The sheet %(sheet)s has no column %(column)s.", sheet=sheet, column=COLUMNS[sheet][key][0]))
    rows = []
    for line, cells in enumerate(lines, start=2):
        values = {name: _cell(cells[i]) if i < len(cells) else "" for i, name in columns.items()}
        if any(values.values()):
            rows.append(Row(line, values))
            if len(rows) > MAX_ROWS:
                raise ReadError(gettext("More than %(max)s rows in one sheet.", max=MAX_ROWS))
    return rows


def read_xlsx(content: bytes) -> Organisation:
    """The sheets of a workbook, read by calamine (a workbook of 60,000 people in about two
    seconds, where openpyxl's reader takes ten times as long). The caller has checked that the
    file unpacks within the upload limits."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        org = Organisation()
        for title in book.sheet_names:
            sheet = _sheet_of(title)
            if sheet is not None:
                org.set(sheet, _rows(sheet, iter(book.get_sheet_by_name(title).to_python(skip_empty_area=False))))
    except ReadError:
        raise
    except (CalamineError, ValueError, OSError):
        raise ReadError(gettext("This file is not an Excel workbook (.xlsx).")) from None
    if not org.sheets:
        raise ReadError(gettext("The workbook has none of the sheets units, positions, people (Đơn vị, Chức vụ, Cán bộ)."))
    return org


def _csv_sheet(header: list[str]) -> str | None:
    for sheet, key in _KEY_COLUMN.items():
        if key in _fields(sheet, header).values():
            return sheet
    return None


def read_csv(files: list[bytes], org: Organisation | None = None) -> Organisation:
    """One CSV file per sheet (UTF-8, with or without a byte-order mark; comma or semicolon)."""
    org = org or Organisation()
    for content in files:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ReadError(gettext("A CSV file must be in UTF-8.")) from None
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:  # one column, or nothing to tell from
            dialect = csv.excel
        lines = list(csv.reader(io.StringIO(text), dialect))
        sheet = _csv_sheet(lines[0]) if lines else None
        if sheet is None:
            raise ReadError(gettext("A CSV file has none of the columns personnel_code, leads_unit or parent_code: "
                                    "which sheet it is cannot be told."))
        org.set(sheet, _rows(sheet, iter(lines)))
    return org


def read_json(data: dict[str, list[dict[str, Any]]]) -> Organisation:
    """The API's body: {"units": [...], "positions": [...], "people": [...], "complete": bool},
    each row keyed by the English column names; a row's line is its place in the list."""
    org = Organisation(complete=data.get("complete", True) is not False)
    for sheet in SHEETS:
        if data.get(sheet) is not None:
            names = COLUMNS[sheet]
            org.set(sheet, [Row(i, {name: _cell(item.get(name)) for name in names}) for i, item in enumerate(data[sheet], start=1)])
    return org


def read(content: bytes, kind: str) -> Organisation:
    if kind == "xlsx":
        return read_xlsx(content)
    if kind == "csv":
        return read_csv(split_csv(content))
    import json

    return read_json(json.loads(content))


# Several CSV files uploaded together are kept as one content: each part after this line.
CSV_SEPARATOR = b"\n\x00--kpi-csv-part--\x00\n"


def join_csv(parts: list[bytes]) -> bytes:
    return CSV_SEPARATOR.join(parts)


def split_csv(content: bytes) -> list[bytes]:
    return content.split(CSV_SEPARATOR)
