"""The Excel workbook of a cycle, reopened and checked cell by cell, and the printable
evaluation sheet, its text extracted and checked with its Vietnamese diacritics."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

import factories as f
from council_support import council, open_scoring, published, reported_registration, score
from workflow.council.export import write_workbook


@pytest.fixture
def decided(app):
    cycle = f.year(2027)
    regs = [reported_registration(cycle, actual="1300", unit=f.unit(name="Sở Tài nguyên và Môi trường")),
            reported_registration(cycle, actual="1150", unit=f.unit(name="Huyện ủy Tam Đảo"))]
    open_scoring(cycle)
    seats = council(cycle, members=2)
    for name, general in (("m1", ("9", "9", "9")), ("m2", ("8", "8", "8")), ("chair", ("10", "9", "8"))):
        for registration in regs:
            score(seats[name], registration, general=general)
    session = published(cycle, regs, seats)
    return cycle, regs, seats, session


def test_workbook_cell_by_cell(decided):
    cycle, regs, seats, session = decided
    out = io.BytesIO()
    write_workbook(cycle, out)
    out.seek(0)
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["Tổng hợp", "Chỉ tiêu", "Điểm thành viên", "Thông tin"]
    rows = list(book["Tổng hợp"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Nhóm", "Cơ quan, đơn vị", "Người đứng đầu")
    members = [m for m in (seats["chair"], seats["secretary"], seats["m1"], seats["m2"])]
    assert header[3:3 + len(members)] == tuple(f"Điểm: {m.person.full_name}" for m in members)
    by_unit = {row[1]: dict(zip(header, row)) for row in rows[1:]}
    first = by_unit["Sở Tài nguyên và Môi trường"]
    # 70 task points + general 27, 24 and 27: mean 78.00 + ... each member's total as scored.
    assert first[f"Điểm: {seats['m1'].person.full_name}"] == 97.0
    assert first[f"Điểm: {seats['m2'].person.full_name}"] == 94.0
    assert first[f"Điểm: {seats['chair'].person.full_name}"] == 97.0
    assert first[f"Điểm: {seats['secretary'].person.full_name}"] is None  # did not score
    assert first["Điểm của Hội đồng"] == 96.0 and first["Số phiếu"] == 3 and first["Khoảng chênh"] == 3.0
    assert first["Quyết định của Ban Thường vụ"] in ("Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ")
    second = by_unit["Huyện ủy Tam Đảo"]
    assert second["Người đứng đầu"] == regs[1].head.full_name
    targets = list(book["Chỉ tiêu"].iter_rows(values_only=True))
    revenue = next(r for r in targets if r[0] == "Huyện ủy Tam Đảo" and r[1] == "Thu ngân sách nhà nước trên địa bàn")
    assert revenue[4:12] == (1000.0, 1200.0, 40.0, 1037.5, 1075.0, 1112.5, 1150.0, 1150.0)
    task = next(r for r in targets if r[0] == "Huyện ủy Tam Đảo" and r[2] == "Nhiệm vụ")
    assert task[10] == "Đã hoàn thành, đã bàn giao sản phẩm"  # the milestone in words, as the report says it
    cards = list(book["Điểm thành viên"].iter_rows(values_only=True))
    assert cards[0][3:6] == ("Phẩm chất chính trị, tư tưởng", "Đạo đức, lối sống", "Ý thức tổ chức kỷ luật, tác phong, lề lối làm việc")
    mine = [r for r in cards[1:] if r[0] == "Sở Tài nguyên và Môi trường" and r[2] == seats["m2"].person.full_name]
    assert mine == [("Sở Tài nguyên và Môi trường", regs[0].head.full_name, seats["m2"].person.full_name, 8.0, 8.0, 8.0, 24.0, 70.0, 94.0,
                     "Hoàn thành xuất sắc nhiệm vụ", mine[0][10])]
    assert len(cards) == 1 + 6


def test_workbook_download_needs_permission(decided, as_person):
    cycle, regs, seats, session = decided
    response = as_person(seats["chair"].person).get(f"/council/{cycle.id}/export.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert as_person(seats["m1"].person).get(f"/council/{cycle.id}/export.xlsx").status_code == 403
    assert as_person(f.head_of(regs[0])).get(f"/council/{cycle.id}/export.xlsx").status_code == 403


def test_evaluation_sheet_text_in_vietnamese(decided, as_person):
    cycle, regs, seats, session = decided
    head = f.head_of(regs[1])
    response = as_person(head).get(f"/council/results/{regs[1].id}/sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = " ".join(text.split())
    for words in ("PHIẾU ĐÁNH GIÁ, XẾP LOẠI", head.full_name, "Huyện ủy Tam Đảo", cycle.name, "Thu ngân sách nhà nước trên địa bàn",
                  "Điểm của Hội đồng", "QUYẾT ĐỊNH CỦA BAN THƯỜNG VỤ", "Xếp loại"):
        assert words in text, words
    page = reader.pages[0]
    assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842  # A4
    # A head never sees a member's name beside a score.
    for name in ("m1", "m2", "chair"):
        assert seats[name].person.full_name not in text
    other = f.head_of(regs[0])
    assert as_person(other).get(f"/council/results/{regs[1].id}/sheet.pdf").status_code == 403
