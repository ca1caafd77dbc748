"""A voter casts a ballot on a phone: the code from the slip, one level for each person, the
receipt — on a screen 390 px wide, with no sign-in, and nothing wider than the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import PHONE, axe_violations
from vote_support import vote_round
from workflow.extensions import db
from workflow.votes import operations, queries


pytestmark = [pytest.mark.browser, pytest.mark.real_commits]


def test_a_voter_casts_a_ballot_on_a_phone(live_server, browser_context):
    ctx = vote_round(method="electronic", summoned=3, candidates=3, open_voting=True)
    codes = operations.issue_codes(ctx.round, actor=ctx.staff)
    db.session.commit()

    page = browser_context(viewport=PHONE).new_page()
    page.goto(f"{live_server.url}/vote/{ctx.round.id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(page) == []
    page.get_by_label("Mã bỏ phiếu dùng một lần (in trên phiếu được phát)").fill(codes[0].lower())
    for candidate, level in zip(ctx.round.eligible, ("Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp")):
        page.get_by_role("group", name=candidate.person.full_name).get_by_label(level, exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Bỏ phiếu").click()
    expect(page.get_by_text("Phiếu của đồng chí đã được ghi nhận")).to_be_visible()
    receipt = page.locator("#receipt").inner_text()
    assert receipt and all(level not in page.locator("main").inner_text() for level in ("Tín nhiệm cao", "Tín nhiệm thấp"))

    page.get_by_role("link", name="Kiểm tra biên nhận").click()
    page.get_by_label("Biên nhận").fill(receipt)
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra").click()
    expect(page.get_by_text("Biên nhận này thuộc về một phiếu đã được kiểm.")).to_be_visible()
    db.session.expire_all()
    assert queries.ballots_cast(ctx.round) == 1
