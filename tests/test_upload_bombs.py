"""Decompression bombs (workflow/reports/evidence.py): an upload of a few hundred KB that unpacks to
hundreds of MB is refused, with the reason by the file input, nothing stored, and the worker's
memory growing by a few MB only (measured with tracemalloc over the whole request)."""

from __future__ import annotations

import io
import random
import tracemalloc

import pytest
from sqlalchemy import func, select

import factories as f
import files
from files import MIB, deflated, deflated_repeat, docx_with, zip_of
from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.reports import evidence
from workflow.reports import operations as ops
from workflow.reports.models import Evidence

MEMORY_BUDGET = 32 * MIB  # per upload, whatever the file unpacks to


def mimetype_bomb() -> bytes:
    """An OpenDocument-like archive whose `mimetype` part unpacks from ~400 KB to 400 MiB."""
    return zip_of([("mimetype", deflated_repeat(b"\0", 400), 400 * MIB)])


def many_parts() -> bytes:
    real = [(n, deflated(b"<x/>"), 4) for n in ("[Content_Types].xml", "word/document.xml")]
    return zip_of(real + [(f"word/media/{i}.xml", deflated(b""), 0) for i in range(6000)])


@pytest.fixture
def report_page(as_person):
    reg = f.assigned_registration(utcnow().year - 2)
    head = f.head_of(reg)
    report = ops.open_report(reg, 1, actor=head)
    db.session.commit()
    return as_person(head), report


def _upload(client, report, data: bytes, name: str) -> tuple[object, int]:
    """POST the file through the report page; the response and the peak memory it took."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        response = client.post(f"/reports/{report.id}/evidence", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak - before


@pytest.mark.parametrize(("make", "name", "said"), [
    (mimetype_bomb, "bien-ban.odt", "Một phần của tệp khi giải nén lớn hơn 100 MB"),
    (lambda: docx_with(deflated_repeat(b" ", 500)), "bien-ban.docx", "Một phần của tệp khi giải nén lớn hơn 100 MB"),
    (lambda: docx_with(deflated_repeat(b" ", 60)), "bien-ban.docx", "lớn hơn 100 lần"),
    # Declares 1 MB, unpacks to 500: zipfile stops at the declared size and the CRC gives it away.
    (lambda: docx_with(deflated_repeat(b" ", 500), declared=MIB), "bien-ban.docx", "Loại tệp này không được chấp nhận"),
    (many_parts, "bien-ban.docx", "Tệp có hơn 5000 phần"),
], ids=["mimetype-400MiB", "document-500MiB", "ratio-1000", "declared-size-lies", "6000-parts"])
def test_a_decompression_bomb_is_refused_without_unpacking_it(report_page, make, name, said, record_property):
    client, report = report_page
    data = make()
    assert len(data) < 1.2 * MIB
    response, grown = _upload(client, report, data, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and said in page and 'id="file-report-error"' in page
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
    record_property("upload_kb", len(data) // 1024)
    record_property("memory_growth_mb", round(grown / MIB, 1))
    print(f"\n{name}: {len(data) // 1024} KB upload, worker memory grew {grown / MIB:.1f} MB")
    assert grown < MEMORY_BUDGET


def test_a_large_ordinary_document_is_still_accepted(report_page):
    client, report = report_page
    words = random.Random(7).choices(["chỉ", "tiêu", "thu", "ngân", "sách", "kế", "hoạch", "quý", "đạt", "123", "456,7"], k=1_200_000)
    xml = ("<w:document><w:body><w:p><w:r><w:t>" + " ".join(words) + "</w:t></w:r></w:p></w:body></w:document>").encode()
    data = docx_with(deflated(xml))
    response, grown = _upload(client, report, data, "bao-cao-dai.docx")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(select(Evidence.content_type)) == evidence.EVIDENCE_TYPES["docx"][0]
    assert grown < MEMORY_BUDGET + len(xml)  # the test's own copy of the XML aside


@pytest.mark.parametrize(("limits", "reason"), [
    (evidence.ArchiveLimits(part_bytes=2 * MIB, total_bytes=100 * MIB, ratio=10_000), "part"),
    (evidence.ArchiveLimits(part_bytes=100 * MIB, total_bytes=2 * MIB, ratio=10_000), "total"),
    (evidence.ArchiveLimits(part_bytes=100 * MIB, total_bytes=100 * MIB, ratio=50), "ratio"),
])
def test_each_limit_is_the_settings_one(limits, reason):
    data = docx_with(deflated_repeat(b" ", 3)) + b""
    with pytest.raises(evidence.ArchiveRefused) as refused:
        evidence.detect(io.BytesIO(data), limits)
    assert refused.value.reason == reason
    assert evidence.detect(io.BytesIO(data), evidence.ArchiveLimits(100 * MIB, 100 * MIB, 10_000)) == "docx"


def test_the_limits_come_from_the_settings(app):
    assert evidence.ArchiveLimits.from_settings() == evidence.ArchiveLimits(100 * MIB, 200 * MIB, 100)


def test_parts_packed_other_than_by_deflate_are_not_accepted():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_BZIP2) as archive:  # unpacks in unbounded steps
        with zipfile.ZipFile(io.BytesIO(files.docx_bytes())) as real:
            for name in real.namelist():
                archive.writestr(name, real.read(name))
    assert evidence.detect(io.BytesIO(out.getvalue())) is None
