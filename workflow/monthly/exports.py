"""What the monthly round prints and exports:

- the Excel workbook of an agency's month: each servant's products with what was assigned,
  delivered (and from which system) and assessed, the result and the month's points;
- the Excel workbook of the agency's year, from `year.compute` (read only): each servant's
  task-result points, general criteria, total, proposed and decided level, the reason and the
  sentence that explains it — what the reader may see of each (`year.view_of`);
- the servant's yearly sheet (phiếu đánh giá, xếp loại công chức năm) as a PDF in Vietnamese
  whatever the reader's language, as it is filed (like `workflow.council.sheet`).

Headings of the workbooks are in the reader's language; what people typed is written as text
(`workflow.core.excel`); numbers stay numbers, shown the Vietnamese way.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from flask_babel import force_locale, get_locale, gettext
from fpdf.enums import XPos, YPos
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from workflow.core import excel, formats
from workflow.core.models import utcnow
from workflow.council.sheet import _n, _Sheet, a4_sheet
from workflow.framework.models import Period, Subject
from workflow.monthly import queries, year
from workflow.monthly.workflow import MONTH
from workflow.reports.export import _headings, _number
from workflow.units.models import Unit


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def month_workbook(unit: Unit, period: Period) -> bytes:
    """The agency's month, one row per product of each servant (a servant whose month has no
    products yet: one row with its state)."""
    book = Workbook()
    sheet = book.active
    label = f"{period.number:02d}-{period.cycle.year}"  # a sheet's title cannot hold "/"
    sheet.title = gettext("Month %(month)s", month=label)[:31]
    excel.append(sheet, [f"{unit.name} — {formats.month(period.number, period.cycle.year)}"], font=Font(bold=True, size=13))
    excel.append(sheet, [gettext("Assessment due"), period.due_on])
    excel.append(sheet, [])
    _headings(sheet, [
        gettext("Civil servant"), gettext("Title"), gettext("State"), gettext("Product"), gettext("Unit of measure"), gettext("Quantity"),
        gettext("Coefficient"), gettext("Due"), gettext("Quantity delivered"), gettext("Delivered on"), gettext("Evidence link"),
        gettext("Source system"), gettext("Quantity that counts"), gettext("Errors of quality"), gettext("Delays"), gettext("Result (%)"),
        gettext("Points of the month"),
    ], [28, 20, 22, 40, 14, 10, 10, 12, 12, 12, 30, 24, 12, 10, 10, 10, 12])
    for subject, plan in queries.unit_months(unit.id, period):
        person = subject.person
        head = [person.full_name, person.title or "",
                str(MONTH.label(plan.state)) if plan is not None else gettext("Not planned")]
        points = _number(plan.points) if plan is not None else None
        if plan is None or not plan.lines:
            excel.append(sheet, [*head, *([None] * 13), points])
            continue
        for ln in plan.lines:
            excel.append(sheet, [*head, ln.name, ln.measure, _number(ln.quantity), _number(ln.coefficient), ln.due_on,
                                 _number(ln.delivered_quantity), ln.delivered_on, ln.evidence_link or None, ln.source or None,
                                 _number(ln.assessed_quantity), ln.errors if ln.result_percent is not None else None,
                                 ln.delays if ln.result_percent is not None else None, _number(ln.result_percent), points])
    return _save(book)


def year_workbook(panel: year.YearPanel, actor: Any) -> bytes:
    """The agency's year as `actor` may see it: one row per servant."""
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("Year %(year)s", year=panel.cycle.year)[:31]
    units = sorted({r.subject.unit.name for r in panel.rows})
    excel.append(sheet, [f"{', '.join(units)} — {panel.cycle.name}"], font=Font(bold=True, size=13))
    excel.append(sheet, [gettext("Rubric %(version)s", version=panel.rubric.version)])
    excel.append(sheet, [])
    general = panel.rubric.general
    locale = str(get_locale() or "vi")
    _headings(sheet, [
        gettext("Civil servant"), gettext("Title"), gettext("Months counted"), gettext("Task-result points"),
        *[c.name.get(locale) for c in general], gettext("General criteria"), gettext("Deduction"), gettext("Total"),
        gettext("Proposed level"), gettext("Level decided"), gettext("Reason"), gettext("Why"),
    ], [28, 20, 10, 12, *[14] * len(general), 12, 10, 10, 22, 22, 30, 80])
    names = {lv.code: lv.name.get(locale) for lv in panel.rubric.levels}
    for row in panel.rows:
        shown = year.view_of(panel, row.subject.id, actor)
        person, result, total = row.subject.person, shown["result"], shown["total"]
        scores = dict(total.general) if total is not None else {}
        excel.append(sheet, [
            person.full_name, person.title or "", len(shown["year"].periods), _number(shown["year"].points),
            *[_number(scores.get(c.code)) for c in general], _number(total.general_points) if total else None,
            _number(total.evidence_deduction) if total else None,
            _number(total.total) if total else _number(shown["decided_total"]),
            names.get(shown["proposed_level"] or "", shown["option_names"] if shown["proposal_visible"] and total else None) or None,
            names.get(shown["level"] or "") or None,
            (result.reason or None) if shown["level"] is not None and result is not None else None,
            shown["explanation"],
        ])
        sheet.cell(row=sheet.max_row, column=sheet.max_column).alignment = Alignment(wrap_text=True, vertical="top")
    return _save(book)


