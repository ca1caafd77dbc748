"""A subordinate gives their opinion of their director in the browser, criterion by criterion with
a comment; once the round is closed, a council member finds the result in the scoring dossier,
beside the self-assessment, with the response rate — and nothing of who said what."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

import factories as f
from browser import LAPTOP, axe_violations, describe, sign_in_page
from council_support import council, open_scoring, reported_registration
from opinion_support import today
from workflow.accounts.models import Role
from workflow.extensions import db
from workflow.opinions import operations
from workflow.opinions.models import Relation

pytestmark = [pytest.mark.browser, pytest.mark.real_commits]


def test_a_subordinate_answers_and_the_council_sees_the_result(live_server, browser_context):
    cycle = f.year(today().year)
    registration = reported_registration(cycle, delivered_on=date(cycle.year, 9, 20))
    open_scoring(cycle)
    seats = council(cycle, members=1)
    staff, superior = f.person(Role.STAFF), f.person(full_name="Ủy viên Ban Thường vụ")
    lan = f.person(full_name="Phạm Thị Lan", unit_id=registration.unit_id)
    others = [f.person(full_name=f"Cán bộ {i}", unit_id=registration.unit_id) for i in range(2)]
    round_ = operations.open_round(actor=staff, cycle=cycle, track=registration.track, title="Lấy ý kiến cấp trên, cấp dưới", opens_on=today())
    item = operations.add_subject(round_, registration.subject, actor=staff)
    asked = {p.id: operations.invite(item, p, Relation.SUBORDINATE, actor=staff) for p in (lan, *others)}
    boss = operations.invite(item, superior, Relation.SUPERIOR, actor=staff)
    db.session.flush()
    operations.answer(boss, actor=superior, scores=dict.fromkeys(round_.criterion_codes, 4))
    for p, value in zip(others, (2, 3), strict=True):
        operations.answer(asked[p.id], actor=p, scores=dict.fromkeys(round_.criterion_codes, value))
    db.session.commit()

    page = browser_context(viewport=LAPTOP).new_page()
    sign_in_page(page, live_server.url, lan.username, f.PASSWORD)
    page.goto(f"{live_server.url}/opinions/mine")
    with page.expect_navigation():
        page.get_by_role("link", name="Cho ý kiến").click()
    assert (violations := axe_violations(page)) == [], describe(violations)
    form = page.get_by_test_id("opinion-form")
    form.get_by_role("group", name="Chính trị tư tưởng").get_by_label("Tốt", exact=True).check()
    with page.expect_navigation():
        form.get_by_role("button", name="Gửi ý kiến").click()
    # A criterion left out: the form stays, with what was chosen, and says which one.
    expect(page.get_by_text("Đề nghị chọn một mức cho tiêu chí “Đạo đức, lối sống”.").first).to_be_visible()
    form = page.get_by_test_id("opinion-form")
    expect(form.get_by_role("group", name="Chính trị tư tưởng").get_by_label("Tốt", exact=True)).to_be_checked()
    for criterion in ("Đạo đức, lối sống", "Tác phong, lề lối làm việc, ý thức tổ chức kỷ luật", "Kết quả thực hiện chức trách, nhiệm vụ"):
        form.get_by_role("group", name=criterion).get_by_label("Trung bình", exact=True).check()
    form.get_by_label("Nhận xét (không bắt buộc)").fill("Giao việc còn dồn vào cuối năm")
    with page.expect_navigation():
        form.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.get_by_text("Cảm ơn đồng chí: ý kiến đã được ghi nhận.")).to_be_visible()
    expect(page.get_by_text("Hiện chưa có đợt nào đề nghị đồng chí cho ý kiến.")).to_be_visible()

    db.session.expire_all()
    operations.close_round(round_, actor=staff)
    db.session.commit()
    member = browser_context(viewport=LAPTOP).new_page()
    sign_in_page(member, live_server.url, seats["m1"].person.username, f.PASSWORD)
    member.goto(f"{live_server.url}/council/{cycle.id}/score/{registration.id}")
    panel = member.get_by_test_id("opinions-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("opinion-rate")).to_contain_text("Tỷ lệ phản hồi: 4 trên 4")
    table = panel.get_by_test_id("opinion-table")
    # Political quality: the superior 4, the subordinates (2 + 3 + 3) / 3; the gap 1,33 flagged.
    row = table.get_by_role("row", name="Chính trị tư tưởng")
    expect(row).to_contain_text("4,00")
    expect(row).to_contain_text("2,67")
    expect(row).to_contain_text("chênh lệch lớn")
    expect(panel).to_contain_text("Giao việc còn dồn vào cuối năm")
    expect(panel).not_to_contain_text("Phạm Thị Lan")
    assert (violations := axe_violations(member)) == [], describe(violations)
