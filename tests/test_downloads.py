"""What signed-in people download (evidence through each of its three addresses, exports) is never
kept by a browser or a proxy: Cache-Control: no-store, whatever send_file would say."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

import factories as f
import files
from workflow.accounts.models import Role
from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.reports import operations as ops
from workflow.reports.models import Evidence


@pytest.fixture
def evidence_item():
    reg = f.assigned_registration(utcnow().year - 2)
    head = f.head_of(reg)
    report = ops.open_report(reg, 1, actor=head)
    db.session.flush()
    ops.add_evidence(report, io.BytesIO(files.pdf_bytes()), "Biên bản.pdf", actor=head)
    db.session.commit()
    return reg, report, db.session.scalar(select(Evidence))


def test_evidence_downloads_are_not_stored_by_browsers_or_proxies(as_person, client, evidence_item):
    reg, report, item = evidence_item
    staff = f.person(Role.STAFF)
    browser = as_person(staff)
    for response in (
        browser.get(f"/reports/{report.id}/evidence/{item.id}"),
        browser.get(f"/council/{reg.cycle_id}/evidence/{item.id}"),
        client.get(f"/api/v1/reports/{report.id}/evidence/{item.id}/content", headers=f.api_headers(staff)),
    ):
        assert response.status_code == 200 and response.data[:4] == b"%PDF"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_exports_are_not_stored_either(as_person, evidence_item):
    reg, report, item = evidence_item
    response = as_person(f.person(Role.STAFF)).get(f"/reports/export?cycle_id={reg.cycle_id}&quarter=1")
    assert response.status_code == 200, response.status_code
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_own_caching(as_person):
    response = as_person(f.person(Role.STAFF)).get("/static/css/app.css")
    assert response.status_code == 200 and "no-store" not in response.headers.get("Cache-Control", "")
