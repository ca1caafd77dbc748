"""The head of agency's monthly pages in a real Chromium: importing products delivered from
another system's export (upload, the preview naming the bad row, "valid rows only", import) and
the dashboard of months and levels; each page without serious accessibility violations and with
no code words in what it shows."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import factories as f
import page_words
from browser import LAPTOP, axe_violations, describe, sign_in_page
from monthly_support import agency, planned, xlsx  # noqa: F401  (fixture)
from workflow.extensions import db
from workflow.monthly.models import MonthlyPlan

pytestmark = [pytest.mark.browser, pytest.mark.real_commits]


def test_the_head_imports_what_eoffice_recorded_and_reads_the_dashboard(live_server, browser_context, agency, tmp_path):
    agency.lan.personnel_code = "CC-001"
    lan = planned(agency, "lan")
    period = agency.month(3)
    db.session.commit()
    upload = tmp_path / "eoffice.xlsx"
    upload.write_bytes(xlsx([["Số ký hiệu", "Mã cán bộ", "Mã sản phẩm", "Số lượng", "Ngày hoàn thành"],
                             ["VB-7", "CC-001", "HS-TD", 3, "17/03/2026"], ["VB-8", "CC-404", "HS-TD", 1, "17/03/2026"]]))
    names = page_words.demo_names() | {"E-Office"}

    page = browser_context(viewport=LAPTOP).new_page()
    sign_in_page(page, live_server.url, agency.head.username, f.PASSWORD)
    page.goto(f"{live_server.url}/monthly/team?period_id={period.id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Nhập kết quả sản phẩm từ hệ thống khác").click()
    page.fill("#f-source", "E-Office")
    page.set_input_files("#f-file", str(upload))
    with page.expect_navigation():
        page.get_by_role("button", name="Xem trước").click()
    problems = page.get_by_test_id("import-problems")
    expect(problems).to_contain_text("CC-404")
    expect(page.get_by_test_id("import-preview")).to_contain_text("Cập nhật")
    assert not (violations := axe_violations(page)), describe(violations)
    assert not page_words.code_words(page, "vi", names)
    page.get_by_label("Chỉ nhập các dòng hợp lệ: bỏ qua các dòng có lỗi").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Nhập", exact=True).click()
    expect(page.get_by_text("Đã nhập từ E-Office: cập nhật 1 sản phẩm, thêm 0, giữ nguyên 0, bỏ qua 1 dòng.")).to_be_visible()

    page.goto(f"{live_server.url}/monthly/months/{lan.id}")
    expect(page.get_by_text("Nhập từ E-Office: VB-7")).to_be_visible()
    page.goto(f"{live_server.url}/monthly/dashboard?cycle_id={agency.cycle.id}")
    expect(page.get_by_test_id("completion")).to_contain_text("Sở Nội vụ")
    assert not (violations := axe_violations(page)), describe(violations)
    assert not page_words.code_words(page, "vi", names)

    db.session.rollback()
    assert db.session.get(MonthlyPlan, lan.id, populate_existing=True).lines[0].delivered_quantity == 3
