"""The printable evaluation sheet of one head (phiếu đánh giá, xếp loại), as a PDF made with
fpdf2 and the bundled DejaVu Sans (every Vietnamese letter with its diacritics; nothing is
fetched at run time). A4, in Vietnamese whatever the reader's language, as it is filed.

Content: the head, unit, cycle; each target with its assigned value, result and figures; the
council's panel score and proposal; the committee's decision (and its reason if it departs from
the proposal); the date. What a head may see: no member's name beside a score.
"""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from workflow.core import formats
from workflow.core.models import utcnow
from workflow.core.pdf import PrintableText
from workflow.settings import PROJECT_ROOT

FONTS = PROJECT_ROOT / "workflow" / "static" / "fonts" / "dejavu"


def _n(value: Any, places: int = 2) -> str:
    """A number the Vietnamese way with `places` decimals: 1.234,50."""
    if value is None:
        return "—"
    return formats.number(value, "#,##0" + ("." + "0" * places if places else ""))


class _Sheet(PrintableText, FPDF):
    def header(self) -> None:  # noqa: D102
        self.set_font("DejaVu", "", 9)
        self.cell(0, 5, "KPI Workflow — Hội đồng tư vấn đánh giá và đề xuất xếp loại cán bộ", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def footer(self) -> None:  # noqa: D102
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="C")


def a4_sheet(title: str, kind: type[_Sheet] = _Sheet) -> _Sheet:
    """An A4 sheet with the bundled fonts, its title set and its first page added."""
    pdf = kind(format="A4")
    pdf.alias_nb_pages()
    pdf.set_margins(15, 12, 15)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.add_page()
    return pdf


def evaluation_sheet(ctx: dict[str, Any]) -> bytes:
    registration = ctx["registration"]
    rubric = ctx["rubric"]
    names = {level.code: level.name.vi for level in rubric.levels}
    pdf = a4_sheet(f"Phiếu đánh giá, xếp loại — {registration.head.full_name}")
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 8, "PHIẾU ĐÁNH GIÁ, XẾP LOẠI NGƯỜI ĐỨNG ĐẦU\nTHEO KẾT QUẢ THỰC HIỆN CHỈ TIÊU, NHIỆM VỤ ĐƯỢC GIAO", align="C",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(0, 7, ctx["cycle"].name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    for label, value in (("Họ và tên", registration.head.full_name), ("Chức vụ", registration.head.title),
                         ("Cơ quan, đơn vị", registration.unit.name), ("Nhóm", registration.unit.group.name),
                         ("Quyết định giao chỉ tiêu", f"{registration.decision_number} ngày {formats.day(registration.decision_date)}")):
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(48, 6, f"{label}:")
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 6, value or "", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, "I. KẾT QUẢ THỰC HIỆN CHỈ TIÊU, NHIỆM VỤ", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 8.5)
    with pdf.table(col_widths=(6, 52, 24, 24, 10, 12, 12, 12, 14), text_align=("CENTER", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
                   line_height=4.6, first_row_as_headings=True) as table:
        table.row(["TT", "Chỉ tiêu, nhiệm vụ", "Được giao", "Kết quả", "Tỷ trọng", "Số lượng %", "Chất lượng %", "Tiến độ %", "Kết quả %"])
        for i, line in enumerate(ctx["lines"], start=1):
            t, f, r = line.target, line.facts, line.result
            if t.kind.value == "quantitative":
                assigned = f"{_n(t.baseline, 2)} → {_n(t.target_value, 2)} {t.measure}"
                reached = f"{_n(f.actual, 2)} {t.measure}" if f and f.actual is not None else "Chưa có số liệu được chấp nhận"
            else:
                assigned = f"{t.product} (hạn {formats.day(t.due_date)})"
                reached = ("Hoàn thành" + (f" ngày {formats.day(f.delivered_on)}" if f and f.delivered_on else "") +
                           (f", chậm {f.days_late} ngày" if f and f.days_late else "")) if f and f.done else "Chưa hoàn thành"
            table.row([str(i), t.title, assigned, reached, _n(t.weight, 0), _n(r.quantity_percent), _n(r.quality_percent), _n(r.timeliness_percent), _n(r.result_percent)])
    overrides = ctx["overrides"]
    if overrides:
        pdf.ln(1)
        pdf.set_font("DejaVu", "", 8.5)
        for o in overrides:
            pdf.multi_cell(0, 4.6, f"• {ctx['titles'].get(o['target_id'], '')}: Hội đồng điều chỉnh số liệu thành {formats.number(o['value'])}. Lý do: {o['reason']}",
                           new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    evaluation = ctx["evaluation"]
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, "II. ĐỀ XUẤT CỦA HỘI ĐỒNG TƯ VẤN", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    row = ctx["proposal_row"]
    if row:
        pdf.multi_cell(0, 6, f"Điểm kết quả nhiệm vụ (phiếu trung vị): {_n(evaluation.total.task_points)}/{_n(rubric.tasks.max_points, 0)}. "
                             f"Điểm của Hội đồng: {_n(row['panel_score'])} ({row['ratings']} phiếu).",
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        proposed = names.get(row["level"] or "", "Hòa tại ngưỡng tỷ lệ, để Ban Thường vụ quyết định")
        pdf.multi_cell(0, 6, f"Đề xuất xếp loại: {proposed}.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        pdf.multi_cell(0, 6, "Danh sách đề xuất chưa được Chủ tịch Hội đồng chốt.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, "III. QUYẾT ĐỊNH CỦA BAN THƯỜNG VỤ", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    decision = ctx["decision"]
    pdf.set_font("DejaVu", "B", 12)
    unclassified = ctx.get("not_classified")
    pdf.multi_cell(0, 7, f"Xếp loại: {names.get(decision.level, decision.level).upper()}" if decision
                   else (unclassified.sentence_vi() if unclassified else "Chưa có quyết định."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    if decision and not decision.follows_proposal:
        pdf.multi_cell(0, 6, f"Lý do khác với đề xuất của Hội đồng: {decision.reason}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if decision:
        pdf.multi_cell(0, 6, f"Quyết định (phiên bản {decision.number}) ngày {formats.day(decision.decided_at)}.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    why = ctx["level_explanation"]
    if why:
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(0, 6, "Căn cứ xếp loại:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 6, why["sentence"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if ctx["recheck_note"]:
        pdf.multi_cell(0, 6, ctx["recheck_note"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    # The date line of an administrative document is written out (Nghị định 30/2020/NĐ-CP);
    # the day is the province's.
    today = formats.local(utcnow()).date()
    pdf.cell(0, 6, f"Ngày {today.day:02d} tháng {today.month:02d} năm {today.year}", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(0, 6, "TM. HỘI ĐỒNG TƯ VẤN", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 8.5)
    pdf.note_unprintable()
    return bytes(pdf.output())