class _YearSheet(_Sheet):
    def header(self) -> None:  # noqa: D102
        self.set_font("DejaVu", "", 9)
        self.cell(0, 5, "KPI Workflow — Đánh giá, xếp loại chất lượng công chức", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def year_sheet_pdf(panel: year.YearPanel, subject: Subject, actor: Any) -> bytes:
    """Phiếu đánh giá, xếp loại chất lượng công chức năm: the months and their points, the
    task-result points, the general criteria, the total, the level and the sentence that
    explains it — in Vietnamese, as filed, and only what `actor` may see (`year.view_of`)."""
    with force_locale("vi"):
        shown = year.view_of(panel, subject.id, actor)
        months = queries.year_months(subject.id, panel.cycle.id)
        return _year_sheet(panel, subject, shown, months)


def _year_sheet(panel: year.YearPanel, subject: Subject, shown: dict[str, Any], months: list[Any]) -> bytes:
    rubric, person, result = panel.rubric, subject.person, shown["result"]
    names = {lv.code: lv.name.vi for lv in rubric.levels}
    pdf = a4_sheet(f"Phiếu đánh giá, xếp loại công chức năm {panel.cycle.year} — {person.full_name}", _YearSheet)
    line = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 8, f"PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC\nNĂM {panel.cycle.year}", align="C", **line)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, "(Nghị định số 335/2025/NĐ-CP)", align="C", **line)
    pdf.ln(3)
    for label, value in (("Họ và tên", person.full_name), ("Chức vụ, chức danh", person.title or ""),
                         ("Cơ quan, đơn vị", subject.unit.name)):
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(45, 6, f"{label}:")
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 6, value or "", **line)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ THEO THÁNG", **line)
    pdf.set_font("DejaVu", "", 9)
    with pdf.table(col_widths=(20, 60, 30), text_align=("CENTER", "LEFT", "RIGHT"), line_height=5, first_row_as_headings=True) as table:
        table.row(["Tháng", "Trạng thái", f"Điểm (tối đa {_n(rubric.tasks.max_points, 0)})"])
        for period, plan in months:
            table.row([f"{period.number:02d}/{panel.cycle.year}", str(MONTH.label(plan.state)) if plan else "Chưa lập kế hoạch",
                       _n(plan.points) if plan is not None and plan.points is not None else "—"])
    pdf.ln(1)
    pdf.set_font("DejaVu", "", 10)
    counted = shown["year"]
    pdf.multi_cell(0, 6, f"Điểm kết quả thực hiện nhiệm vụ của năm: {_n(counted.points)}/{_n(counted.max_points, 0)} "
                         f"(từ {len(counted.periods)} tháng đã được phê duyệt).", **line)
    visible = shown["proposal_visible"] or shown["level"] is not None
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, "II. TIÊU CHÍ CHUNG", **line)
    pdf.set_font("DejaVu", "", 10)
    if visible and result is not None and result.assessed_at is not None:
        scores = result.general or {}
        for criterion in rubric.general:
            value = scores.get(criterion.code)
            pdf.multi_cell(0, 6, f"• {criterion.name.vi}: {_n(Decimal(value)) if value is not None else '—'}/{_n(criterion.max_points, 0)}", **line)
        if result.general_note:
            pdf.multi_cell(0, 6, f"Nhận xét của lãnh đạo trực tiếp: {result.general_note}", **line)
    else:
        pdf.multi_cell(0, 6, "Lãnh đạo trực tiếp chưa chấm điểm tiêu chí chung.", **line)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, "III. TỔNG ĐIỂM VÀ XẾP LOẠI", **line)
    total = shown["total"].total if shown["total"] is not None else shown["decided_total"]
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 6, f"Tổng điểm: {_n(total)}/100." if total is not None else "Tổng điểm: chưa đủ để tính.", **line)
    pdf.set_font("DejaVu", "B", 12)
    if shown["level"] is not None:
        pdf.multi_cell(0, 7, f"Xếp loại: {names.get(shown['level'], shown['level']).upper()}", **line)
        pdf.set_font("DejaVu", "", 10)
        if result is not None and result.reason:
            pdf.multi_cell(0, 6, f"Lý do khác với mức đề xuất: {result.reason}", **line)
        if result is not None and result.decided_at:
            pdf.multi_cell(0, 6, f"Người đứng đầu cơ quan quyết định ngày {formats.day(result.decided_at)}.", **line)
    elif shown["proposed_level"] is not None:
        pdf.multi_cell(0, 7, f"Mức đề xuất: {names.get(shown['proposed_level'], shown['proposed_level'])} (chưa có quyết định)", **line)
    else:
        pdf.multi_cell(0, 7, "Chưa có mức xếp loại.", **line)
    pdf.set_font("DejaVu", "", 10)
    if shown["explanation"]:
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(0, 6, "Căn cứ xếp loại:", **line)
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 6, shown["explanation"], **line)
    pdf.ln(6)
    today = formats.local(utcnow()).date()
    pdf.cell(0, 6, f"Ngày {today.day:02d} tháng {today.month:02d} năm {today.year}", align="R", **line)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(0, 6, "NGƯỜI ĐỨNG ĐẦU CƠ QUAN", align="R", **line)
    pdf.set_font("DejaVu", "", 8.5)
    pdf.note_unprintable()
    return bytes(pdf.output())
