"""Numbers and dates typed the Vietnamese way in a real Chromium: `650,5` and `1.234,5` in each
numeric form (a target's values and quarter plan, its weight, a report's value, a council
score) are stored as 650.5 and 1234.5 and shown back with a comma; a date typed dd/mm/yyyy in a
browser whose language is English is stored as that day; the scoring page's live total is
written with a decimal comma whatever the page's language.

(The weight and the scores have limits, 100 and 10 points: there `12,5` and `8,5`.)
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

import factories as f
from browser import sign_in_page
from council_support import council, open_scoring, reported_registration
from workflow.council.models import Scorecard
from workflow.extensions import db
from workflow.reports import operations as report_operations
from workflow.reports.models import ReportEntry
from workflow.targets.models import Target

pytestmark = [pytest.mark.browser, pytest.mark.real_commits]


def _stored(statement):
    """What the server committed: a new transaction, so the test's own snapshot is not read."""
    db.session.rollback()
    return db.session.scalars(statement).one()


def _value(page, name: str) -> str:
    return page.locator(f'[name="{name}"]').input_value()


def test_a_target_typed_the_vietnamese_way_in_an_english_browser(live_server, browser_context):
    registration = f.registration()
    head = f.head_of(registration)
    head.locale = "en"  # the pages in English, the browser in English: numbers and dates stay Vietnamese
    db.session.commit()
    page = browser_context(locale="en-US").new_page()
    sign_in_page(page, live_server.url, head.username, f.PASSWORD)

    page.goto(f"{live_server.url}/registrations/{registration.id}/targets/new?kind=quantitative")
    for name, typed in (("title", "Vốn đầu tư thu hút mới"), ("field", "Kinh tế - đầu tư"), ("measure", "triệu USD"), ("baseline", "650,5"),
                        ("target_value", "1.234,5"), ("plan_q1", "650,5"), ("plan_q2", "800"), ("plan_q3", "1 000"), ("plan_q4", "1.234,5"),
                        ("weight", "12,5")):
        page.locator(f'[name="{name}"]').type(typed)
    with page.expect_navigation():
        page.locator("form.target-form button[type=submit]").click()
    target = _stored(select(Target).where(Target.registration_id == registration.id))
    assert (target.baseline, target.target_value, target.plan_q1, target.plan_q3, target.plan_q4, target.weight) == (
        Decimal("650.5"), Decimal("1234.5"), Decimal("650.5"), Decimal("1000"), Decimal("1234.5"), Decimal("12.5"))
    assert "650,5" in page.locator(f"#target-{target.id}").inner_text() and "1.234,5" in page.locator(f"#target-{target.id}").inner_text()

    page.goto(f"{live_server.url}/registrations/{registration.id}/targets/{target.id}/edit")
    assert [_value(page, n) for n in ("baseline", "target_value", "plan_q1", "plan_q4", "weight")] == ["650,5", "1.234,5", "650,5", "1.234,5", "12,5"]
    # An English habit is refused by the field, with the number rewritten the Vietnamese way.
    page.locator('[name="baseline"]').fill("650.5")
    with page.expect_navigation():
        page.locator("form.target-form button[type=submit]").click()
    assert "for example 650,5" in page.locator("#baseline-error").inner_text()
    assert _value(page, "baseline") == "650.5"

    # A task's due date typed day first.
    page.goto(f"{live_server.url}/registrations/{registration.id}/targets/new?kind=task")
    assert page.locator('[name="due_date"]').get_attribute("type") == "text"
    for name, typed in (("title", "Giải phóng mặt bằng Khu công nghiệp Sơn Lôi"), ("field", "Đầu tư"), ("product", "Biên bản bàn giao mặt bằng"),
                        ("due_date", "05/09/2027"), ("weight", "87,5")):
        page.locator(f'[name="{name}"]').type(typed)
    page.locator('[name="kind"]').select_option("task")
    with page.expect_navigation():
        page.locator("form.target-form button[type=submit]").click()
    task = _stored(select(Target).where(Target.registration_id == registration.id, Target.id != target.id))
    assert task.due_date == date(2027, 9, 5)  # 5 September, not 9 May
    assert "05/09/2027" in page.locator(f"#target-{task.id}").inner_text()


def test_a_report_value_typed_with_a_comma(live_server, browser_context):
    registration = f.assigned_registration(2026)
    head = f.head_of(registration)
    report = report_operations.open_report(registration, 1, actor=head)
    db.session.commit()
    page = browser_context().new_page()
    sign_in_page(page, live_server.url, head.username, f.PASSWORD)
    report_id, revenue_id = report.id, registration.targets[0].id
    registration_targets = [t.id for t in registration.targets]
    page.goto(f"{live_server.url}/reports/{report_id}")
    name = f"targets.{revenue_id}.actual"
    page.locator(f'[name="{name}"]').type("1.234,5")
    # The rest of the report as a head completes it (the other figure the Vietnamese way too).
    page.locator('textarea[name$=".narrative"]').evaluate_all("els => els.forEach(el => { el.value = 'Kết quả của quý' })")
    page.locator('select[name$=".confidence"]').evaluate_all("els => els.forEach(el => { el.value = '4' })")
    page.locator('select[name$=".milestone_status"]').evaluate_all("els => els.forEach(el => { el.value = 'in_progress' })")
    page.locator(f'input[name$=".actual"]:not([name="{name}"])').fill("92,5")
    with page.expect_navigation():
        page.locator('button[name="action"][value="save"]:not(.visually-hidden)').click()
    entry = _stored(select(ReportEntry).where(ReportEntry.report_id == report_id, ReportEntry.target_id == revenue_id))
    assert entry.actual == Decimal("1234.5")
    assert _value(page, name) == "1.234,5"
    assert _value(page, f'targets.{registration_targets[2]}.actual') == "92,5"


def test_a_council_score_typed_with_a_comma_and_the_live_total(live_server, browser_context):
    cycle = f.year(2027)
    registration = reported_registration(cycle, actual="1200")
    open_scoring(cycle)
    member = council(cycle, members=1)["m1"]
    member.person.locale = "en"
    db.session.commit()
    member_id = member.id
    page = browser_context(locale="en-US").new_page()
    sign_in_page(page, live_server.url, member.person.username, f.PASSWORD)
    page.goto(f"{live_server.url}/council/{cycle.id}/score/{registration.id}")
    page.wait_for_load_state("load")
    total = page.locator('[data-total="total"]')
    before = total.inner_text()
    for code, typed in (("political", "8,5"), ("ethics", "9"), ("discipline", "9,25")):
        page.locator(f'[name="general.{code}"]').type(typed)
    page.wait_for_function("([el, text]) => el.textContent.trim() !== text", arg=[total.element_handle(), before])
    page.wait_for_function("el => el.textContent.includes(',')", arg=total.element_handle())
    shown = total.inner_text().strip()
    with page.expect_navigation():
        page.locator('button[name="action"][value="save"]:not(.visually-hidden)').click()
    card = _stored(select(Scorecard).where(Scorecard.member_id == member_id))
    assert card.general == {"political": "8.5", "ethics": "9", "discipline": "9.25"}
    assert _value(page, "general.political") == "8,5" and _value(page, "general.discipline") == "9,25"
    assert re.fullmatch(r"\d{1,3},\d{2}", shown), shown  # the live total, written by the script on an English page
    assert page.locator('[data-total="total"]').inner_text().strip() == shown  # the server writes it as the script did
