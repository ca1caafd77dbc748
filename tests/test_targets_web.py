"""The registration pages: the same actions as the API through HTML forms (no JavaScript
needed), stale forms answered with 409 and the input kept, the list page and the dashboard
with a fixed number of statements."""

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

import factories as f
from workflow.accounts.models import Role
from workflow.extensions import db
from workflow.targets.models import Amendment, Proposal, Registration, RegistrationState, Target

S = RegistrationState
QUANT_FORM = {"kind": "quantitative", "title": "Diện tích đất rừng xã Trung Mỹ được đưa vào sử dụng", "field": "Nông nghiệp",
              "measure": "ha", "direction": "higher", "baseline": "0", "target_value": "160", "plan_q1": "20", "plan_q2": "60",
              "plan_q3": "110", "plan_q4": "160", "weight": "60", "is_focal": "1", "is_difficult": "1"}
TASK_FORM = {"kind": "task", "title": "Hoàn thành thu hồi đất dự án Khu đô thị Âu Cơ", "field": "Xây dựng", "product": "Quyết định thu hồi 260 ha",
             "due_date": "2027-10-31", "milestone_q2": "Kiểm đếm xong", "weight": "40", "is_bottleneck": "1"}


def _ok(response, status=302):
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    return response


def test_a_head_registers_through_the_forms(as_person):
    f.year(2027)
    unit = f.unit(name="Sở Nông nghiệp và Phát triển nông thôn")
    head = f.person((Role.HEAD, unit))
    c = as_person(head)
    page = c.get("/registrations/mine").get_data(as_text=True)
    assert "Sở Nông nghiệp" in page and 'action="/registrations/mine"' in page
    location = _ok(c.post("/registrations/mine", data={"unit_id": unit.id})).headers["Location"]
    reg = db.session.scalar(select(Registration).where(Registration.unit_id == unit.id))
    assert location.endswith(f"/registrations/{reg.id}")
    assert c.get("/registrations/mine").headers["Location"].endswith(f"/registrations/{reg.id}")

    form = c.get(f"/registrations/{reg.id}/targets/new?kind=task").get_data(as_text=True)
    assert 'data-kind-group="task"' in form and 'data-kind-group="quantitative"' in form and "js/targets.js" in form
    _ok(c.post(f"/registrations/{reg.id}/targets/new", data=QUANT_FORM))
    _ok(c.post(f"/registrations/{reg.id}/targets/new", data=TASK_FORM))
    db.session.expire_all()
    quant, task = reg.targets
    assert (quant.target_value, quant.is_focal, quant.is_new, quant.measure) == (Decimal("160"), True, False, "ha")
    assert (task.due_date, task.is_bottleneck, task.milestone_q2, task.baseline) == (date(2027, 10, 31), True, "Kiểm đếm xong", None)

    page = c.get(f"/registrations/{reg.id}").get_data(as_text=True)
    assert "Trung Mỹ" in page and "Âu Cơ" in page and 'name="step" value="submit"' in page
    assert 'data-code="too_few"' in page

    edit = c.get(f"/registrations/{reg.id}/targets/{quant.id}/edit").get_data(as_text=True)
    assert f'name="version" value="{quant.version}"' in edit and 'value="160"' in edit
    _ok(c.post(f"/registrations/{reg.id}/targets/{quant.id}/edit", data={**QUANT_FORM, "title": "Đưa 160 ha đất rừng vào sử dụng", "version": quant.version}))
    db.session.expire_all()
    assert quant.title == "Đưa 160 ha đất rừng vào sử dụng"

    _ok(c.post(f"/registrations/{reg.id}/step", data={"step": "submit", "version": reg.version}))
    db.session.expire_all()
    assert reg.state == S.SUBMITTED
    assert c.get(f"/registrations/{reg.id}/targets/{quant.id}/edit").status_code == 403


