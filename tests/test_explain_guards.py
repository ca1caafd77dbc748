"""Every result explains itself, and guards on consequential steps, through the operations, the
pages and the API: the level sentence on the result, the lists and the sheet; the quota checked
on the committee's decisions, with exceptions; scoring opened early only with a reason; the
assignment decision's date; weights as an error on the weights; progress worded for what it is;
a proposal's before → after; the diff's default versions; target rows numbered in order."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

import factories as f
from council_support import council, five_at_the_top
from workflow.accounts.models import Role
from workflow.core.audit import AuditEntry
from workflow.core.errors import PermissionDenied, TransitionRefused, ValidationFailed
from workflow.council import operations, queries, quota
from workflow.council.models import SessionState
from workflow.cycles import operations as cycles
from workflow.cycles.models import CycleState
from workflow.extensions import db
from workflow.reports import progress
from workflow.targets import operations as targets
from workflow.targets.models import RegistrationState

# --- the quota when the committee decides ----------------------------------------------------


@pytest.fixture
def decided(app):
    """Five heads of one group qualify as excellent (93, 92, 91, 90, 90): the quota allows one
    place (20% of five); the list is final and every proposal accepted."""
    cycle = f.year(2027)
    group = f.group(name="Sở, ban, ngành")
    regs, session, committee = five_at_the_top(cycle, group, committee=f.person(Role.COMMITTEE, full_name="Hoàng Thế Dũng"))
    return cycle, regs, session, committee, group


def test_publishing_over_the_quota_needs_an_exception(decided):
    cycle, regs, session, committee, group = decided
    frozen = queries.frozen_proposals(session)
    assert [frozen[r.id].level for r in regs] == ["excellent", "good", "good", "good", "good"]
    operations.decide(frozen[regs[1].id], actor=committee, level="excellent", reason="Hoàn thành dự án trọng điểm trước hạn 3 tháng")
    db.session.flush()
    [scope] = quota.scopes(session)
    assert (scope.group_id, scope.count.count, scope.count.allowance, scope.count.base, scope.needs_exception) == (group.id, 2, 1, 5, True)
    with pytest.raises(TransitionRefused) as refused:
        operations.publish(session, actor=committee, version=session.version)
    assert refused.value.message == (
        "Sở, ban, ngành: 2 người được quyết định xếp loại Hoàn thành xuất sắc nhiệm vụ, vượt tỷ lệ 20% (chỉ được 1 suất trên 5 người). "
        "Cần ghi nhận ngoại lệ (lý do và căn cứ pháp lý) trước khi công bố."
    )
    with pytest.raises(ValidationFailed) as missing:
        operations.record_quota_exception(session, group.id, actor=committee, reason=" ", legal_basis="")
    assert set(missing.value.errors) == {"reason", "legal_basis"}
    with pytest.raises(PermissionDenied):
        operations.record_quota_exception(session, group.id, actor=f.person(Role.STAFF), reason="x", legal_basis="y")
    exception = operations.record_quota_exception(session, group.id, actor=committee, reason="Hai đồng chí cùng hoàn thành nhiệm vụ đột xuất",
                                                  legal_basis="Khoản 3 Điều 19 Nghị định 335/2025/NĐ-CP")
    db.session.flush()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "council.quota.exception"))
    assert entry.object_id == exception.id and entry.data == {"track": "heads", "group_id": group.id, "level": "excellent", "heads": 2, "base": 5, "allowance": 1,
                                                              "legal_basis": "Khoản 3 Điều 19 Nghị định 335/2025/NĐ-CP"}
    with pytest.raises(ValidationFailed) as again:
        operations.record_quota_exception(session, group.id, actor=committee, reason="x", legal_basis="y")
    assert "group_id" in again.value.errors  # already covered
    # One more head at the top is beyond what the exception covers.
    operations.decide(frozen[regs[2].id], actor=committee, level="excellent", reason="Xử lý xong điểm nghẽn của tỉnh")
    db.session.flush()
    with pytest.raises(TransitionRefused, match="3 người"):
        operations.publish(session, actor=committee, version=session.version)
    operations.record_quota_exception(session, group.id, actor=committee, reason="Bổ sung", legal_basis="Khoản 3 Điều 19 Nghị định 335/2025/NĐ-CP")
    db.session.flush()
    assert operations.publish(session, actor=committee, version=session.version) == 5
    assert session.state == SessionState.PUBLISHED


def test_the_quota_and_its_exception_on_the_decision_page_and_in_the_api(decided, as_person):
    cycle, regs, session, committee, group = decided
    c = as_person(committee)
    decided_page = c.post(f"/council/{cycle.id}/decisions/{regs[1].id}", data={"level": "excellent", "reason": "Hoàn thành dự án trọng điểm"},
                          follow_redirects=True)
    html = decided_page.get_data(as_text=True)
    assert "vượt tỷ lệ 20% (chỉ được 1 suất trên 5 người)" in html  # said as the committee decides
    assert "Vượt tỷ lệ: cần ghi nhận ngoại lệ" in html and f'data-quota-scope="{group.id}"' in html
    publish = re.search(r'<button type="submit" class="btn btn-success"[^>]*>', html).group(0)
    assert "disabled" in publish
    refused = c.post(f"/council/{cycle.id}/quota-exceptions", data={"group_id": group.id, "reason": "Hai đồng chí", "legal_basis": ""})
    assert refused.status_code == 422
    form = refused.get_data(as_text=True)
    assert f'id="q-{group.id}-legal_basis-error"' in form and "Hai đồng chí" in form  # beside its field; what was typed is kept
    api = c.get(f"/api/v1/council/cycles/{cycle.id}/quota").get_json()
    assert api == [{"group_id": group.id, "name": "Sở, ban, ngành", "level": "excellent", "percent": "20", "base": 5, "allowance": 1, "count": 2,
                    "exceeded": True, "needs_exception": True, "exception": None}]
    made = c.post(f"/api/v1/council/cycles/{cycle.id}/quota/exceptions",
                  json={"group_id": group.id, "reason": "Hai đồng chí cùng hoàn thành nhiệm vụ đột xuất", "legal_basis": "Nghị định 335/2025/NĐ-CP"})
    assert made.status_code == 201 and made.get_json()["heads"] == 2 and made.get_json()["recorded_by"]["full_name"] == "Hoàng Thế Dũng"
    page = c.get(f"/council/{cycle.id}/decisions").get_data(as_text=True)
    assert "Đã ghi nhận ngoại lệ" in page and "Nghị định 335/2025/NĐ-CP" in page
    assert c.post(f"/council/{cycle.id}/session/step", data={"step": "publish", "version": session.version}).status_code == 302
    published = c.get(f"/council/{cycle.id}/decisions").get_data(as_text=True)
    assert "Đã ghi nhận ngoại lệ" in published and "Nghị định 335/2025/NĐ-CP" in published  # on the published list too


def test_the_level_sentence_on_the_result_the_lists_the_sheet_and_the_api(decided, as_person):
    cycle, regs, session, committee, group = decided
    operations.publish(session, actor=committee, version=session.version)
    db.session.flush()
    head = as_person(f.head_of(regs[2]))
    why = ("91 điểm, đủ điểm mức Hoàn thành xuất sắc nhiệm vụ, nhưng vượt tỷ lệ 20% của mức Hoàn thành xuất sắc nhiệm vụ: 1 suất, "
           "5 người đạt (xếp thứ 3), nên xếp loại Hoàn thành tốt nhiệm vụ.")
    page = head.get(f"/council/results/{regs[2].id}").get_data(as_text=True)
    assert why in page
    assert "Khoảng chênh điểm" not in page and "σ" not in page  # panel statistics stay on the council's pages
    result = head.get(f"/api/v1/council/results/{regs[2].id}").get_json()
    assert result["level_explanation"] == {"rules": ["quota"], "sentence": why} and result["spread"] is None
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(head.get(f"/council/results/{regs[2].id}/sheet.pdf").data)).pages)
    assert re.sub(r"\s+", " ", why) in re.sub(r"\s+", " ", text)
    english = head.get(f"/api/v1/council/results/{regs[2].id}", headers={"Accept-Language": "en"})
    assert english.status_code == 200
    c = as_person(committee)
    rows = c.get(f"/api/v1/council/cycles/{cycle.id}/decisions").get_json()["items"]
    assert {r["registration_id"]: (r["level_explanation"] or {}).get("sentence") for r in rows}[regs[2].id] == why
    assert why in c.get(f"/council/{cycle.id}/decisions").get_data(as_text=True)
    listed = c.get(f"/api/v1/council/cycles/{cycle.id}/proposals").get_json()["items"]
    assert why in {r["registration_id"]: r for r in listed}[regs[2].id]["explanation"]


# --- scoring opened early ----------------------------------------------------------------------


def test_scoring_opens_early_only_with_a_written_reason_the_council_reads(as_person):
    cycle = f.cycle(2027, state=CycleState.EXECUTION)
    admin = f.person(Role.ADMIN, full_name="Quản trị hệ thống")
    before_due = datetime(2028, 1, 5, 2, tzinfo=UTC)  # the fourth quarter's reports are due on 10/01/2028
    with pytest.raises(ValidationFailed) as refused:
        cycles.advance_cycle(cycle, "open_scoring", actor=admin, version=cycle.version, now=before_due)
    assert list(refused.value.errors) == ["reason"] and "10/01/2028" in refused.value.errors["reason"][0]
    assert cycle.state == CycleState.EXECUTION
    cycles.advance_cycle(cycle, "open_scoring", actor=admin, version=cycle.version, now=before_due, reason="Hội nghị tổng kết sớm theo chỉ đạo")
    db.session.flush()
    assert (cycle.state, cycle.early_scoring_reason, cycle.early_scoring_by_id, cycle.scoring_opened_at) == (
        CycleState.SCORING, "Hội nghị tổng kết sớm theo chỉ đạo", admin.id, before_due)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cycle.open_scoring"))
    assert entry.data["early"] == {"reports_due_on": "2028-01-10"} and entry.reason == "Hội nghị tổng kết sớm theo chỉ đạo"
    seats = council(cycle, members=1)
    page = as_person(seats["m1"].person).get(f"/council/{cycle.id}").get_data(as_text=True)
    assert 'id="early-scoring"' in page and "Hội nghị tổng kết sớm theo chỉ đạo" in page and "Quản trị hệ thống" in page
    assert as_person(admin).get(f"/api/v1/cycles/{cycle.id}").get_json()["early_scoring_reason"] == "Hội nghị tổng kết sớm theo chỉ đạo"


def test_scoring_opens_without_a_reason_once_the_reports_are_due(as_person):
    cycle = f.cycle(2027, state=CycleState.EXECUTION)
    cycles.advance_cycle(cycle, "open_scoring", actor=f.person(Role.ADMIN), version=cycle.version, now=datetime(2028, 1, 10, 11, tzinfo=UTC))
    db.session.flush()
    assert cycle.state == CycleState.SCORING and cycle.early_scoring_reason == ""
    seats = council(cycle, members=1)
    assert 'id="early-scoring"' not in as_person(seats["m1"].person).get(f"/council/{cycle.id}").get_data(as_text=True)


def test_the_admin_page_asks_for_the_reason_before_the_reports_are_due(as_person):
    cycle = f.cycle(2090, state=CycleState.EXECUTION)  # its reports are due in 2091
    c = as_person(f.person(Role.ADMIN))
    page = c.get(f"/admin/cycles/{cycle.id}").get_data(as_text=True)
    early = page[page.index('id="open-scoring-early"'):]
    assert 'name="reason"' in early and "10/01/2091" in early.split("</p>")[0]  # the due date of the last reports
    refused = c.post(f"/admin/cycles/{cycle.id}/step", data={"step": "open_scoring", "version": cycle.version, "reason": ""})
    assert refused.status_code == 422 and 'id="reason-error"' in refused.get_data(as_text=True)
    opened = c.post(f"/admin/cycles/{cycle.id}/step", data={"step": "open_scoring", "version": cycle.version, "reason": "Thử nghiệm"})
    assert opened.status_code == 302
    db.session.refresh(cycle)
    assert cycle.state == CycleState.SCORING and cycle.early_scoring_reason == "Thử nghiệm"


# --- the assignment decision's date ------------------------------------------------------------


@pytest.mark.parametrize("day, accepted", [
    (date(2026, 11, 16), True),  # last year's November: within the 90 days' margin, and past
    (date(2026, 9, 1), False),  # before the margin
    (date(2099, 1, 1), False),  # in the future
])
def test_the_assignment_decision_is_dated_within_the_cycle_and_not_in_the_future(day, accepted):
    reg = f.complete_registration("reviewed")
    decision = {"decision_number": "15-QĐ/TU", "decision_date": day, "signer_name": "Hoàng Thế Dũng"}
    if accepted:
        targets.take_step(reg, "assign", actor=f.person(Role.COMMITTEE), version=reg.version, decision=decision)
        assert reg.state == RegistrationState.ASSIGNED and reg.decision_date == day
        return
    with pytest.raises(ValidationFailed) as refused:
        targets.take_step(reg, "assign", actor=f.person(Role.COMMITTEE), version=reg.version, decision=decision)
    assert list(refused.value.errors) == ["decision_date"]
    assert reg.state == RegistrationState.REVIEWED


def test_a_future_decision_date_is_refused_beside_its_field(as_person):
    reg = f.complete_registration("reviewed")
    committee = f.person(Role.COMMITTEE)
    response = as_person(committee).post(f"/registrations/{reg.id}/assign", data={
        "version": reg.version, "decision_number": "15-QĐ/TU", "decision_date": "2099-01-01", "signer_id": committee.id})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="decision_date-error"' in html and "Ngày quyết định không thể sau ngày hôm nay" in html
    assert 'value="15-QĐ/TU"' in html


# --- weights, numbering, proposals, the diff, progress -----------------------------------------


def test_weights_that_do_not_add_up_are_an_error_beside_the_weight_inputs(as_person):
    reg = f.complete_registration("draft")
    head = f.head_of(reg)
    reg.targets[0].weight = Decimal("30")
    db.session.flush()
    c = as_person(head)
    refused = c.post(f"/registrations/{reg.id}/step", data={"step": "submit", "version": reg.version})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="weight-error"' in html and "Tổng tỷ trọng là 90; phải bằng 100." in html
    first = reg.targets[0].id
    assert re.search(rf'name="weight\.{first}"[^>]*aria-invalid="true"[^>]*aria-describedby="weight-error"', html)
    # The weights are set at once from the same page; then the registration goes.
    bad = c.post(f"/registrations/{reg.id}/weights", data={"version": reg.version, f"weight.{first}": "abc",
                                                            **{f"weight.{t.id}": str(t.weight) for t in reg.targets[1:]}})
    assert bad.status_code == 422 and f'id="weight.{first}-error"' in bad.get_data(as_text=True) and 'value="abc"' in bad.get_data(as_text=True)
    saved = c.post(f"/registrations/{reg.id}/weights", data={"version": reg.version, f"weight.{first}": "40",
                                                              **{f"weight.{t.id}": str(t.weight) for t in reg.targets[1:]}})
    assert saved.status_code == 302
    db.session.refresh(reg)
    assert c.post(f"/registrations/{reg.id}/step", data={"step": "submit", "version": reg.version}).status_code == 302
    db.session.refresh(reg)
    assert reg.state == RegistrationState.SUBMITTED


def test_weights_changed_after_submission_need_a_reason_and_make_one_revision():
    reg = f.complete_registration("returned")
    head = f.head_of(reg)
    weights = {t.id: t.weight for t in reg.targets}
    weights[reg.targets[0].id], weights[reg.targets[1].id] = Decimal("50"), Decimal("30")
    with pytest.raises(ValidationFailed) as refused:
        targets.set_weights(reg, weights, actor=head, version=reg.version)
    assert list(refused.value.errors) == ["reason"]
    changes = targets.set_weights(reg, weights, actor=head, version=reg.version, reason="Cân đối lại theo góp ý")
    assert [(c["field"], c["before"], c["after"]) for c in changes] == [("weight", "40", "50"), ("weight", "40", "30")]
    with pytest.raises(PermissionDenied):
        targets.set_weights(reg, weights, actor=f.person(Role.STAFF), version=reg.version)


def test_target_rows_are_numbered_in_order_and_a_proposal_shows_before_and_after(as_person):
    reg = f.complete_registration("submitted")  # a revenue target, a task, a percentage: positions 1, 2, 3
    staff = f.person(Role.STAFF)
    revenue = reg.targets[0]
    proposal = targets.create_proposal(reg, {"kind": "change", "target_id": revenue.id, "values": {"target_value": "1300", "plan_q4": "1300"}},
                                       actor=staff, reason="Năm trước đã đạt 1.250 tỷ đồng")
    db.session.flush()
    assert proposal.before == {"target_value": "1200", "plan_q4": "1200"}
    html = as_person(staff).get(f"/registrations/{reg.id}").get_data(as_text=True)
    numbers = re.findall(r'<tr id="target-\d+">\s*<td class="text-body-secondary">(\d+)</td>', html)
    assert numbers == ["1", "2", "3"]
    order = [int(i) for i in re.findall(r'<tr id="target-(\d+)">', html)]
    assert order == [reg.targets[0].id, reg.targets[2].id, reg.targets[1].id]  # quantitative targets first, then the task
    assert re.search(r'<span class="diff-del">1\.200</span> → <span class="diff-ins">1\.300</span>', html)


def test_the_diff_opens_on_as_registered_against_as_assigned(as_person):
    reg = f.complete_registration("assigned")
    html = as_person(f.head_of(reg)).get(f"/registrations/{reg.id}/diff").get_data(as_text=True)
    assert re.search(r"Như đã đăng ký \(phiên bản 1\)</option>", html) and "Như được giao chính thức (phiên bản 3)" in html
    assert re.search(r'<option value="1" selected>Như đã đăng ký', html) and re.search(r'<option value="3" selected>Như được giao chính thức', html)


def test_progress_is_worded_for_what_it_is():
    bands = {"on_track_percent": 95, "at_risk_percent": 80}
    plan = [Decimal(v) for v in ("92", "93", "94", "95")]
    rate = progress.quantitative(Decimal("93"), baseline=Decimal("90"), target_value=Decimal("95"), plan=plan, quarter=2, direction="higher", bands=bands)
    assert (rate.vs_target, rate.target_from_baseline, rate.plan_from_baseline) == (Decimal("60.00"), True, True)
    revenue = progress.quantitative(Decimal("600"), baseline=Decimal("1000"), target_value=Decimal("1200"),
                                    plan=[Decimal(v) for v in ("300", "600", "900", "1200")], quarter=2, direction="higher", bands=bands)
    assert (revenue.start, revenue.vs_target, revenue.target_from_baseline) == (Decimal(0), Decimal("50.00"), False)
    kept = progress.quantitative(Decimal("98"), baseline=Decimal("100"), target_value=Decimal("100"), plan=[Decimal(100)] * 4, quarter=1,
                                 direction="higher", bands=bands)
    assert (kept.vs_target, kept.target_from_baseline) == (Decimal("98.00"), False)


def test_the_report_page_words_progress_from_the_baseline_and_as_a_share(as_person):
    reg = f.complete_registration("assigned")
    head = f.head_of(reg)
    from workflow.reports import operations as reports

    report = f.report(reg, 2)
    entries = [{"target_id": reg.targets[0].id, "actual": "600", "narrative": "Thu đạt tiến độ", "confidence": 4},
               {"target_id": reg.targets[2].id, "actual": "93", "narrative": "Tăng đều", "confidence": 4}]
    reports.save_entries(report, entries, actor=head, version=report.version)
    db.session.flush()
    html = as_person(head).get(f"/reports/{report.id}").get_data(as_text=True)
    assert "đạt 50% chỉ tiêu năm" in html  # revenue accumulates from zero: a share of the target
    assert "Tiến độ so với điểm xuất phát: 60% chặng đường tới chỉ tiêu năm" in html  # 90 → 95, at 93
