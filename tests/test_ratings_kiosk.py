"""The kiosk at the counter in a real Chromium at tablet size: in Vietnamese, touch targets of a
finger's size, the official's photo with its alternative text, no serious accessibility fault
(axe); a citizen rates once, then the network
drops, the next rating waits on the device and is sent once when it comes back — and a queue
sent a second time (an answer lost on the way) adds nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

import factories as f
from browser import axe_violations, describe
from test_ratings_photo_qr import PNG
from workflow.accounts.models import Role
from workflow.extensions import db
from workflow.ratings import operations, photos
from workflow.ratings.models import Rating, RatingCase

pytestmark = [pytest.mark.browser, pytest.mark.real_commits]

TABLET = {"width": 800, "height": 1280}
QUEUE_LENGTH = "() => JSON.parse(localStorage.getItem('kpi.kiosk.queue') || '[]').length"


def _sent(page, action):
    """Do `action` and return the server's answer to the queue it makes the kiosk send."""
    with page.expect_response(lambda r: r.url.endswith("/api/v1/ratings") and r.request.method == "POST") as answer:
        action()
    return [r["status"] for r in answer.value.json()["results"]]


def _ratings() -> int:
    db.session.rollback()  # a new transaction: what the server committed since
    return db.session.scalar(select(func.count()).select_from(Rating))


def test_the_kiosk_rates_once_and_sends_its_offline_queue_once(live_server, browser_context):
    unit = f.unit(name="Bộ phận một cửa thành phố")
    f.person((Role.HEAD, unit))
    official = f.person(unit=unit, full_name="Lê Thị Hạnh", title="Công chức Bộ phận một cửa")
    admin = f.person(Role.ADMIN)
    counter = operations.create_counter(unit, "Quầy 2", actor=admin, official=official)
    db.session.flush()
    _, token = operations.register_device(name="Máy tính bảng", counter=counter, actor=admin)
    photos.set_photo(counter, PNG, actor=admin)
    db.session.commit()

    context = browser_context(viewport=TABLET, has_touch=True, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk")
    page.get_by_label("Mã thiết bị").fill(token)
    page.get_by_role("button", name="Lưu trên thiết bị này").click()
    expect(page.locator("#official-name")).to_have_text("Lê Thị Hạnh")
    expect(page.get_by_role("img", name="Ảnh của Lê Thị Hạnh")).to_be_visible()
    expect(page.locator("#official-icon")).to_be_hidden()
    expect(page.locator("body")).to_have_attribute("data-offline-ready", "yes")  # the page is kept on the tablet
    expect(page.get_by_role("heading", name="Xin mời đánh giá sự phục vụ của chúng tôi")).to_be_visible()
    assert axe_violations(page) == [], describe(axe_violations(page))
    sizes = page.eval_on_selector_all("#rate button, #rate input", "nodes => nodes.filter(n => n.offsetParent !== null).map(n => [n.getBoundingClientRect().width, n.getBoundingClientRect().height])")
    assert sizes and min(min(w, h) for w, h in sizes) >= 44, sizes

    page.get_by_label("Số hồ sơ hoặc mã đánh giá (in trên giấy tiếp nhận)").fill("H29-5001")
    page.get_by_role("radiogroup", name="Thái độ phục vụ").get_by_role("radio", name="Rất hài lòng").tap()
    page.get_by_role("radiogroup", name="Đánh giá chung").get_by_role("radio", name="Rất hài lòng").tap()
    assert _sent(page, page.get_by_role("button", name="Gửi đánh giá").tap) == ["accepted"]
    expect(page.get_by_role("heading", name="Xin cảm ơn đã đánh giá!")).to_be_visible()
    assert page.evaluate(QUEUE_LENGTH) == 0 and _ratings() == 1

    context.set_offline(True)
    page.get_by_role("button", name="Người tiếp theo").tap()
    page.get_by_label("Số hồ sơ hoặc mã đánh giá (in trên giấy tiếp nhận)").fill("H29-5002")
    page.get_by_role("radiogroup", name="Đánh giá chung").get_by_role("radio", name="Không hài lòng").tap()
    page.get_by_role("button", name="Gửi đánh giá").tap()
    expect(page.locator("#status")).to_contain_text("Số đánh giá đang chờ gửi: 1")
    queued = page.evaluate("() => localStorage.getItem('kpi.kiosk.queue')")
    page.reload()  # kept on the device, across a reload without network
    assert page.evaluate(QUEUE_LENGTH) == 1 and _ratings() == 1
    expect(page.get_by_role("img", name="Ảnh của Lê Thị Hạnh")).to_be_visible()  # the last photo, kept by the service worker

    context.set_offline(False)
    assert _sent(page, lambda: page.evaluate("() => window.dispatchEvent(new Event('online'))")) == ["accepted"]
    expect(page.locator("#status")).to_have_text("")
    assert page.evaluate(QUEUE_LENGTH) == 0 and _ratings() == 2
    resend = "q => { localStorage.setItem('kpi.kiosk.queue', q); window.dispatchEvent(new Event('online')); }"
    assert _sent(page, lambda: page.evaluate(resend, queued)) == ["duplicate"]
    expect(page.locator("#status")).to_have_text("")
    assert _ratings() == 2 and db.session.scalar(select(func.count()).select_from(RatingCase)) == 1