def test_a_stale_edit_form_is_refused_with_409_and_keeps_the_input(as_person):
    reg = f.registration()
    target = f.target(reg)
    c = as_person(db.session.get(f.Person, reg.head_id))
    old_version = target.version
    _ok(c.post(f"/registrations/{reg.id}/targets/{target.id}/edit", data={**QUANT_FORM, "title": "Bản của người thứ nhất", "version": old_version}))
    response = c.post(f"/registrations/{reg.id}/targets/{target.id}/edit", data={**QUANT_FORM, "title": "Bản của người thứ hai", "version": old_version})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Bản của người thứ hai" in page and "Bản của người thứ nhất" in page  # their input and the saved value
    db.session.expire_all()
    assert target.title == "Bản của người thứ nhất"


def test_a_stale_step_is_refused_with_409(as_person):
    reg = f.complete_registration()
    c = as_person(db.session.get(f.Person, reg.head_id))
    response = c.post(f"/registrations/{reg.id}/step", data={"step": "submit", "version": reg.version - 1})
    assert response.status_code == 409
    db.session.expire_all()
    assert reg.state == S.DRAFT


def test_staff_review_propose_comment_and_forward_through_the_forms(as_person):
    reg = f.complete_registration("submitted")
    staff = f.person(Role.STAFF)
    c = as_person(staff)
    page = c.get(f"/registrations/{reg.id}").get_data(as_text=True)
    assert "Propose a change" in page or "Đề xuất điều chỉnh" in page
    target = reg.targets[0]
    form = c.get(f"/registrations/{reg.id}/proposals/new?kind=change&target={target.id}").get_data(as_text=True)
    assert 'value="1.200"' in form
    response = c.post(f"/registrations/{reg.id}/proposals/new?kind=change&target={target.id}", data={**{k: str(v) for k, v in f.QUANTITATIVE.items()}, "is_focal": "1", "target_value": "1300", "plan_q4": "1300", "weight": "40"})
    assert response.status_code == 422 and 'id="reason-error"' in response.get_data(as_text=True)
    _ok(c.post(f"/registrations/{reg.id}/proposals/new?kind=change&target={target.id}",
               data={**{k: str(v) for k, v in f.QUANTITATIVE.items()}, "is_focal": "1", "target_value": "1300", "plan_q4": "1300", "weight": "40", "reason": "Năm trước đã đạt 1.250"}))
    proposal = db.session.scalar(select(Proposal).where(Proposal.registration_id == reg.id))
    assert proposal.values == {"target_value": "1300", "plan_q4": "1300"}
    _ok(c.post(f"/registrations/{reg.id}/proposals/new?kind=drop&target={reg.targets[2].id}", data={"reason": "Không phải việc khó"}))
    _ok(c.post(f"/registrations/{reg.id}/comments", data={"body": "Đề nghị bổ sung mốc quý", "target_id": target.id}))
    assert c.post(f"/registrations/{reg.id}/comments", data={"body": " "}).status_code == 422
    page = c.get(f"/registrations/{reg.id}").get_data(as_text=True)
    assert "Đề nghị bổ sung mốc quý" in page and "Năm trước đã đạt 1.250" in page
    db.session.refresh(reg)  # filing proposals moved the registration's version
    _ok(c.post(f"/registrations/{reg.id}/step", data={"step": "forward", "version": reg.version}))
    db.session.expire_all()
    assert reg.state == S.REVIEWED


