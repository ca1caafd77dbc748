"""A refused form in a real browser: the committee records another level than the council
proposed and forgets the reason. The page stays the decisions page, the message stands beside
the reason field in Vietnamese, the chosen level is still chosen, and nothing shows a status
code, a field name or a request id; with the reason added the same form records the decision."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

import factories as f
from browser import LAPTOP, sign_in_page
from council_support import awaiting_decisions
from workflow.accounts.models import Role
from workflow.council import queries
from workflow.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.real_commits]


def test_a_refused_decision_stays_on_the_form_with_its_message_beside_the_field(live_server, browser_context):
    cycle = f.year(2027)
    registration, _, _ = awaiting_decisions(cycle)
    committee = f.person(Role.COMMITTEE)
    db.session.commit()

    page = browser_context(viewport=LAPTOP).new_page()
    sign_in_page(page, live_server.url, committee.username, f.PASSWORD)
    decisions = f"{live_server.url}/council/{cycle.id}/decisions"
    page.goto(decisions)
    row = page.locator(f"#head-{registration.id}")
    row.locator("select[name=level]").select_option("not_completed")
    with page.expect_navigation():
        row.get_by_role("button", name="Ghi nhận").click()

    assert page.url.split("#")[0] == decisions  # the page's own address again, not the form's
    row = page.locator(f"#head-{registration.id}")
    reason = row.locator("input[name=reason]")
    expect(reason).to_have_class("form-control form-control-sm w-auto is-invalid")
    message = page.locator(f"#{reason.get_attribute('aria-describedby').split()[-1]}")
    expect(message).to_be_visible()
    assert "lý do" in message.inner_text().lower()
    expect(row.locator("select[name=level]")).to_have_value("not_completed")
    text = page.locator("body").inner_text()
    # The status code as a word of its own (a unit's name may hold the digits: "Sở số 3422").
    assert not re.search(r"(?<!\d)422(?!\d)", text)
    for technical in ("Mã lỗi", "reason", "yêu cầu "):
        assert technical not in text, technical
    assert queries.latest_decisions(cycle.id) == {}

    reason.fill("Thanh tra tỉnh kết luận dự án chậm 6 tháng so với cam kết.")
    with page.expect_navigation():
        row.get_by_role("button", name="Ghi nhận").click()
    expect(page.locator(".alert-success")).to_be_visible()
    db.session.rollback()  # a new transaction, which sees what the server committed
    decided = queries.latest_decisions(cycle.id)
    assert decided[registration.id].level == "not_completed"
