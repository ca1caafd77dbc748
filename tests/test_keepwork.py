"""Never lose what a person typed, on the server: a half-filled report saves as a draft and a
submission names every missing field by its input (page and API); the autosave endpoints keep
to versions, check the permission first and answer JSON; evidence uploads in the background
without touching the typed report, and without script an upload or a removal saves what was
typed with it; form drafts of the target form, the assignment form and the committee's decision
form are kept per person, restored, forgotten once the form is saved, and never overwrite
another tab."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

import factories as f
import files
from council_support import council, finalised, open_scoring, reported_registration, score
from workflow.accounts.models import Role
from workflow.council import queries as council_queries
from workflow.council.models import SelfAssessment
from workflow.core.models import utcnow
from workflow.drafts.models import FormDraft
from workflow.extensions import db
from workflow.reports import operations as reports
from workflow.reports.models import Evidence, ReportState

PAST = utcnow().year - 2  # every report window of this year is open
JSON = {"Accept": "application/json"}


@pytest.fixture
def reg():
    return f.assigned_registration(PAST)


@pytest.fixture
def head(reg):
    return f.head_of(reg)


@pytest.fixture
def report(reg, head):
    report = reports.open_report(reg, 1, actor=head)
    db.session.flush()
    return report


def _fresh(report):
    db.session.expire_all()
    return db.session.get(type(report), report.id)


# --- report drafts and submission ------------------------------------------------------------

def test_the_report_form_lets_a_half_filled_draft_through(as_person, reg, head, report):
    client = as_person(head)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    form = re.search(r'<form id="report-form"[^>]*>', page).group(0)
    # The browser must not stop a draft because another target's required fields are empty.
    assert "novalidate" in form and f'data-autosave="/reports/{report.id}/autosave"' in form
    # Enter in a field presses the first button of the form: saving the draft, never an upload.
    first = re.search(r'<button[^>]*form="report-form"[^>]*>', page).group(0)
    assert 'value="save"' in first and "formaction" not in first
    revenue = reg.targets[0]
    half = {"version": str(report.version), "action": "save", f"targets.{revenue.id}.narrative": "Đã thu 150 tỷ đồng"}
    assert client.post(f"/reports/{report.id}", data=half).status_code == 302
    report = _fresh(report)
    assert report.entry_for(revenue.id).narrative == "Đã thu 150 tỷ đồng" and report.state == ReportState.DRAFT
    assert "Đã thu 150 tỷ đồng" in client.get(f"/reports/{report.id}").get_data(as_text=True)


@pytest.mark.parametrize("locale, required", [("vi", "Bắt buộc trước khi gửi báo cáo."), ("en", "Required before submitting.")])
def test_submitting_names_each_missing_field_by_its_input(as_person, reg, report, locale, required):
    head = f.head_of(reg)
    head.locale = locale
    revenue, task, rate = reg.targets
    typed = {"version": str(report.version), "action": "submit", f"targets.{revenue.id}.actual": "310",
             f"targets.{revenue.id}.narrative": "Thu đạt kế hoạch", f"targets.{revenue.id}.confidence": "4"}
    response = as_person(head).post(f"/reports/{report.id}", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    missing = [f"targets.{task.id}.milestone_status", f"targets.{task.id}.narrative", f"targets.{task.id}.confidence",
               f"targets.{rate.id}.actual", f"targets.{rate.id}.narrative", f"targets.{rate.id}.confidence"]
    for name in missing:
        assert f'<div class="invalid-feedback d-block" id="{name}-error">{required}</div>' in page, name
    assert page.count(required) == len(missing)
    assert "Thu đạt kế hoạch" in page and 'value="310"' in page  # what was typed is shown again
    assert _fresh(report).state == ReportState.DRAFT


def test_the_api_names_each_missing_field_on_submit(client, reg, head, report):
    headers = f.api_headers(head)
    revenue, task, rate = reg.targets
    saved = client.patch(f"/api/v1/reports/{report.id}/entries", headers=headers,
                         json={"version": report.version, "entries": [{"target_id": revenue.id, "narrative": "Một nửa"}]})
    assert saved.status_code == 200
    refused = client.post(f"/api/v1/reports/{report.id}/transitions", headers=headers, json={"step": "submit", "version": saved.json["version"]})
    assert refused.status_code == 422
    errors = refused.json["errors"]["json"]
    assert set(errors) == {f"targets.{revenue.id}.actual", f"targets.{revenue.id}.confidence",
                           f"targets.{task.id}.milestone_status", f"targets.{task.id}.narrative", f"targets.{task.id}.confidence",
                           f"targets.{rate.id}.actual", f"targets.{rate.id}.narrative", f"targets.{rate.id}.confidence"}


# --- the report's autosave -------------------------------------------------------------------

def test_report_autosave_keeps_to_versions(as_person, reg, head, report):
    client = as_person(head)
    revenue, task, _ = reg.targets
    version = report.version
    saved = client.post(f"/reports/{report.id}/autosave", headers=JSON,
                        data={"version": str(version), "_draft": "save", f"targets.{revenue.id}.narrative": "Đang thu"})
    assert saved.status_code == 200
    assert saved.json["version"] == version + 1 and re.fullmatch(r"\d\d:\d\d", saved.json["saved_at_text"])
    assert _fresh(report).entry_for(revenue.id).narrative == "Đang thu"
    # A second tab still on the first version: refused, nothing overwritten.
    stale = client.post(f"/reports/{report.id}/autosave", headers=JSON,
                        data={"version": str(version), f"targets.{revenue.id}.narrative": "Bản cũ"})
    assert stale.status_code == 409 and stale.json["current_version"] == version + 1 and stale.json["message"]
    assert _fresh(report).entry_for(revenue.id).narrative == "Đang thu"
    # A wrong value: refused by its input, nothing saved.
    bad = client.post(f"/reports/{report.id}/autosave", headers=JSON,
                      data={"version": str(version + 1), f"targets.{task.id}.delivered_on": "2999-01-01", f"targets.{task.id}.narrative": "Xong"})
    assert bad.status_code == 422 and list(bad.json["errors"]) == [f"targets.{task.id}.delivered_on"]
    assert _fresh(report).entry_for(task.id) is None


@pytest.mark.parametrize("who, status", [
    ("the head", 200),
    ("another head", 403),
    ("staff", 403),
    ("committee", 403),
])
def test_report_autosave_checks_the_permission_first(as_person, reg, head, report, who, status):
    person = {"the head": head, "another head": f.person(Role.HEAD), "staff": f.person(Role.STAFF),
              "committee": f.person(Role.COMMITTEE)}[who]
    revenue = reg.targets[0]
    # A stale version and a wrong value: someone not allowed learns nothing from either.
    data = {"version": str(report.version if status == 200 else report.version + 5), f"targets.{revenue.id}.narrative": "Ghi đè",
            **({} if status == 200 else {f"targets.{revenue.id}.actual": "ba trăm"})}
    response = as_person(person).post(f"/reports/{report.id}/autosave", headers=JSON, data=data)
    assert response.status_code == status and response.is_json
    entry = _fresh(report).entry_for(revenue.id)
    assert (entry is not None and entry.narrative == "Ghi đè") == (status == 200)


def test_report_autosave_after_submission_is_refused(as_person, reg, head, report):
    client = as_person(head)
    entries = f.full_entries(reg)
    reports.save_entries(report, entries, actor=head, version=report.version)
    db.session.flush()
    reports.submit(report, actor=head, version=report.version)
    db.session.commit()
    response = client.post(f"/reports/{report.id}/autosave", headers=JSON,
                           data={"version": str(report.version), f"targets.{reg.targets[0].id}.narrative": "Sửa sau khi gửi"})
    assert response.status_code == 409 and response.json["message"]
    assert _fresh(report).entry_for(reg.targets[0].id).narrative != "Sửa sau khi gửi"


# --- evidence without losing the typed report ------------------------------------------------

def test_a_background_upload_answers_json_and_leaves_the_draft_alone(as_person, reg, head, report):
    client = as_person(head)
    revenue = reg.targets[0]
    client.post(f"/reports/{report.id}", data={"version": str(report.version), f"targets.{revenue.id}.narrative": "Đã lưu trước"})
    version = _fresh(report).version
    response = client.post(f"/reports/{report.id}/evidence", headers=JSON, content_type="multipart/form-data",
                           data={"upload": str(revenue.id), f"file-{revenue.id}": (io.BytesIO(files.pdf_bytes()), "Biên bản quý I.pdf")})
    assert response.status_code == 201
    item = db.session.scalar(select(Evidence))
    assert item.target_id == revenue.id and item.filename == "Biên bản quý I.pdf"
    assert response.json["version"] == _fresh(report).version == version + 1  # the page sends it with its next save
    html = response.json["html"]
    assert f'id="evidence-{item.id}"' in html and "Biên bản quý I.pdf" in html and f"/evidence/{item.id}/remove" in html
    assert "“Biên bản quý I.pdf”" in response.json["message"]
    assert _fresh(report).entry_for(revenue.id).narrative == "Đã lưu trước"
    # Refused files: the reason by the file input that sent them, in JSON.
    wrong = client.post(f"/reports/{report.id}/evidence", headers=JSON, content_type="multipart/form-data",
                        data={"upload": "report", "file-report": (io.BytesIO(files.exe_bytes()), "bao-cao.pdf")})
    assert wrong.status_code == 422 and list(wrong.json["errors"]) == ["file-report"]
    none = client.post(f"/reports/{report.id}/evidence", headers=JSON, data={"upload": str(revenue.id)})
    assert none.status_code == 422 and list(none.json["errors"]) == [f"file-{revenue.id}"]
    # Removing in the background: the current version, or a conflict.
    stale = client.post(f"/reports/{report.id}/evidence/{item.id}/remove", headers=JSON, data={"version": str(version)})
    assert stale.status_code == 409 and db.session.scalar(select(Evidence.removed_at)) is None
    removed = client.post(f"/reports/{report.id}/evidence/{item.id}/remove", headers=JSON, data={"version": str(version + 1)})
    assert removed.status_code == 200 and removed.json["version"] == version + 2
    db.session.expire_all()
    assert db.session.scalar(select(Evidence.removed_at)) is not None


def test_a_background_upload_too_large_answers_413_json(as_person, reg, head, report):
    rules = dict(reg.cycle.rules)
    rules["reports"] = {**rules["reports"], "max_file_mb": 1}
    reg.cycle.rules = rules
    response = as_person(head).post(f"/reports/{report.id}/evidence", headers=JSON, content_type="multipart/form-data",
                                    data={"upload": "report", "file-report": (io.BytesIO(files.pdf_bytes() + b" " * 1_100_000), "lon.pdf")})
    assert response.status_code == 413 and response.json["errors"] == {"file-report": ["Tệp lớn hơn 1 MB."]}


def test_without_script_an_upload_saves_what_was_typed_with_it(as_person, reg, head, report):
    client = as_person(head)
    revenue, task, _ = reg.targets
    typed = {"version": str(report.version), f"targets.{revenue.id}.narrative": "Thu ngân sách quý I đạt 103%",
             f"targets.{task.id}.milestone_status": "in_progress"}
    response = client.post(f"/reports/{report.id}/evidence", content_type="multipart/form-data",
                           data={"upload": str(revenue.id), f"file-{revenue.id}": (io.BytesIO(files.pdf_bytes()), "thu.pdf"), **typed})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#target-{revenue.id}")
    report = _fresh(report)
    assert report.entry_for(revenue.id).narrative == "Thu ngân sách quý I đạt 103%"
    assert report.entry_for(task.id).milestone_status.value == "in_progress"
    assert db.session.scalar(select(Evidence.filename)) == "thu.pdf"
    # A refused file: the page again, with what was typed and the reason by the file input.
    item = db.session.scalar(select(Evidence))
    again = {"version": str(report.version), f"targets.{revenue.id}.narrative": "Bổ sung: quyết toán quý I"}
    refused = client.post(f"/reports/{report.id}/evidence", content_type="multipart/form-data",
                          data={"upload": "report", "file-report": (io.BytesIO(files.exe_bytes()), "x.pdf"), **again})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Bổ sung: quyết toán quý I" in page and 'id="file-report-error"' in page
    assert _fresh(report).entry_for(revenue.id).narrative == "Thu ngân sách quý I đạt 103%"
    # Removing a file saves what was typed too, and the removal carries the version it saved.
    typed = {"version": str(report.version), f"targets.{revenue.id}.narrative": "Đã thay biên bản"}
    assert client.post(f"/reports/{report.id}/evidence/{item.id}/remove", data=typed).status_code == 302
    report = _fresh(report)
    assert report.entry_for(revenue.id).narrative == "Đã thay biên bản" and db.session.get(Evidence, item.id).removed_at is not None


def test_a_background_request_refused_before_any_page_answers_json(as_person, report):
    response = as_person(f.person(Role.HEAD)).post(f"/reports/{report.id}/evidence", headers=JSON, data={"upload": "report"})
    assert response.status_code == 403 and response.is_json and response.json["message"]
    assert as_person(f.person(Role.HEAD)).get("/reports/999999", headers=JSON).json["code"] == 404


# --- form drafts: the target form ------------------------------------------------------------

@pytest.fixture
def draft_reg():
    return f.complete_registration("draft")


def _keep(client, url, version="", **typed):
    return client.post(url, headers=JSON, data={"_draft": "save", "draft_version": version, **typed})


def test_the_target_form_keeps_restores_and_forgets_its_draft(as_person, draft_reg):
    head = f.head_of(draft_reg)
    client = as_person(head)
    url = f"/registrations/{draft_reg.id}/targets/new"
    page = client.get(url).get_data(as_text=True)
    assert f'data-autosave="{url}"' in page and 'data-autosave-version="draft_version"' in page
    first = _keep(client, url, title="Số xã đạt chuẩn nông thôn mới", weight="")
    assert first.status_code == 200 and first.json["version"] == 1
    second = _keep(client, url, version="1", title="Số xã đạt chuẩn nông thôn mới nâng cao", field="Nông nghiệp")
    assert second.status_code == 200 and second.json["version"] == 2
    # Another tab that never saw version 2: refused, the draft stays as it was.
    other_tab = _keep(client, url, version="1", title="Bản của thẻ khác")
    assert other_tab.status_code == 409 and other_tab.json["current_version"] == 2 and "thẻ" in other_tab.json["message"]
    fresh_tab = _keep(client, url, title="Một thẻ mới mở")
    assert fresh_tab.status_code == 409
    draft = db.session.scalar(select(FormDraft))
    assert draft.fields == {"title": "Số xã đạt chuẩn nông thôn mới nâng cao", "field": "Nông nghiệp"} and draft.person_id == head.id
    # Opening the form again shows it, with a word saying so.
    page = client.get(url).get_data(as_text=True)
    assert 'value="Số xã đạt chuẩn nông thôn mới nâng cao"' in page and "chưa lưu" in page and 'name="draft_version" value="2"' in page
    # Saving the form through its button forgets the draft.
    saved = client.post(url, data={"kind": "task", "title": "Số xã đạt chuẩn nông thôn mới nâng cao", "field": "Nông nghiệp",
                                   "weight": "5", "product": "Quyết định công nhận", "due_date": f"{draft_reg.cycle.year}-11-30"})
    assert saved.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(FormDraft)) == 0
    assert "chưa lưu" not in client.get(url).get_data(as_text=True)


def test_a_refused_form_keeps_its_draft_version(as_person, draft_reg):
    client = as_person(f.head_of(draft_reg))
    url = f"/registrations/{draft_reg.id}/targets/new"
    _keep(client, url, title="Chỉ tiêu dở dang")
    page = client.post(url, data={"title": "Chỉ tiêu dở dang", "draft_version": "1"}).get_data(as_text=True)
    # The page shown again goes on saving the same draft (not as if another tab held it).
    assert 'name="draft_version" value="1"' in page and 'value="Chỉ tiêu dở dang"' in page
    assert _keep(client, url, version="1", title="Chỉ tiêu dở dang, sửa").status_code == 200


def test_discarding_a_draft(as_person, draft_reg):
    client = as_person(f.head_of(draft_reg))
    url = f"/registrations/{draft_reg.id}/targets/new"
    _keep(client, url, title="Không dùng nữa")
    response = client.post(url, data={"_draft": "discard"})
    assert response.status_code == 302 and response.headers["Location"] == url
    assert db.session.scalar(select(func.count()).select_from(FormDraft)) == 0
    assert "Không dùng nữa" not in client.get(url).get_data(as_text=True)


def test_an_edit_restored_from_an_old_draft_does_not_overwrite_a_newer_target(as_person, draft_reg):
    from workflow.targets import operations as targets

    head = f.head_of(draft_reg)
    client = as_person(head)
    target = draft_reg.targets[0]
    url = f"/registrations/{draft_reg.id}/targets/{target.id}/edit"
    form = {"version": str(target.version), "kind": "quantitative", "title": "Thu ngân sách (bản nháp)", "field": target.field,
            "weight": "40", "measure": "tỷ đồng", "direction": "higher", "baseline": "1000", "target_value": "1250",
            "plan_q1": "300", "plan_q2": "600", "plan_q3": "900", "plan_q4": "1250"}
    assert _keep(client, url, **form).status_code == 200
    targets.update_target(target, {"title": "Thu ngân sách (sửa ở nơi khác)"}, actor=head, version=target.version)
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert 'value="Thu ngân sách (bản nháp)"' in page
    stale = client.post(url, data={**form, "draft_version": "1"})
    assert stale.status_code == 409 and "Thu ngân sách (sửa ở nơi khác)" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert target.title == "Thu ngân sách (sửa ở nơi khác)"
    assert db.session.scalar(select(func.count()).select_from(FormDraft)) == 1  # still there to try again


@pytest.mark.parametrize("who", ["staff", "another head", "committee"])
def test_a_form_draft_needs_the_permission_of_the_form(as_person, draft_reg, who):
    person = {"staff": f.person(Role.STAFF), "another head": f.person(Role.HEAD), "committee": f.person(Role.COMMITTEE)}[who]
    client = as_person(person)
    for url in (f"/registrations/{draft_reg.id}/targets/new", f"/registrations/{draft_reg.id}/targets/{draft_reg.targets[0].id}/edit"):
        response = _keep(client, url, title="Không được phép")
        assert response.status_code == 403 and response.is_json, url
        assert client.post(url, data={"_draft": "discard"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(FormDraft)) == 0


def test_a_submitted_registration_takes_no_more_drafts_from_its_head(as_person):
    reg = f.complete_registration("submitted")
    response = _keep(as_person(f.head_of(reg)), f"/registrations/{reg.id}/targets/new", title="Sau khi gửi")
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(FormDraft)) == 0


def test_form_drafts_are_each_persons_own(as_person):
    reg = f.complete_registration("reviewed")
    one, two = f.person(Role.COMMITTEE), f.person(Role.COMMITTEE)
    url = f"/registrations/{reg.id}/assign"
    assert _keep(as_person(one), url, decision_number="15-QĐ/TU", signer_title="Phó Bí thư").status_code == 200
    assert 'value="15-QĐ/TU"' in as_person(one).get(url).get_data(as_text=True)
    theirs = as_person(two).get(url).get_data(as_text=True)
    assert "15-QĐ/TU" not in theirs and 'name="draft_version" value=""' in theirs
    assert _keep(as_person(two), url, decision_number="16-QĐ/TU").status_code == 200  # a draft of their own
    assert db.session.scalar(select(func.count()).select_from(FormDraft)) == 2


def test_a_draft_too_long_is_refused(as_person, draft_reg):
    response = _keep(as_person(f.head_of(draft_reg)), f"/registrations/{draft_reg.id}/targets/new", title="x" * 200_001)
    assert response.status_code == 422 and response.json["errors"]["_schema"]
    assert db.session.scalar(select(func.count()).select_from(FormDraft)) == 0


# --- the committee's decision form and the self-assessment -----------------------------------

@pytest.fixture
def scene(app):
    cycle = f.year(2027)
    regs = [reported_registration(cycle, actual=a) for a in ("1300", "1200")]
    open_scoring(cycle)
    seats = council(cycle, members=3)
    return cycle, regs, seats


def test_the_decision_form_keeps_what_the_committee_typed_per_head(scene, as_person):
    cycle, regs, seats = scene
    for name in ("m1", "m2", "m3"):
        for r in regs:
            score(seats[name], r)
    finalised(cycle, seats)
    member = f.person(Role.COMMITTEE)
    client = as_person(member)
    url = f"/council/{cycle.id}/decisions/{regs[1].id}"
    kept = _keep(client, url + "?page=1", level="not_completed", reason="Vi phạm kỷ luật sau phiên họp")
    assert kept.status_code == 200
    page = client.get(f"/council/{cycle.id}/decisions").get_data(as_text=True)
    row = page[page.index(f'id="decide-{regs[1].id}"'):]
    row = row[:row.index("</form>")]
    assert 'value="Vi phạm kỷ luật sau phiên họp"' in row and '<option value="not_completed" selected>' in row
    assert 'name="draft_version" value="1"' in row
    other = page[page.index(f'id="decide-{regs[0].id}"'):]
    assert "Vi phạm kỷ luật" not in other[:other.index("</form>")]
    assert _keep(as_person(seats["m1"].person), url, reason="Không phải Ban Thường vụ").status_code == 403
    recorded = client.post(url, data={"level": "not_completed", "reason": "Vi phạm kỷ luật sau phiên họp", "draft_version": "1"})
    assert recorded.status_code == 302 and council_queries.latest_decision(regs[1].id).level == "not_completed"
    assert db.session.scalar(select(func.count()).select_from(FormDraft)) == 0


def test_the_self_assessment_saves_itself_as_a_draft(scene, as_person):
    cycle, regs, seats = scene
    head = f.head_of(regs[0])
    client = as_person(head)
    url = f"/council/self-assessment/{regs[0].id}/autosave"
    page = client.get(f"/council/self-assessment/{regs[0].id}").get_data(as_text=True)
    assert f'data-autosave="{url}"' in page and re.search(r'<form method="post" id="self-assessment-form" novalidate', page)
    first = client.post(url, headers=JSON, data={"version": "", "summary": "", "shortcomings": "Còn chậm giải ngân"})
    assert first.status_code == 200 and first.json["version"] == 1  # a draft with the required summary still empty
    second = client.post(url, headers=JSON, data={"version": "1", "summary": "Hoàn thành các chỉ tiêu", "shortcomings": "Còn chậm giải ngân"})
    assert second.status_code == 200 and second.json["version"] == 2
    stale = client.post(url, headers=JSON, data={"version": "1", "summary": "Bản cũ"})
    assert stale.status_code == 409 and stale.json["current_version"] == 2
    assert as_person(f.head_of(regs[1])).post(url, headers=JSON, data={"version": "2", "summary": "Không phải của tôi"}).status_code == 403
    db.session.expire_all()
    item = db.session.scalar(select(SelfAssessment))
    assert (item.summary, item.shortcomings, item.version) == ("Hoàn thành các chỉ tiêu", "Còn chậm giải ngân", 2)


def test_the_scorecard_autosave_answers_like_every_other(scene, as_person):
    cycle, regs, seats = scene
    client = as_person(seats["m1"].person)
    page = client.get(f"/council/{cycle.id}/score/{regs[0].id}").get_data(as_text=True)
    # Opening the page writes nothing: the empty card is version 1 in the form and is written,
    # as version 1 then 2, by the first save.
    assert council_queries.scorecard(seats["m1"].id, regs[0].id) is None and 'name="version" value="1"' in page
    saved = client.post(f"/council/{cycle.id}/score/{regs[0].id}/autosave", headers=JSON,
                        data={"version": "1", "general.political": "9", "_draft": "save"})
    assert saved.status_code == 200 and saved.json["version"] == 2 and re.fullmatch(r"\d\d:\d\d", saved.json["saved_at_text"])
    assert council_queries.scorecard(seats["m1"].id, regs[0].id).general == {"political": "9"}
