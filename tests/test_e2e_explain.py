"""In a real Chromium: a result explains itself, and consequential steps are guarded.

- The committee decides one head more at the top level than the quota allows: the decision list
  says so, publishing is refused with the figures, and goes through once the exception (reason
  and legal basis) is recorded; the published list keeps it.
- A head whose level is below what the points give reads, on the result page and in the text of
  the printed sheet (PDF), which rule decided it and with which figures.
- An assignment decision dated in the future is refused on the form, beside the date.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

import factories as f
from browser import LAPTOP, sign_in_page
from council_support import five_at_the_top
from workflow.accounts.models import Role
from workflow.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.real_commits]

WHY_THIRD = ("91 điểm, đủ điểm mức Hoàn thành xuất sắc nhiệm vụ, nhưng vượt tỷ lệ 20% của mức Hoàn thành xuất sắc nhiệm vụ: 1 suất, "
             "5 người đạt (xếp thứ 3), nên xếp loại Hoàn thành tốt nhiệm vụ.")


def _page(browser_context, live_server, person):
    page = browser_context(viewport=LAPTOP).new_page()
    sign_in_page(page, live_server.url, person.username, f.PASSWORD)
    return page


def test_quota_exception_then_publish_and_the_level_sentence(live_server, browser_context):
    cycle = f.year(2027)
    group = f.group(name="Sở, ban, ngành")
    regs, _, committee = five_at_the_top(cycle, group)
    db.session.commit()

    page = _page(browser_context, live_server, committee)
    page.goto(f"{live_server.url}/council/{cycle.id}/decisions")
    row = page.locator(f"#head-{regs[1].id}")
    row.locator("select[name=level]").select_option("excellent")
    row.locator("input[name=reason]").fill("Hoàn thành dự án trọng điểm trước hạn 3 tháng")
    with page.expect_navigation():
        row.get_by_role("button").click()
    # Said as the committee decides, and on the list before publishing.
    expect(page.locator(".alert-warning").first).to_contain_text("vượt tỷ lệ 20% (chỉ được 1 suất trên 5 người)")
    scope = page.locator(f'[data-quota-scope="{group.id}"]')
    expect(scope).to_contain_text("Vượt tỷ lệ: cần ghi nhận ngoại lệ")
    form = page.locator("form:has(input[name=step][value=publish])")
    publish = form.locator("button[type=submit]")
    expect(publish).to_be_disabled()
    expect(page.locator("#why-publish")).to_contain_text("2 người được quyết định xếp loại Hoàn thành xuất sắc nhiệm vụ, vượt tỷ lệ 20%")
    # Publishing anyway (the form posted as it stands) is refused, with the figures.
    refused = page.request.post(f"{live_server.url}/council/{cycle.id}/session/step", form={
        "csrf_token": form.locator("input[name=csrf_token]").input_value(), "step": "publish",
        "version": form.locator("input[name=version]").input_value()})
    assert refused.status == 409 and "chỉ được 1 suất trên 5 người" in refused.text()

    scope.locator("textarea[name=reason]").fill("Hai đồng chí cùng hoàn thành nhiệm vụ đột xuất của Tỉnh ủy")
    scope.locator("textarea[name=legal_basis]").fill("Khoản 3 Điều 19 Nghị định 335/2025/NĐ-CP")
    with page.expect_navigation():
        scope.get_by_role("button", name="Ghi nhận ngoại lệ").click()
    expect(scope).to_contain_text("Đã ghi nhận ngoại lệ")
    with page.expect_navigation():
        publish.click()
    expect(page.locator(".alert-success").first).to_be_visible()
    expect(page.locator(f'[data-quota-scope="{group.id}"] [data-quota-exception]')).to_contain_text("Khoản 3 Điều 19 Nghị định 335/2025/NĐ-CP")

    head = _page(browser_context, live_server, f.head_of(regs[2]))
    head.goto(f"{live_server.url}/council/results/{regs[2].id}")
    expect(head.locator("#level-why")).to_contain_text(WHY_THIRD)
    sheet = head.request.get(f"{live_server.url}/council/results/{regs[2].id}/sheet.pdf")
    assert sheet.ok and sheet.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(sheet.body())).pages)
    assert WHY_THIRD in re.sub(r"\s+", " ", text)


def _fill_date(field, day: date) -> None:
    """A date field as the person types it: a native date input takes ISO, a text one dd/mm/yyyy."""
    field.fill(day.isoformat() if field.get_attribute("type") == "date" else day.strftime("%d/%m/%Y"))


def test_a_future_assignment_date_is_refused_on_the_form(live_server, browser_context):
    reg = f.complete_registration("reviewed")
    committee = f.person(Role.COMMITTEE)
    db.session.commit()
    page = _page(browser_context, live_server, committee)
    page.goto(f"{live_server.url}/registrations/{reg.id}/assign")
    page.locator('[name="decision_number"]').fill("125-QĐ/TU")
    _fill_date(page.locator('[name="decision_date"]'), date(2099, 1, 20))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator('[id="decision_date-error"]')).to_contain_text("Ngày quyết định không thể sau ngày hôm nay")
    expect(page.locator('[name="decision_number"]')).to_have_value("125-QĐ/TU")
    assert page.url.endswith(f"/registrations/{reg.id}/assign")
