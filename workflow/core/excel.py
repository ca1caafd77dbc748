"""Rows of the workbooks the service exports (the quarter's monitoring, the cycle's council
workbook): every row goes through `append`, so that what people typed is always written as
text, and numbers and dates stay numbers and dates, shown the Vietnamese way
(`workflow.core.formats.excel_cell`: 1.234,5 and dd/mm/yyyy).

openpyxl writes a string that starts with "=" as a formula (and "#N/A" as an error value), so a
narrative or a name such as `=HYPERLINK("http://…")` would run in the reader's Excel. Here every
string is a cell of type text (inline string), which Excel never evaluates, whatever it starts
with; a string that starts with one of the characters spreadsheets read as the start of a
formula (=, +, -, @, tab, carriage return: OWASP's list for CSV injection) also gets the
`quotePrefix` style, Excel's own leading apostrophe, so that it stays text even when someone
edits the cell and presses Enter.

The apostrophe OWASP suggests for CSV is not written into the value: in an xlsx file it would
become part of the text (a program reading the workbook, a sort or a lookup would see
"'=1+1"), while the cell type and the style keep the value exactly as it was typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font

from workflow.core import formats

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_LENGTH = 32767  # characters in one cell (Excel's limit)


def text(sheet: Any, value: str, *, font: Font | None = None) -> Cell:
    """A text cell holding `value` as typed (control characters a workbook cannot hold are
    shown as �; text beyond Excel's limit is cut)."""
    cell = Cell(sheet, row=1, column=1)  # placed by `append`
    # Set directly: the `value` setter would infer a formula or an error value from the text.
    cell._value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)[:MAX_LENGTH]
    cell.data_type = "s"
    if value.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell


def cells(sheet: Any, values: Iterable[Any], *, font: Font | None = None) -> list[Any]:
    """A row's values: strings as text cells; numbers and dates as real ones with their
    Vietnamese number format; None as an empty cell."""
    out: list[Any] = []
    for value in values:
        if isinstance(value, str):
            out.append(text(sheet, value, font=font))
            continue
        shown, number_format = formats.excel_cell(value)
        if shown is None or (number_format is None and font is None):
            out.append(shown)
            continue
        cell = Cell(sheet, row=1, column=1, value=shown)
        if number_format:
            cell.number_format = number_format
        if font is not None:
            cell.font = font
        out.append(cell)
    return out


def append(sheet: Any, values: Iterable[Any], *, font: Font | None = None) -> None:
    """Append a row to `sheet` (write-only or not)."""
    sheet.append(cells(sheet, values, font=font))
