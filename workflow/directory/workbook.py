"""Writing a workbook in the form the import reads (the example under docs/, the benchmark's
province): a sheet per part of the organisation, headed in Vietnamese."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

from workflow.directory.reading import COLUMNS, SHEET_NAMES


def headings(sheet: str) -> list[str]:
    return [names[1][0].upper() + names[1][1:] for names in COLUMNS[sheet].values()]


def write(org: Mapping[str, Iterable[list[Any]]]) -> bytes:
    """`org`: rows by sheet ("units", "positions", "people"), cells in the order of COLUMNS."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for sheet, rows in org.items():
        ws = book.create_sheet(SHEET_NAMES[sheet][1].capitalize())
        ws.append(headings(sheet))
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