def test_the_committee_decides_supplements_returns_and_assigns_through_the_forms(as_person):
    reg = f.complete_registration("reviewed")
    staff = f.person(Role.STAFF)
    from workflow.targets import operations

    accept = operations.create_proposal(reg, {"kind": "change", "target_id": reg.targets[0].id, "values": {"title": "Thu nội địa"}}, actor=staff, reason="Rõ hơn")
    reject = operations.create_proposal(reg, {"kind": "drop", "target_id": reg.targets[1].id}, actor=staff, reason="Bỏ")
    db.session.commit()
    committee = f.person(Role.COMMITTEE, full_name="Hoàng Thế Dũng", title="Bí thư Tỉnh ủy")
    c = as_person(committee)
    page = c.get(f"/registrations/{reg.id}").get_data(as_text=True)
    assert "proposals are still open" in page or "đề xuất chưa được xử lý" in page  # the assign button says why it is disabled
    _ok(c.post(f"/registrations/{reg.id}/proposals/{accept.id}/decide", data={"step": "accept", "version": accept.version}))
    assert c.post(f"/registrations/{reg.id}/proposals/{reject.id}/decide", data={"step": "reject", "version": reject.version}).status_code == 422
    _ok(c.post(f"/registrations/{reg.id}/proposals/{reject.id}/decide", data={"step": "reject", "version": reject.version, "reason": "Giữ lại"}))
    db.session.expire_all()
    assert reg.targets[0].title == "Thu nội địa" and reject.state.value == "rejected"

    response = c.post(f"/registrations/{reg.id}/targets/new", data={**TASK_FORM, "weight": "10"})
    assert response.status_code == 422 and 'id="reason-error"' in response.get_data(as_text=True)
    _ok(c.post(f"/registrations/{reg.id}/targets/new", data={**TASK_FORM, "weight": "10", "reason": "Giao bổ sung nhiệm vụ trọng tâm"}))
    db.session.expire_all()
    assert reg.targets[-1].origin.value == "supplementary"
    edit_target = reg.targets[0]
    values = {k: v for k, v in QUANT_FORM.items()} | {"weight": "30", "version": edit_target.version, "reason": "Cân đối tỷ trọng", "title": "Thu nội địa",
                                                      "measure": "tỷ đồng", "baseline": "1000", "target_value": "1200", "plan_q1": "300", "plan_q2": "600", "plan_q3": "900", "plan_q4": "1200"}
    _ok(c.post(f"/registrations/{reg.id}/targets/{edit_target.id}/edit", data=values))

    form = c.get(f"/registrations/{reg.id}/assign").get_data(as_text=True)
    assert 'name="decision_number"' in form and "Hoàng Thế Dũng" in form
    response = c.post(f"/registrations/{reg.id}/assign", data={"version": reg.version, "decision_number": "", "signer_id": committee.id})
    assert response.status_code == 422 and 'id="decision_number-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    _ok(c.post(f"/registrations/{reg.id}/assign", data={"version": reg.version, "decision_number": "1234-QĐ/TU", "decision_date": "2026-11-20", "signer_id": committee.id}))
    db.session.expire_all()
    assert reg.state == S.ASSIGNED and reg.signer_title == "Bí thư Tỉnh ủy"
    page = c.get(f"/registrations/{reg.id}").get_data(as_text=True)
    assert "1234-QĐ/TU" in page


def test_return_with_a_reason_through_the_buttons(as_person):
    reg = f.complete_registration("submitted")
    c = as_person(f.person(Role.STAFF))
    assert c.post(f"/registrations/{reg.id}/step", data={"step": "return", "version": reg.version}).status_code == 422
    _ok(c.post(f"/registrations/{reg.id}/step", data={"step": "return", "version": reg.version, "reason": "Chưa nêu điểm nghẽn cụ thể"}))
    head = as_person(db.session.get(f.Person, reg.head_id))
    page = head.get(f"/registrations/{reg.id}").get_data(as_text=True)
    assert "Chưa nêu điểm nghẽn cụ thể" in page and 'name="step" value="submit"' in page
    assert "Đã bị trả lại: xem lý do, chỉnh sửa rồi gửi lại." in page


