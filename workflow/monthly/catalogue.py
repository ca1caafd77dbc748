"""Reading a product catalogue from an Excel workbook (openpyxl): the first sheet, a header row
naming the columns (Vietnamese or English), one product a row. Every bad row is named with its
line, its column and why; the caller writes nothing while any remains."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext
from openpyxl import load_workbook

from workflow.core import formats
from workflow.core.schemas import _CODE  # the same identifiers people type in the form

MAX_ROWS = 5000
# Column → the header words that name it (compared without case and surrounding spaces).
COLUMNS = {
    "code": ("mã", "mã sản phẩm", "code"),
    "name": ("tên sản phẩm", "sản phẩm", "tên", "name", "product"),
    "measure": ("đơn vị tính", "đvt", "measure", "unit of measure"),
    "coefficient": ("hệ số quy đổi", "hệ số", "coefficient"),
    "group": ("nhóm", "nhóm sản phẩm", "group"),
}
REQUIRED = ("code", "name", "measure", "coefficient")
LIMITS = {"code": 32, "name": 300, "measure": 50, "group": 200}


@dataclass(frozen=True)
class RowProblem:
    line: int  # the row number Excel shows
    column: str  # the header as written in the file (or the column's name when it is missing)
    why: str

    def __str__(self) -> str:
        return gettext("Line %(line)s, column “%(column)s”: %(why)s", line=self.line, column=self.column, why=self.why)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _coefficient(value: Any) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        number = formats.parse_number(_text(value))
    if not Decimal("0.01") <= number <= Decimal(1000):
        raise ValueError(gettext("Must be between %(min)s and %(max)s.", min=formats.number(Decimal("0.01")), max=1000))
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(gettext("At most %(places)s decimal places.", places=2))
    return number


def read_products(data: bytes) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """The products of the workbook and the problems found; rows left entirely empty are skipped."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001  (openpyxl raises many kinds for a file that is not a workbook)
        return [], [RowProblem(1, "—", gettext("This is not an Excel workbook (.xlsx)."))]
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    where: dict[str, int] = {}
    names: dict[str, str] = {}
    for index, cell in enumerate(header):
        label = _text(cell)
        for column, words in COLUMNS.items():
            if label.lower() in words and column not in where:
                where[column], names[column] = index, label
    problems = [RowProblem(1, COLUMNS[c][0], gettext("This column is missing.")) for c in REQUIRED if c not in where]
    if problems:
        return [], problems
    products: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        if line > MAX_ROWS + 1:
            problems.append(RowProblem(line, "—", gettext("At most %(count)s products in one file.", count=MAX_ROWS)))
            break
        values = {c: (row[i] if i < len(row) else None) for c, i in where.items()}
        if all(_text(v) == "" for v in values.values()):
            continue
        product: dict[str, Any] = {}
        for column in where:
            raw = values[column]
            try:
                if column == "coefficient":
                    if _text(raw) == "":
                        raise ValueError(gettext("This field is required."))
                    product[column] = _coefficient(raw)
                    continue
                text = _text(raw)
                if column in REQUIRED and not text:
                    raise ValueError(gettext("This field is required."))
                if len(text) > LIMITS[column]:
                    raise ValueError(gettext("At most %(max)s characters.", max=LIMITS[column]))
                if column == "code" and not _CODE.match(text):
                    raise ValueError(gettext("Use only letters without accents, digits, dots, hyphens and underscores."))
                product[column] = text
            except (ValueError, formats.FormatError, InvalidOperation) as exc:
                message = getattr(exc, "message", None) or (str(exc) if isinstance(exc, ValueError) else gettext("Not a number."))
                problems.append(RowProblem(line, names[column], message))
        code = product.get("code")
        if code:
            if code in seen:
                problems.append(RowProblem(line, names["code"], gettext("The same code is on line %(line)s.", line=seen[code])))
            seen.setdefault(code, line)
        product.setdefault("group", "")
        products.append(product)
    return products, problems
