"""The Excel workbook of a quarter (openpyxl): a summary sheet, then one row per head and
target with the plan, what was reported, progress, status and narrative. Headings are in the
reader's language (Vietnamese by default); numbers stay numbers, so staff can sort and sum,
shown the Vietnamese way (1.234,5), and dates dd/mm/yyyy (`workflow.core.formats.excel_cell`).

Built from a fixed number of statements whatever the number of heads.
"""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflow.core import excel
from workflow.core.models import utcnow
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.reports import monitoring
from workflow.reports.display import milestone_labels, status_labels
from workflow.reports.presenters import display_state, line
from workflow.reports.rules import report_rules
from workflow.reports.workflow import DISPLAY_LABELS
from workflow.targets.models import Registration, RegistrationState, TargetKind
from workflow.units.models import Unit

HEADER_FILL = PatternFill("solid", fgColor="8B1A1A")
HEADER_FONT = Font(bold=True, color="FFFFFF")
STATUS_FILLS = {"on_track": "D1E7DD", "at_risk": "FFF3CD", "off_track": "F8D7DA"}


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _headings(sheet: Any, titles: list[str], widths: list[int]) -> None:
    excel.append(sheet, titles)
    for i, width in enumerate(widths, start=1):
        cell = sheet.cell(row=sheet.max_row, column=i)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = f"A{sheet.max_row + 1}"


def workbook(cycle: Cycle, quarter: int, now: datetime | None = None) -> bytes:
    now = now or utcnow()
    registrations = list(db.session.scalars(
        select(Registration).join(Unit, Registration.unit_id == Unit.id)
        .where(Registration.cycle_id == cycle.id, Registration.state == RegistrationState.ASSIGNED)
        .options(joinedload(Registration.unit).joinedload(Unit.group), joinedload(Registration.unit).joinedload(Unit.staff_officer))
        .order_by(Unit.group_id, Unit.name)
    ))
    ids = [r.id for r in registrations]
    reports = {i: by_q.get(quarter) for i, by_q in monitoring._reports_by_registration(ids).items()}
    entries = monitoring._entries_of([r.id for r in reports.values() if r is not None])
    targets = monitoring._targets_by_registration(ids)
    heads = monitoring.heads_of([r.unit_id for r in registrations])
    _, ws = monitoring.windows(cycle)
    window = ws[quarter]
    bands = report_rules(cycle)
    statuses = status_labels()
    milestones = milestone_labels()

    book = Workbook()
    summary = book.active
    summary.title = gettext("Summary of the quarter")[:31]
    detail = book.create_sheet(gettext("Heads and targets")[:31])
    _headings(detail, [
        gettext("Group"), gettext("Unit"), gettext("Head"), gettext("Report"), gettext("Days late"), gettext("Target or task"),
        gettext("Kind"), gettext("Measure"), gettext("Plan for the quarter"), gettext("Actual"), gettext("Progress against the plan (%)"),
        gettext("Progress against the year's target (%)"), gettext("Status"), gettext("Narrative"), gettext("Confidence"),
    ], [24, 32, 24, 14, 10, 48, 14, 12, 16, 14, 14, 14, 14, 60, 11])
    counts = dict.fromkeys(monitoring.DISPLAY_STATES, 0)
    status_counts = dict.fromkeys(statuses, 0)
    late_total = 0
    for registration in registrations:
        report = reports[registration.id]
        state = display_state(report.state if report else None, due_at=window.due_at, opens_at=window.opens_at,
                              ever_submitted=bool(report and report.ever_submitted), now=now)
        counts[state] += 1
        late = report.days_late if report is not None and report.ever_submitted else 0
        late_total += 1 if late or state == "late" else 0
        head = heads.get(registration.unit_id)
        for target in targets[registration.id]:
            entry = entries[report.id].get(target.id) if report is not None else None
            ln = line(target, entry, quarter, window.quarter_ends_on, bands)
            if ln.status is not None and report is not None and report.ever_submitted:
                status_counts[ln.status.value] += 1
            quantitative = target.kind == TargetKind.QUANTITATIVE
            reported: Any = _number(entry.actual) if quantitative and entry else (
                milestones[entry.milestone_status] if entry and entry.milestone_status else None)
            excel.append(detail, [
                registration.unit.group.name, registration.unit.name, head.full_name if head else "", str(DISPLAY_LABELS[state]), late or None,
                target.title, gettext("Quantitative target") if quantitative else gettext("Task"), target.measure or None,
                _number(ln.plan) if quantitative else (ln.milestone or None), reported,
                _number(ln.vs_plan), _number(ln.vs_target), statuses[ln.status.value] if ln.status else None,
                entry.narrative if entry and entry.narrative else None, entry.confidence if entry else None,
            ])
            row = detail.max_row
            detail.cell(row=row, column=14).alignment = Alignment(wrap_text=True, vertical="top")
            if ln.status is not None:
                detail.cell(row=row, column=13).fill = PatternFill("solid", fgColor=STATUS_FILLS[ln.status.value])
    excel.append(summary, [gettext("Report for quarter %(quarter)s/%(year)s", quarter=quarter, year=cycle.year)])
    summary["A1"].font = Font(bold=True, size=14)
    excel.append(summary, [gettext("Report due date"), window.due_on])
    excel.append(summary, [gettext("Prepared at"), now])
    excel.append(summary, [])
    _headings(summary, [gettext("Reports"), gettext("Number")], [40, 14])
    summary.freeze_panes = None
    for state in monitoring.DISPLAY_STATES:
        excel.append(summary, [str(DISPLAY_LABELS[state]), counts[state]])
    excel.append(summary, [gettext("Heads"), len(registrations)])
    excel.append(summary, [gettext("Reports late"), late_total])
    excel.append(summary, [])
    _headings(summary, [gettext("Targets in the reports submitted"), gettext("Number")], [40, 14])
    summary.freeze_panes = None
    for key, label in statuses.items():
        excel.append(summary, [label, status_counts[key]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
