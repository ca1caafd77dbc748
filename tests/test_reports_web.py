"""The report pages: my reports, the report form (drafts, submission, field errors, a stale
form), evidence upload and download with access checks, staff steps, requests and directions,
versions, the year at a glance."""

import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

import factories as f
import files
from workflow.accounts.models import Role
from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.reports import operations as ops
from workflow.reports.models import Evidence, ReportState, RequestState

PAST = utcnow().year - 2  # every window of this year is open and past its due date
FUTURE = utcnow().year + 1  # no window of this year is open yet


@pytest.fixture
def reg():
    return f.assigned_registration(PAST)


@pytest.fixture
def head(reg):
    return f.head_of(reg)


def open_q1(reg, head):
    report = ops.open_report(reg, 1, actor=head)
    db.session.flush()
    return report


def form_for(reg, report, *, action="save", **overrides):
    data = {"version": str(report.version), "action": action}
    for values in f.full_entries(reg):
        for name, value in values.items():
            if name != "target_id":
                # As a person types it: 92,5
                data[f"targets.{values['target_id']}.{name}"] = str(value).replace(".", ",")
    data.update(overrides)
    return data


def test_my_reports_lists_the_four_quarters_and_opens_one(as_person, reg, head):
    client = as_person(head)
    page = client.get("/reports/mine").get_data(as_text=True)
    assert reg.unit.name in page and page.count("Bắt đầu báo cáo") == 4  # every window of that year is open
    assert page.count("Chậm") >= 4  # nothing submitted, all past due
    response = client.post("/reports/open", data={"registration_id": reg.id, "quarter": 1})
    assert response.status_code == 302
    report = db.session.scalar(select(ops.QuarterlyReport).where(ops.QuarterlyReport.registration_id == reg.id))
    assert response.headers["Location"] == f"/reports/{report.id}"
    assert "Tiếp tục báo cáo" in client.get("/reports/mine").get_data(as_text=True)


def test_a_window_not_open_yet_says_when_it_opens(as_person):
    reg = f.assigned_registration(FUTURE)
    client = as_person(f.head_of(reg))
    page = client.get("/reports/mine").get_data(as_text=True)
    assert f"Mở từ ngày 01/04/{FUTURE}" in page and "Chưa mở" in page
    refused = client.post("/reports/open", data={"registration_id": reg.id, "quarter": 2})
    assert refused.status_code == 409 and f"Kỳ báo cáo quý 2 mở từ ngày 01/07/{FUTURE}" in refused.get_data(as_text=True)


def test_the_form_saves_drafts_and_submits(as_person, reg, head):
    report = open_q1(reg, head)
    client = as_person(head)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    revenue, task, rate = reg.targets
    assert f'name="targets.{revenue.id}.actual"' in page and f'name="targets.{task.id}.milestone_status"' in page
    assert 'form="report-form"' in page and "Lưu bản nháp" in page
    partial = {"version": str(report.version), "action": "save", f"targets.{revenue.id}.actual": "150,5",  # typed the Vietnamese way
               f"targets.{revenue.id}.narrative": "Thu đạt 50% kế hoạch quý"}
    assert client.post(f"/reports/{report.id}", data=partial).status_code == 302
    db.session.expire_all()
    assert report.entry_for(revenue.id).actual == Decimal("150.5") and report.state == ReportState.DRAFT
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'value="150,5"' in page and "Chậm tiến độ" in page  # 150.5 of 300 planned: off track
    response = client.post(f"/reports/{report.id}", data=form_for(reg, report, action="submit"))
    assert response.status_code == 302
    db.session.expire_all()
    assert report.state == ReportState.SUBMITTED and report.days_late > 0
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Lưu bản nháp" not in page and "ngày" in page and "Phiên bản 1" in page


