"""One servant's month and one manager's team, in a real Chromium: the servant records what was
delivered (Vietnamese numbers and dates) and submits the self-assessment; the manager sees it
beside the assessment on the team's grid and assesses the whole team with one button."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import factories as f
from browser import LAPTOP, axe_violations, describe, sign_in_page
from monthly_support import agency, planned  # noqa: F401  (fixture)
from workflow.extensions import db
from workflow.monthly.models import MonthlyPlan, MonthState

pytestmark = [pytest.mark.browser, pytest.mark.real_commits]


def test_a_servants_month_and_the_managers_team(live_server, browser_context, agency):
    lan, duc = planned(agency, "lan"), planned(agency, "duc")
    period = agency.month(3)
    db.session.commit()
    dossier, report = lan.lines

    page = browser_context(viewport=LAPTOP).new_page()
    sign_in_page(page, live_server.url, agency.lan.username, f.PASSWORD)
    page.goto(f"{live_server.url}/monthly/months/{lan.id}")
    page.fill(f"#f-lines\\.{dossier.id}\\.delivered_quantity", "4")
    page.fill(f"#f-lines\\.{dossier.id}\\.delivered_on", "18/03/2026")
    page.fill(f"#f-lines\\.{dossier.id}\\.evidence_link", "https://eoffice.vinhphuc.gov.vn/hs/42")
    page.fill(f"#f-lines\\.{report.id}\\.delivered_quantity", "1")
    page.fill(f"#f-lines\\.{report.id}\\.delivered_on", "30/03/2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi bản tự đánh giá").click()
    expect(page.get_by_text("Bản tự đánh giá đã được gửi đến lãnh đạo trực tiếp.")).to_be_visible()

    manager = browser_context(viewport=LAPTOP).new_page()
    sign_in_page(manager, live_server.url, agency.leader.username, f.PASSWORD)
    manager.goto(f"{live_server.url}/monthly/team?period_id={period.id}")
    grid = manager.locator("#team-grid")
    expect(grid.get_by_role("row", name="Phạm Thị Lan")).to_contain_text("4 / 4")
    expect(manager.locator("#team-form")).to_contain_text("18/03/2026")  # the self-assessment beside the assessment
    assert not (violations := axe_violations(manager)), describe(violations)
    manager.fill(f"#f-lines\\.{dossier.id}\\.errors", "1")
    with manager.expect_navigation():
        manager.get_by_role("button", name="Lưu kết quả đánh giá của tất cả").click()
    expect(manager.get_by_text("Đã đánh giá 2 tháng.")).to_be_visible()

    db.session.rollback()  # a new transaction: what the server committed since
    lan, duc = (db.session.get(MonthlyPlan, plan.id, populate_existing=True) for plan in (lan, duc))
    assert (lan.state, str(lan.points)) == (MonthState.ASSESSED, "66.67")
    assert duc.state == MonthState.ASSESSED and duc.without_self_assessment
