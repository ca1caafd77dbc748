"""Never lose what a person typed, in a real Chromium: a half-filled report draft saved with its
button and reloaded (and a submission that names every missing field by its input); an
evidence upload that keeps the narrative typed before it; the report and the target form saving
themselves; a dropped connection tried again; a conflict said and nothing overwritten; leaving
with changes not saved asks first.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

import factories as f
from browser import LAPTOP, sign_in_page
from files import exe_bytes, pdf_bytes
from workflow.core.models import utcnow
from workflow.drafts.models import FormDraft
from workflow.extensions import db
from workflow.reports import operations as reports
from workflow.reports.models import QuarterlyReport

pytestmark = [pytest.mark.browser, pytest.mark.real_commits]

PAST = utcnow().year - 2  # every report window of this year is open
SAVED = re.compile(r"Đã lưu bản nháp lúc \d\d:\d\d")
LEAVE = "Có nội dung đồng chí đã nhập nhưng chưa được lưu. Rời trang này và bỏ các nội dung đó?"


def _signed_in(live_server, browser_context, person):
    page = browser_context(viewport=LAPTOP).new_page()
    sign_in_page(page, live_server.url, person.username, f.PASSWORD)
    return page


def _autosaved(response, status=200) -> bool:
    return response.request.method == "POST" and response.status == status and (
        response.url.endswith("/autosave") or response.request.post_data_buffer and b"_draft" in response.request.post_data_buffer)


@pytest.fixture
def report_page(live_server, browser_context):
    """The head on the draft report of quarter I (nothing filled in yet)."""
    reg = f.assigned_registration(PAST)
    head = f.head_of(reg)
    report = reports.open_report(reg, 1, actor=head)
    db.session.commit()
    page = _signed_in(live_server, browser_context, head)
    page.goto(f"{live_server.url}/reports/{report.id}")
    return page, reg, report


def _entry(report_id: int, target_id: int):
    db.session.rollback()  # a new transaction: what the server committed since
    return db.session.get(QuarterlyReport, report_id).entry_for(target_id)


def test_a_half_filled_report_draft_is_saved_and_reloaded(report_page):
    page, reg, report = report_page
    revenue, task, rate = reg.targets
    narrative = page.locator(f'[name="targets.{revenue.id}.narrative"]')
    narrative.fill("Quý I thu 310 tỷ đồng, đạt 103% kế hoạch quý.")
    # Every other target's required fields are empty: the draft is saved all the same.
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu bản nháp", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu bản nháp.")).to_be_visible()
    page.reload()
    expect(narrative).to_have_value("Quý I thu 310 tỷ đồng, đạt 103% kế hoạch quý.")
    assert _entry(report.id, revenue.id).narrative == "Quý I thu 310 tỷ đồng, đạt 103% kế hoạch quý."

    # Submitting names each missing field, by its input, in the person's language.
    page.once("dialog", lambda dialog: dialog.accept())  # "Submit the report …?"
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu và gửi báo cáo").click()
    for name in (f"targets.{revenue.id}.actual", f"targets.{task.id}.milestone_status", f"targets.{rate.id}.narrative"):
        expect(page.locator(f'[id="f-{name}"]')).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f'[id="{name}-error"]')).to_have_text("Bắt buộc trước khi gửi báo cáo.")
    expect(narrative).to_have_value("Quý I thu 310 tỷ đồng, đạt 103% kế hoạch quý.")


def test_an_upload_keeps_the_typed_narrative(report_page):
    page, reg, report = report_page
    revenue = reg.targets[0]
    line = page.locator(f"#target-{revenue.id}")
    narrative = line.locator(f'[name="targets.{revenue.id}.narrative"]')
    page.evaluate("() => { window.samePage = true; }")
    with page.expect_response(_autosaved):
        narrative.fill("Đang tổng hợp số liệu thu ngân sách quý I")
        line.locator("input[type=file]").set_input_files(
            files=[{"name": "bien-ban-quy-1.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Bien ban quy I")}])
        with page.expect_response(lambda r: r.url.endswith("/evidence") and r.status == 201):
            line.get_by_role("button", name="Tải lên").click()
        expect(line.get_by_role("link", name="bien-ban-quy-1.pdf")).to_be_visible()
        expect(narrative).to_have_value("Đang tổng hợp số liệu thu ngân sách quý I")
        # A refused file says why by its input, and the narrative stays.
        line.locator("input[type=file]").set_input_files(
            files=[{"name": "bang-ke.pdf", "mimeType": "application/pdf", "buffer": exe_bytes()}])
        line.get_by_role("button", name="Tải lên").click()
        expect(line.locator(".invalid-feedback")).to_contain_text("Loại tệp này không được chấp nhận")
        expect(narrative).to_have_value("Đang tổng hợp số liệu thu ngân sách quý I")
    assert page.evaluate("() => window.samePage") is True  # never reloaded
    # The draft saved itself besides, whatever the order (each request carries the version the
    # one before returned).
    assert _entry(report.id, revenue.id).narrative == "Đang tổng hợp số liệu thu ngân sách quý I"
    # Removing the file in the background leaves the narrative too.
    with page.expect_response(_autosaved):
        narrative.fill("Đã thay biên bản bằng bản có chữ ký")
        with page.expect_response(lambda r: r.url.endswith("/remove") and r.ok):
            line.get_by_role("button", name="Xóa bien-ban-quy-1.pdf").click()
        expect(line.get_by_role("link", name="bien-ban-quy-1.pdf")).to_have_count(0)
        expect(narrative).to_have_value("Đã thay biên bản bằng bản có chữ ký")
    page.reload()
    expect(narrative).to_have_value("Đã thay biên bản bằng bản có chữ ký")
    expect(line.get_by_role("link", name="bien-ban-quy-1.pdf")).to_have_count(0)


def test_the_report_saves_itself_and_never_overwrites_another_tab(report_page):
    page, reg, report = report_page
    revenue = reg.targets[0]
    narrative = page.locator(f'[name="targets.{revenue.id}.narrative"]')
    status = page.locator("#report-form-status")
    expect(status).to_have_text("Nội dung được tự động lưu thành bản nháp trong khi đồng chí nhập.")
    with page.expect_response(_autosaved):
        narrative.fill("Bản ở thẻ thứ nhất")
    expect(status).to_have_text(SAVED)
    assert _entry(report.id, revenue.id).narrative == "Bản ở thẻ thứ nhất"

    # The connection drops during a save: the page says so and tries again by itself.
    dropped = []
    page.route("**/autosave", lambda route: route.continue_() if dropped else (dropped.append(1), route.abort()))
    with page.expect_response(_autosaved):
        narrative.fill("Bản ở thẻ thứ nhất, mất mạng một lúc")
        expect(status).to_contain_text("không kết nối được máy chủ")
    expect(status).to_have_text(SAVED)
    page.unroute("**/autosave")
    assert dropped and _entry(report.id, revenue.id).narrative == "Bản ở thẻ thứ nhất, mất mạng một lúc"

    other = page.context.new_page()
    other.goto(page.url)
    with other.expect_response(_autosaved):
        other.locator(f'[name="targets.{revenue.id}.narrative"]').fill("Bản ở thẻ thứ hai")
    with page.expect_response(lambda r: _autosaved(r, 409)):
        narrative.fill("Bản ở thẻ thứ nhất, sửa tiếp")
    expect(status).to_contain_text("Người khác đã thay đổi nội dung này")
    expect(status).to_contain_text("Nội dung đồng chí đã nhập vẫn còn trên trang này")
    assert _entry(report.id, revenue.id).narrative == "Bản ở thẻ thứ hai"

    # What this tab holds could not be saved: leaving by a link asks first; staying keeps it.
    asked = []
    page.once("dialog", lambda dialog: asked.append((dialog.type, dialog.message)) or dialog.dismiss())
    page.locator("#main-nav").get_by_role("link", name="Báo cáo của tôi").click()  # returns once the question is answered
    assert asked == [("confirm", LEAVE)]
    expect(narrative).to_have_value("Bản ở thẻ thứ nhất, sửa tiếp")
    assert "/reports/" in page.url and page.url.endswith(str(report.id))


def test_the_target_form_saves_itself_and_leaving_asks_first(live_server, browser_context):
    reg = f.complete_registration("draft")
    head = f.head_of(reg)
    db.session.commit()
    page = _signed_in(live_server, browser_context, head)
    url = f"{live_server.url}/registrations/{reg.id}/targets/new"
    page.goto(url)
    with page.expect_response(_autosaved):
        page.locator("#f-title").fill("Số xã đạt chuẩn nông thôn mới nâng cao")
    expect(page.locator("#target-form-status")).to_have_text(SAVED)

    # Closing the page right after typing, before the draft could save: the browser asks.
    page.locator("#f-field").click()
    page.keyboard.type("Nông nghiệp")
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()
    assert not page.is_closed()
    expect(page.locator("#f-field")).to_have_value("Nông nghiệp")

    # Following a link right after typing saves first, and goes without asking.
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.type) or dialog.accept())
    page.locator("#f-measure").fill("xã")
    with page.expect_navigation():
        page.get_by_role("link", name="Hủy").click()
    assert dialogs == []
    # Coming back: the form as typed, and a word saying so.
    page.goto(url)
    expect(page.locator("#f-title")).to_have_value("Số xã đạt chuẩn nông thôn mới nâng cao")
    expect(page.locator("#f-field")).to_have_value("Nông nghiệp")
    expect(page.locator("#f-measure")).to_have_value("xã")
    expect(page.get_by_role("status").filter(has_text="chưa lưu")).to_be_visible()
    # Saved through its button, the target is added and the draft forgotten.
    page.locator("#f-weight").fill("5")
    for name, value in (("baseline", "20"), ("target_value", "26"), ("plan_q1", "21"), ("plan_q2", "23"), ("plan_q3", "25"), ("plan_q4", "26")):
        page.locator(f"#f-{name}").fill(value)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator("table.targets-table")).to_contain_text("Số xã đạt chuẩn nông thôn mới nâng cao")
    db.session.rollback()
    assert db.session.query(FormDraft).count() == 0