def test_bad_input_keeps_what_was_typed_and_what_was_saved(as_person, reg, head):
    report = open_q1(reg, head)
    client = as_person(head)
    assert client.post(f"/reports/{report.id}", data=form_for(reg, report)).status_code == 302
    db.session.expire_all()
    revenue = reg.targets[0]
    bad = form_for(reg, report, **{f"targets.{revenue.id}.actual": "ba trăm", f"targets.{revenue.id}.narrative": "Đã sửa"})
    response = client.post(f"/reports/{report.id}", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="ba trăm"' in page and "Viết số theo cách Việt Nam" in page and 'aria-invalid="true"' in page
    db.session.expire_all()
    entry = report.entry_for(revenue.id)
    assert entry.actual == Decimal("310") and entry.narrative != "Đã sửa"


def test_an_empty_report_is_refused_target_by_target(as_person, reg, head):
    report = open_q1(reg, head)
    client = as_person(head)
    empty = {"version": str(report.version), "action": "submit"}
    response = client.post(f"/reports/{report.id}", data=empty)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "còn 3 chỉ tiêu, nhiệm vụ chưa có đủ nội dung báo cáo" in page
    assert page.count("Bắt buộc trước khi gửi báo cáo.") == 9
    db.session.expire_all()
    assert report.state == ReportState.DRAFT


def test_a_stale_form_is_refused_and_shows_the_input_again(as_person, reg, head):
    report = open_q1(reg, head)
    client = as_person(head)
    stale = form_for(reg, report)
    assert client.post(f"/reports/{report.id}", data=form_for(reg, report)).status_code == 302
    response = client.post(f"/reports/{report.id}", data=stale)
    assert response.status_code == 409 and "Người khác đã thay đổi nội dung này" in response.get_data(as_text=True)


def test_a_second_submit_is_refused(as_person, reg, head):
    report = open_q1(reg, head)
    client = as_person(head)
    assert client.post(f"/reports/{report.id}", data=form_for(reg, report, action="submit")).status_code == 302
    again = client.post(f"/reports/{report.id}", data=form_for(reg, report, action="submit", version=str(report.version + 2)))
    assert again.status_code == 409 and "không thể sửa nữa" in again.get_data(as_text=True)


def test_evidence_upload_and_download_follow_who_may_see_the_report(as_person, reg, head):
    report = open_q1(reg, head)
    client = as_person(head)
    target = reg.targets[0]
    pdf = files.pdf_bytes()
    response = client.post(f"/reports/{report.id}/evidence", data={"target_id": str(target.id), "file": (io.BytesIO(pdf), "Báo cáo thu.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#target-{target.id}")
    item = db.session.scalar(select(Evidence))
    download = client.get(f"/reports/{report.id}/evidence/{item.id}")
    assert download.status_code == 200 and download.data == pdf
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;") and "filename*=UTF-8''B%C3%A1o" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert as_person(f.person(Role.HEAD)).get(f"/reports/{report.id}/evidence/{item.id}").status_code == 403
    council = f.person(Role.COUNCIL)
    assert as_person(council).get(f"/reports/{report.id}/evidence/{item.id}").status_code == 403  # not submitted yet
    assert as_person(f.person(Role.STAFF)).get(f"/reports/{report.id}/evidence/{item.id}").status_code == 200


def test_refused_uploads_say_why_by_the_file_input(as_person, reg, head):
    report = open_q1(reg, head)
    client = as_person(head)
    client.post(f"/reports/{report.id}", data=form_for(reg, report))
    renamed = client.post(f"/reports/{report.id}/evidence", data={"file": (io.BytesIO(files.exe_bytes()), "bao-cao.pdf")},
                          content_type="multipart/form-data")
    page = renamed.get_data(as_text=True)
    assert renamed.status_code == 422 and "Loại tệp này không được chấp nhận" in page and 'id="file-report-error"' in page
    rules = dict(reg.cycle.rules)
    rules["reports"] = {**rules["reports"], "max_file_mb": 1}
    reg.cycle.rules = rules
    db.session.commit()
    big = client.post(f"/reports/{report.id}/evidence", data={"file": (io.BytesIO(files.pdf_bytes() + b" " * 1_100_000), "lon.pdf")},
                      content_type="multipart/form-data")
    assert big.status_code == 413 and "Tệp lớn hơn 1 MB." in big.get_data(as_text=True)
    db.session.expire_all()
    assert report.entry_for(reg.targets[0].id).actual == Decimal("310")  # the draft is intact


def test_staff_return_accept_and_the_committee_reopens(as_person, reg, head):
    report = open_q1(reg, head)
    as_person(head).post(f"/reports/{report.id}", data=form_for(reg, report, action="submit"))
    db.session.expire_all()
    staff = as_person(f.person(Role.STAFF))
    page = staff.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Tiếp nhận báo cáo" in page and "Trả lại" in page and "Lưu bản nháp" not in page
    no_reason = staff.post(f"/reports/{report.id}/step", data={"step": "return", "version": report.version, "reason": ""})
    assert no_reason.status_code == 422
    assert staff.post(f"/reports/{report.id}/step", data={"step": "return", "version": report.version, "reason": "Bổ sung số liệu"}).status_code == 302
    db.session.expire_all()
    head_page = as_person(head).get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Bổ sung số liệu" in head_page and "Lưu bản nháp" in head_page
    as_person(head).post(f"/reports/{report.id}", data=form_for(reg, report, action="submit"))
    db.session.expire_all()
    assert staff.post(f"/reports/{report.id}/step", data={"step": "accept", "version": report.version}).status_code == 302
    committee = as_person(f.person(Role.COMMITTEE))
    db.session.expire_all()
    assert committee.post(f"/reports/{report.id}/step", data={"step": "reopen", "version": report.version, "reason": "Đối chiếu"}).status_code == 302
    db.session.expire_all()
    assert report.state == ReportState.RETURNED and report.reopened == 1
    version = as_person(head).get(f"/reports/{report.id}/versions/1").get_data(as_text=True)
    assert "Phiên bản 1" in version and "310" in version


def test_requests_and_directions_on_the_page(as_person, reg, head):
    report = open_q1(reg, head)
    client = as_person(head)
    response = client.post(f"/reports/{report.id}/requests", data={"kind": "obstacle", "body": "Vướng giải phóng mặt bằng", "target_id": ""})
    assert response.status_code == 302
    request = db.session.scalar(select(ops.SupportRequest))
    assert client.post(f"/reports/{report.id}/requests", data={"kind": "khác", "body": "x"}).status_code == 422
    committee = as_person(f.person(Role.COMMITTEE))
    answered = committee.post(f"/reports/{report.id}/requests/{request.id}/direction", data={"body": "Giao UBND huyện chủ trì", "version": request.version})
    assert answered.status_code == 302
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Giao UBND huyện chủ trì" in page and "Đã có chỉ đạo" in page
    db.session.expire_all()
    assert client.post(f"/reports/{report.id}/requests/{request.id}/close", data={"version": request.version}).status_code == 302
    db.session.expire_all()
    assert request.state == RequestState.CLOSED


def test_the_year_at_a_glance_has_charts_without_inline_script(as_person, reg, head):
    report = open_q1(reg, head)
    ops.save_entries(report, f.full_entries(reg), actor=head, version=report.version)
    db.session.flush()
    ops.submit(report, actor=head, version=report.version)
    page = as_person(head).get(f"/reports/registrations/{reg.id}/year").get_data(as_text=True)
    assert "chart.umd.min.js" in page and "js/reports.js" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script
    chart = re.search(r'data-chart="([^"]+)"', page).group(1)
    assert "&#34;plan&#34;: [300.0, 600.0, 900.0, 1200.0]" in chart and "&#34;forecast&#34;: 1240.0" in chart
    assert as_person(f.person(Role.HEAD)).get(f"/reports/registrations/{reg.id}/year").status_code == 403
    assert as_person(f.person(Role.STAFF)).get(f"/reports/registrations/{reg.id}/year").status_code == 200