def test_amendments_through_the_forms(as_person):
    reg = f.complete_registration("assigned")
    head = db.session.get(f.Person, reg.head_id)
    c = as_person(head)
    assert c.get(f"/registrations/{reg.id}/targets/{reg.targets[0].id}/edit").status_code == 403
    _ok(c.post(f"/registrations/{reg.id}/amendments/new?kind=drop&target={reg.targets[2].id}", data={"reason": "Chỉ tiêu đã sáp nhập"}))
    amendment = db.session.scalar(select(Amendment).where(Amendment.registration_id == reg.id))
    page = c.get(f"/registrations/{reg.id}").get_data(as_text=True)
    assert f"amendment={amendment.id}" in page
    values = {**{k: str(v) for k, v in f.QUANTITATIVE.items()}, "is_focal": "1", "weight": "60", "amendment_version": amendment.version}
    _ok(c.post(f"/registrations/{reg.id}/amendments/new?kind=change&target={reg.targets[0].id}&amendment={amendment.id}", data=values))
    db.session.expire_all()
    assert [i["kind"] for i in amendment.items] == ["drop", "change"] and amendment.items[1]["values"] == {"weight": "60"}
    committee = as_person(f.person(Role.COMMITTEE))
    _ok(committee.post(f"/registrations/{reg.id}/amendments/{amendment.id}/decide",
                       data={"step": "approve", "version": amendment.version, "decision_number": "88-QĐ/TU", "decision_date": "2027-06-30"}))
    db.session.expire_all()
    assert reg.targets[2].dropped and reg.targets[0].weight == Decimal("60") and amendment.decision_date == date(2027, 6, 30)
    assert "88-QĐ/TU" in c.get(f"/registrations/{reg.id}").get_data(as_text=True)


def test_history_and_diff_pages(as_person):
    reg = f.complete_registration("submitted")
    from workflow.targets import operations

    committee = f.person(Role.COMMITTEE)
    operations.update_target(reg.targets[0], {"target_value": Decimal("1350"), "plan_q4": Decimal("1350")}, actor=committee,
                             version=reg.targets[0].version, reason="Nâng chỉ tiêu")
    operations.drop_target(reg.targets[2], actor=committee, version=reg.targets[2].version, reason="Bỏ")
    db.session.commit()
    c = as_person(db.session.get(f.Person, reg.head_id))
    page = c.get(f"/registrations/{reg.id}/history").get_data(as_text=True)
    assert "Nâng chỉ tiêu" in page and committee.full_name in page and 'class="diff-del">1.200' in page and 'class="diff-ins">1.350' in page
    diff = c.get(f"/registrations/{reg.id}/diff").get_data(as_text=True)
    assert 'class="diff-changed">1.350' in diff and "diff-removed-row" in diff and 'class="diff-del">' in diff
    assert c.get(f"/registrations/{reg.id}/diff?from=1&to=current").status_code == 200
    assert c.get(f"/registrations/{reg.id}/diff?from=77").status_code == 404
    assert c.get(f"/registrations/{reg.id}/diff?from=abc").status_code == 422


def test_list_page_filters_badges_and_access(as_person):
    a = f.complete_registration("submitted", unit=f.unit(name="Sở Xây dựng"))
    b = f.registration(unit=f.unit(name="UBND thành phố Vĩnh Yên"))
    staff = f.person(Role.STAFF)
    a.unit.staff_officer_id = staff.id
    c = as_person(staff)
    page = c.get("/registrations").get_data(as_text=True)
    assert "Sở Xây dựng" in page and "Vĩnh Yên" in page and "status-badge" in page
    page = c.get("/registrations?mine=1").get_data(as_text=True)
    assert "Sở Xây dựng" in page and "Vĩnh Yên" not in page
    page = c.get("/registrations?state=draft&q=V%C4%A9nh").get_data(as_text=True)
    assert "Vĩnh Yên" in page and "Sở Xây dựng" not in page
    assert c.get("/registrations?state=bogus&page=-1&group_id=x").status_code == 200
    assert as_person(db.session.get(f.Person, b.head_id)).get("/registrations").status_code == 403
    assert as_person(db.session.get(f.Person, b.head_id)).get(f"/registrations/{a.id}").status_code == 403


def test_list_page_runs_a_fixed_number_of_statements(as_person, count_statements):
    staff = f.person(Role.STAFF)
    c = as_person(staff)
    cycle = f.year(2027)
    group = f.group()

    def add(n):
        for i in range(n):
            unit = f.unit(group=group)
            r = f.registration(cycle, unit, staff, state=S.SUBMITTED)
            r.targets.append(Target(kind="task", title=f"Nhiệm vụ {i}", weight=Decimal("100"), product="Báo cáo", due_date=date(2027, 6, 1)))
            db.session.add(r)
        db.session.commit()

    def statements():
        with count_statements() as counter:
            assert c.get("/registrations?per_page=100").status_code == 200
        return counter.count

    add(10)
    small = statements()
    add(990)
    assert statements() == small


