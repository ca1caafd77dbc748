"""Evidence files: the type from the content (real files made at test time), storage by content
hash, size and count limits, and a refused upload that loses nothing saved."""

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

import factories as f
import files
from workflow.core.errors import TransitionRefused, ValidationFailed
from workflow.extensions import db
from workflow.reports import evidence
from workflow.reports import operations as ops
from workflow.reports.models import Evidence

NOW = datetime(2027, 4, 5, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def report():
    reg = f.assigned_registration()
    r = ops.open_report(reg, 1, actor=f.head_of(reg), now=NOW)
    db.session.flush()
    return r


def upload(report, data, name, target_id=None):
    item = ops.add_evidence(report, io.BytesIO(data), name, actor=f.head_of(report.registration), target_id=target_id)
    db.session.flush()
    return item


@pytest.mark.parametrize("make, name, kind, content_type", [
    (files.pdf_bytes, "Báo cáo quý I.pdf", "pdf", "application/pdf"),
    (lambda: files.image_bytes("PNG"), "ảnh hiện trường.png", "png", "image/png"),
    (lambda: files.image_bytes("JPEG"), "anh.jpeg", "jpg", "image/jpeg"),
    (files.docx_bytes, "Biên bản.docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (files.xlsx_bytes, "Số liệu.xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (files.xls_bytes, "So lieu cu.xls", "xls", "application/vnd.ms-excel"),
    (files.doc_bytes, "Công văn.doc", "doc", "application/msword"),
])
def test_accepted_types_are_recognised_from_their_content(app, report, make, name, kind, content_type):
    data = make()
    assert evidence.detect(io.BytesIO(data)) == kind
    # Named wrongly on purpose: the content decides, and the name gets the right extension.
    item = upload(report, data, name.rsplit(".", 1)[0] + ".txt", target_id=report.registration.targets[0].id)
    assert item.content_type == content_type and item.size == len(data)
    assert item.filename.endswith("." + evidence.EVIDENCE_TYPES[kind][1])
    stored = evidence.path_of(item.sha256)
    assert stored.read_bytes() == data
    assert str(stored).endswith(f"{item.sha256[:2]}/{item.sha256[2:4]}/{item.sha256}")


@pytest.mark.parametrize("make, name", [
    (files.exe_bytes, "bao-cao.pdf"),  # a program renamed to look like a PDF
    (files.html_bytes, "bien-ban.docx"),  # a web page renamed
    (files.zip_bytes, "so-lieu.xlsx"),  # a ZIP with a Word-like folder but no document in it
    (lambda: b"plain text, nothing else", "ghi-chu.doc"),
])
def test_other_content_is_refused_whatever_its_name(report, make, name):
    with pytest.raises(ValidationFailed) as exc:
        upload(report, make(), name)
    assert list(exc.value.errors) == ["file"] and "content was checked" in exc.value.errors["file"][0]
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_a_type_the_rules_do_not_allow_is_refused(report):
    with pytest.raises(ValidationFailed) as exc:
        upload(report, files.image_bytes("GIF"), "a.gif")
    assert "Accepted: PDF, PNG, JPG, DOC, DOCX, XLS, XLSX" in exc.value.errors["file"][0]


def test_size_and_count_limits(report):
    rules = dict(report.registration.cycle.rules)
    rules["reports"] = {**rules["reports"], "max_file_mb": 1, "max_files_per_target": 2, "max_files_per_report": 3}
    report.registration.cycle.rules = rules
    db.session.flush()
    revenue = report.registration.targets[0]
    ops.save_entries(report, [{"target_id": revenue.id, "actual": Decimal("300"), "narrative": "Đạt kế hoạch"}],
                     actor=f.head_of(report.registration), version=report.version)
    db.session.flush()
    big = files.pdf_bytes() + b"%" * (1024 * 1024)
    with pytest.raises(ops.FileTooLarge) as exc:
        upload(report, big, "lon.pdf")
    assert exc.value.status_code == 413 and "larger than 1 MB" in exc.value.errors["file"][0]
    upload(report, files.pdf_bytes("a"), "a.pdf", target_id=revenue.id)
    upload(report, files.pdf_bytes("b"), "b.pdf", target_id=revenue.id)
    with pytest.raises(ValidationFailed) as exc:
        upload(report, files.pdf_bytes("c"), "c.pdf", target_id=revenue.id)
    assert "at most 2 files" in exc.value.errors["file"][0]
    upload(report, files.pdf_bytes("d"), "d.pdf")
    with pytest.raises(ValidationFailed) as exc:
        upload(report, files.pdf_bytes("e"), "e.pdf")
    assert "at most 3 files" in exc.value.errors["file"][0]
    # Nothing saved was lost by the refusals.
    entry = report.entry_for(revenue.id)
    assert (entry.actual, entry.narrative) == (Decimal("300"), "Đạt kế hoạch")
    ops.remove_evidence(db.session.scalars(select(Evidence)).first(), report, actor=f.head_of(report.registration), version=report.version)
    with pytest.raises(ValidationFailed) as exc:
        upload(report, b"", "empty.pdf")
    assert exc.value.errors == {"file": ["The file is empty."]}


def test_same_content_is_stored_once_and_removal_keeps_it(report):
    a = upload(report, files.pdf_bytes("same"), "một.pdf")
    b = upload(report, files.pdf_bytes("same"), "hai.pdf")
    assert a.sha256 == b.sha256 and a.id != b.id
    ops.remove_evidence(a, report, actor=f.head_of(report.registration), version=report.version)
    db.session.flush()
    assert a.removed_at is not None and evidence.path_of(a.sha256).exists()
    with pytest.raises(Exception, match="already removed"):
        ops.remove_evidence(a, report, actor=f.head_of(report.registration), version=report.version)


def test_no_upload_to_a_submitted_report(report):
    head = f.head_of(report.registration)
    ops.save_entries(report, f.full_entries(report.registration), actor=head, version=report.version, now=NOW)
    db.session.flush()
    ops.submit(report, actor=head, version=report.version, now=NOW)
    with pytest.raises(TransitionRefused, match="can no longer be changed"):
        upload(report, files.pdf_bytes(), "muon.pdf")


def test_file_names_are_cleaned():
    assert evidence.clean_filename("../../etc/Báo cáo\x00 quý I.PDF", "pdf") == "Báo cáo_ quý I.pdf"
    assert evidence.clean_filename("C:\\Users\\x\\bien ban.docx", "docx") == "bien ban.docx"
    assert evidence.clean_filename("...", "png") == "tep-minh-chung.png"
    assert len(evidence.clean_filename("a" * 500 + ".pdf", "pdf")) == 200
