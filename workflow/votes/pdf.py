"""Printed papers of a round, made with fpdf2 and the bundled DejaVu Sans, in Vietnamese as they
are filed: the paper ballots (one sheet per person summoned, every person voted on), the slips of
one-time codes for the hall, and the minutes of the count (biên bản kiểm phiếu) with the board's
signatures. A ballot sheet bears no number or name, so that a marked sheet cannot be traced back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import force_locale
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from workflow.core import formats
from workflow.core.pdf import PrintableText
from workflow.settings import PROJECT_ROOT
from workflow.votes.models import VoteResult, VoteRound
from workflow.votes.results import Totals, percent, share_of

FONTS = PROJECT_ROOT / "workflow" / "static" / "fonts" / "dejavu"
NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


class _Paper(PrintableText, FPDF):
    pass


def _paper(title: str) -> _Paper:
    pdf = _Paper(format="A4")
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(True, 12)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    return pdf


def _heading(pdf: _Paper, round_: VoteRound, title: str) -> None:
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(90, 5, round_.organiser.name.upper())
    pdf.cell(0, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="R", **NEXT)
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(90, 5, f"Nhiệm kỳ {round_.term}")
    pdf.cell(0, 5, "Độc lập - Tự do - Hạnh phúc", align="R", **NEXT)
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 7, title, align="C", **NEXT)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 6, f"{round_.title}, ngày {formats.day(round_.held_on)}", align="C", **NEXT)
    pdf.ln(2)


def ballots(round_: VoteRound, sheets: int) -> bytes:
    """`sheets` identical blank ballots (one per person summoned)."""
    form = round_.rules["form"]
    title = "PHIẾU " + form["name"]["vi"].upper()
    pdf = _paper(title)
    for _ in range(max(sheets, 1)):
        pdf.add_page()
        _heading(pdf, round_, title)
        pdf.set_font("DejaVu", "", 9)
        if round_.rules["criteria"]:
            pdf.multi_cell(0, 5, "Tiêu chí: " + "; ".join(c["vi"] for c in round_.rules["criteria"]) + ".", **NEXT)
        pdf.multi_cell(0, 5, "Đánh dấu (X) vào một ô duy nhất cho mỗi người; phiếu đánh nhiều ô hoặc không đánh ô nào cho một người "
                             "là không hợp lệ đối với người đó.", **NEXT)
        pdf.ln(2)
        levels = form["levels"]
        widths = (8, 58, 52) + (round(62 / len(levels), 1),) * len(levels)
        pdf.set_font("DejaVu", "", 9)
        with pdf.table(col_widths=widths, line_height=6, first_row_as_headings=True,
                       text_align=("CENTER", "LEFT", "LEFT") + ("CENTER",) * len(levels)) as table:
            table.row(["TT", "Họ và tên", "Chức vụ"] + [level["name"]["vi"] for level in levels])
            for i, candidate in enumerate(round_.eligible, start=1):
                table.row([str(i), candidate.person.full_name, candidate.post] + [""] * len(levels))
        pdf.note_unprintable()
    return bytes(pdf.output())


def code_slips(round_: VoteRound, codes: Sequence[str], ballot_url: str) -> bytes:
    """The one-time codes, one slip each, ten to a page, to cut and hand out; no name on any."""
    pdf = _paper(f"Mã bỏ phiếu — {round_.title}")
    for i, code in enumerate(codes):
        if i % 10 == 0:
            pdf.add_page()
        x, y = 15 + (i % 2) * 92, 14 + ((i % 10) // 2) * 55
        pdf.rect(x, y, 88, 50)
        pdf.set_xy(x + 3, y + 3)
        pdf.set_font("DejaVu", "B", 9)
        pdf.multi_cell(82, 5, round_.title, **NEXT)
        pdf.set_x(x + 3)
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(82, 4.5, f"Mở {ballot_url} trên máy tính bảng hoặc điện thoại trong hội trường và nhập mã (dùng một lần):", **NEXT)
        pdf.set_x(x + 3)
        pdf.set_font("DejaVu", "B", 18)
        pdf.cell(82, 12, code, align="C", **NEXT)
    return bytes(pdf.output())


def minutes(round_: VoteRound, totals: Totals, results: Sequence[VoteResult], board: Sequence[Any]) -> bytes:
    """Biên bản kiểm phiếu: the figures of the round, each person's counts and shares against the
    rules' denominator, the outcome in words, and the board's signatures."""
    rules = round_.rules
    levels = rules["form"]["levels"]
    outcomes = {o["code"]: o["words"]["vi"] for o in rules["outcomes"]}
    level_names = {level["code"]: level["name"]["vi"] for level in levels}
    denominator = {"cast": "tổng số phiếu thu về", "valid": "tổng số phiếu hợp lệ", "summoned": "tổng số người được triệu tập"}[rules["denominator"]]
    title = "BIÊN BẢN KIỂM PHIẾU"
    pdf = _paper(f"{title} — {round_.title}")
    pdf.add_page()
    _heading(pdf, round_, title)
    pdf.set_font("DejaVu", "", 10)
    for line in (f"Hình thức: {rules['name']['vi']} ({'phiếu giấy' if round_.method.value == 'paper' else 'bỏ phiếu điện tử tại hội trường'}).",
                 f"Số người được triệu tập: {totals.summoned}; có mặt: {totals.attended}; tỷ lệ có mặt bắt buộc: {rules['quorum']}.",
                 f"Số phiếu thu về: {totals.cast}; hợp lệ: {totals.valid}; không hợp lệ: {totals.cast - totals.valid}.",
                 f"Tỷ lệ tính trên {denominator}."):
        pdf.multi_cell(0, 6, line, **NEXT)
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 8.5)
    widths = (7, 40, 30) + (17,) * len(levels) + (180 - 77 - 17 * len(levels),)
    with pdf.table(col_widths=widths, line_height=4.8, first_row_as_headings=True,
                   text_align=("CENTER", "LEFT", "LEFT") + ("RIGHT",) * len(levels) + ("LEFT",)) as table:
        table.row(["TT", "Họ và tên", "Chức vụ"] + [level["name"]["vi"] for level in levels] + ["Kết quả"])
        for i, result in enumerate(results, start=1):
            c = result.candidate
            cells = [f"{result.counts.get(level['code'], 0)} ({percent(share_of(result.counts, result.denominator, level['code']))}%)" for level in levels]
            verdict = level_names.get(result.outcome) or outcomes.get(result.outcome) or "Không thuộc trường hợp phải xem xét"
            table.row([str(i), c.person.full_name, c.post, *cells, verdict])
    left_out = [c for c in round_.candidates if c.excluded_code]
    if left_out:
        pdf.ln(3)
        pdf.set_font("DejaVu", "", 9)
        with force_locale("vi"):  # the minutes are in Vietnamese whoever prints them
            for c in left_out:
                pdf.multi_cell(0, 5, f"Không lấy phiếu đối với {c.person.full_name} ({c.post}): {c.excluded_reason}.", **NEXT)
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(0, 6, "BAN KIỂM PHIẾU", align="C", **NEXT)
    pdf.set_font("DejaVu", "", 9)
    width = 180 / max(len(board), 1)
    for member in board:
        pdf.cell(width, 5, "Trưởng ban" if member.chair else "Thành viên", align="C")
    pdf.ln(18)
    for member in board:
        pdf.cell(width, 5, member.person.full_name, align="C")
    pdf.ln(6)
    pdf.note_unprintable()
    return bytes(pdf.output())