def test_dashboard_panels_show_what_waits_for_each_role(as_person, count_statements):
    from workflow.targets import operations

    reg = f.complete_registration("submitted")
    staff = f.person(Role.STAFF)
    reg.unit.staff_officer_id = staff.id
    reviewed = f.complete_registration("reviewed", unit=f.unit(name="Sở Công Thương"))
    assigned = f.complete_registration("assigned", unit=f.unit(name="Sở Y tế"))
    operations.request_amendment(assigned, [{"kind": "drop", "target_id": assigned.targets[2].id}], actor=db.session.get(f.Person, assigned.head_id), reason="Bỏ")
    operations.create_proposal(reviewed, {"kind": "drop", "target_id": reviewed.targets[2].id}, actor=staff, reason="Bỏ")
    db.session.commit()
    head_page = as_person(db.session.get(f.Person, reg.head_id)).get("/").get_data(as_text=True)
    assert f"/registrations/{reg.id}" in head_page and ("reviewing it" in head_page or "đang thẩm định" in head_page)
    staff_page = as_person(staff).get("/").get_data(as_text=True)
    assert reg.unit.name in staff_page and "Sở Công Thương" not in staff_page
    committee = as_person(f.person(Role.COMMITTEE))
    page = committee.get("/").get_data(as_text=True)
    assert "Sở Công Thương" in page and "Sở Y tế" in page
    metrics = re.findall(r'<div class="metric">(\d+)</div>', page)
    assert metrics[:3] == ["1", "1", "1"]
    new_head = as_person(f.person(Role.HEAD))
    assert "/registrations/mine" in new_head.get("/").get_data(as_text=True)

    def statements(client):
        with count_statements() as counter:
            client.get("/")
        return counter.count

    before = statements(committee)
    for _ in range(5):
        f.complete_registration("reviewed", unit=f.unit())
    db.session.commit()
    assert statements(committee) == before


def test_navigation_entries(as_person):
    head = as_person(f.person(Role.HEAD)).get("/").get_data(as_text=True)
    assert 'href="/registrations/mine"' in head and 'href="/registrations"' not in head
    staff = as_person(f.person(Role.STAFF)).get("/").get_data(as_text=True)
    assert 'href="/registrations"' in staff and 'href="/registrations/mine"' not in staff


@pytest.mark.parametrize("url", ["/registrations/{id}", "/registrations/{id}/history", "/registrations/{id}/diff",
                                 "/registrations/{id}/targets/new?kind=task"])
def test_pages_render_for_the_head(as_person, url):
    reg = f.complete_registration()
    response = as_person(db.session.get(f.Person, reg.head_id)).get(url.format(id=reg.id))
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)  # no inline script (CSP)


def test_removing_a_commented_target_before_submission_keeps_the_comment(as_person):
    from workflow.targets.models import Comment

    reg = f.registration()
    target = f.target(reg)
    c = as_person(db.session.get(f.Person, reg.head_id))
    _ok(c.post(f"/registrations/{reg.id}/comments", data={"body": "Cần làm rõ nguồn thu", "target_id": target.id}))
    target_id = target.id
    _ok(c.post(f"/registrations/{reg.id}/targets/{target_id}/drop", data={"version": target.version}))
    db.session.expire_all()
    assert db.session.get(Target, target_id) is None
    comment = db.session.scalar(select(Comment).where(Comment.registration_id == reg.id))
    assert comment.body == "Cần làm rõ nguồn thu" and comment.target_id is None


def test_the_registration_page_in_english(as_person):
    reg = f.complete_registration()
    head = db.session.get(f.Person, reg.head_id)
    head.locale = "en"
    page = as_person(head).get(f"/registrations/{reg.id}").get_data(as_text=True)
    assert "Targets and tasks" in page and "Submit for review" in page and 'lang="en"' in page
    head.locale = "vi"
    page = as_person(head).get(f"/registrations/{reg.id}").get_data(as_text=True)
    assert "Chỉ tiêu, nhiệm vụ" in page and "Gửi đăng ký" in page
