"""Products delivered imported from other systems (E-Office, the one-stop system, the
document-management system): matched to servants by personnel code or e-mail and to the month's
products by code (else an ad-hoc product), every bad row named by line, column and why, nothing
written while any remains unless "valid rows only", the same file twice changing nothing, each
line keeping its source, the column mapping saved per source; the page and the API."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

import factories as f
from monthly_support import agency, planned, xlsx  # noqa: F401  (fixture)
from workflow import policy
from workflow.accounts.models import Role
from workflow.core.audit import AuditEntry
from workflow.core.errors import PermissionDenied, ValidationFailed
from workflow.extensions import db
from workflow.monthly import deliveries
from workflow.monthly.models import LineOrigin, MonthlyPlan
from workflow.ratings import imports as rating_imports
from workflow.ratings.models import ImportMapping

HEADER = ["Số ký hiệu", "Mã cán bộ", "Mã sản phẩm", "Tên sản phẩm", "Số lượng", "Ngày hoàn thành", "Liên kết"]


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def _csv(rows: list[list[str]], sep: str = ";") -> bytes:
    return "\n".join(sep.join(r) for r in rows).encode()


@pytest.fixture
def march(agency):
    """lan (personnel code CC-001) and duc (by e-mail) with March's products assigned."""
    agency.lan.personnel_code = "CC-001"
    agency.duc.email = "duc@snv.gov.vn"
    db.session.flush()
    return {"lan": planned(agency, "lan"), "duc": planned(agency, "duc")}


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_rows_are_matched_by_personnel_code_or_email_and_by_product_code_and_the_same_file_twice_changes_nothing(agency, march):
    period = agency.month(3)
    data = xlsx([HEADER,
                 ["VB-101", "CC-001", "HS-TD", "", 2, date(2026, 3, 10), "https://eoffice.snv.gov.vn/vb/101"],
                 ["VB-102", "cc-001", "HS-TD", "", "1,5", "18/03/2026", ""],  # two rows of one product: added up
                 ["VB-103", "DUC@snv.gov.vn", "BC-TT", "", 1, "27/03/2026", ""],
                 ["VB-104", "duc@snv.gov.vn", "", "Tờ trình xin ý kiến", 1, "20/03/2026", ""]])  # no code: an ad-hoc product
    found = deliveries.apply(data, period, deliveries.COLUMNS, "E-Office", actor=agency.head)
    db.session.flush()
    assert found.problems == [] and found.counts() == {"updated": 2, "added": 1, "unchanged": 0, "rows": 4, "refused_rows": 0}
    db.session.expire_all()
    lan = db.session.get(MonthlyPlan, march["lan"].id)
    dossier = lan.lines[0]
    assert (dossier.delivered_quantity, dossier.delivered_on) == (Decimal("3.5"), date(2026, 3, 18))
    assert dossier.evidence_link == "https://eoffice.snv.gov.vn/vb/101" and dossier.source == "E-Office: VB-101, VB-102"
    assert lan.lines[1].delivered_quantity is None and lan.lines[1].source == ""  # nothing in the file for the report
    duc = db.session.get(MonthlyPlan, march["duc"].id)
    assert duc.lines[1].delivered_quantity == Decimal(1) and duc.lines[1].source == "E-Office: VB-103"
    added = duc.lines[2]
    assert (added.name, added.origin, added.quantity, added.delivered_quantity, added.source) == (
        "Tờ trình xin ý kiến", LineOrigin.IMPORTED, Decimal(1), Decimal(1), "E-Office: VB-104")
    versions, audits = (lan.version, duc.version), _audits("monthly_plan.import")
    assert audits == 2
    # The same file again: everything is as the file says already; nothing is written.
    again = deliveries.apply(data, period, deliveries.COLUMNS, "E-Office", actor=agency.head)
    db.session.flush()
    assert again.counts()["unchanged"] == 3 and again.counts()["updated"] == again.counts()["added"] == 0
    db.session.expire_all()
    assert (db.session.get(MonthlyPlan, lan.id).version, db.session.get(MonthlyPlan, duc.id).version) == versions
    assert len(db.session.get(MonthlyPlan, duc.id).lines) == 3 and _audits("monthly_plan.import") == audits


def test_every_bad_row_is_named_and_nothing_is_written_unless_valid_rows_only(agency, march):
    period = agency.month(3)
    data = _csv([HEADER,
                 ["VB-1", "CC-001", "HS-TD", "", "4", "18/03/2026", ""],
                 ["VB-2", "CC-999", "HS-TD", "", "1", "18/03/2026", ""],
                 ["VB-3", "CC-001", "BC-TT", "", "ba", "18/03/2026", ""],
                 ["VB-4", "CC-001", "BC-TT", "", "1", "31/05/2026", "ftp://x"],
                 ["VB-1", "duc@kpi.test", "", "", "1", "", ""]])
    found = deliveries.preview(data, period, deliveries.COLUMNS, "E-Office", actor=agency.head)
    why = {(p.line, p.column): p.why for p in found.problems}
    assert set(why) == {(3, "Mã cán bộ"), (4, "Số lượng"), (5, "Ngày hoàn thành"), (5, "Liên kết"), (6, "Số ký hiệu"), (6, "Mã cán bộ"),
                        (6, "Ngày hoàn thành")}
    assert "CC-999" in why[3, "Mã cán bộ"] and "2" in why[6, "Số ký hiệu"]
    assert found.counts()["refused_rows"] == 4 and [d.rows for d in found.deliveries] == [[2]]
    with pytest.raises(ValidationFailed) as refused:
        deliveries.apply(data, period, deliveries.COLUMNS, "E-Office", actor=agency.head)
    assert len(refused.value.errors["file"]) == 7
    db.session.expire_all()
    assert db.session.get(MonthlyPlan, march["lan"].id).lines[0].delivered_quantity is None
    assert db.session.scalar(select(func.count()).select_from(ImportMapping)) == 0
    deliveries.apply(data, period, deliveries.COLUMNS, "E-Office", actor=agency.head, valid_only=True)
    db.session.flush()
    db.session.expire_all()
    assert db.session.get(MonthlyPlan, march["lan"].id).lines[0].delivered_quantity == Decimal(4)


def test_a_month_already_submitted_takes_no_import_and_only_the_agency_head_or_an_administrator_imports(agency, march):
    period = agency.month(3)
    data = _csv([HEADER, ["VB-1", "CC-001", "HS-TD", "", "4", "18/03/2026", ""]])
    with pytest.raises(PermissionDenied):
        deliveries.preview(data, period, deliveries.COLUMNS, "E-Office", actor=agency.leader)
    other_head = f.person((Role.HEAD, f.unit()))
    found = deliveries.preview(data, period, deliveries.COLUMNS, "E-Office", actor=other_head)  # lan is not of their agency
    assert [(p.line, p.column) for p in found.problems] == [(2, "Mã cán bộ")]
    admin = f.person(Role.ADMIN)
    assert deliveries.preview(data, period, deliveries.COLUMNS, "E-Office", actor=admin).problems == []
    plan = march["lan"]
    plan.lines[0].delivered_quantity = plan.lines[1].delivered_quantity = Decimal(1)
    from workflow.monthly import operations

    operations.take_step(plan, "self_assess", actor=agency.lan, version=plan.version)
    db.session.flush()
    found = deliveries.preview(data, period, deliveries.COLUMNS, "E-Office", actor=agency.head)
    assert [(p.line, p.column) for p in found.problems] == [(2, "—")] and agency.lan.full_name in found.problems[0].why


def test_the_column_mapping_is_saved_per_source_beside_the_ratings_mappings(agency, march):
    period = agency.month(3)
    columns = {**deliveries.COLUMNS, "key": "Mã hồ sơ", "person": "Cán bộ xử lý", "product": "Mã SP", "quantity": "SL", "delivered_on": "Ngày"}
    data = xlsx([["Mã hồ sơ", "Cán bộ xử lý", "Mã SP", "SL", "Ngày"], ["HS-9", "CC-001", "HS-TD", 4, "18/03/2026"]])
    rating_imports.save_mapping("Một cửa", rating_imports.COLUMNS, actor=policy.SYSTEM)
    deliveries.apply(data, period, columns, "Một cửa", actor=agency.head)
    db.session.flush()
    assert [m.columns["person"] for m in deliveries.mappings()] == ["Cán bộ xử lý"]
    assert [m.columns["unit"] for m in rating_imports.saved_mappings()] == ["ma_don_vi"]  # the ratings' mapping of that name is its own
    with pytest.raises(ValidationFailed) as refused:
        deliveries.preview(data, period, deliveries.COLUMNS, "Một cửa", actor=agency.head)
    assert "Mã hồ sơ" not in refused.value.errors["file"][0] and "Số ký hiệu" in refused.value.errors["file"][0]


def test_the_page_previews_then_imports_and_the_month_shows_the_source(agency, march, as_person):
    period = agency.month(3)
    client = as_person(agency.head)
    assert client.get(f"/monthly/deliveries/import?period_id={period.id}").status_code == 200
    assert as_person(agency.lan).get("/monthly/deliveries/import").status_code == 403
    data = xlsx([HEADER, ["VB-7", "CC-001", "HS-TD", "", 3, "17/03/2026", ""], ["VB-8", "CC-404", "HS-TD", "", 1, "17/03/2026", ""]])
    form = {"action": "preview", "period_id": period.id, "source": "E-Office", **{f"column_{k}": v for k, v in deliveries.COLUMNS.items()}}
    shown = client.post("/monthly/deliveries/import", data={**form, "file": (io.BytesIO(data), "eoffice.xlsx")}, content_type="multipart/form-data")
    assert shown.status_code == 200
    page = _text(shown)
    assert "CC-404" in page and "Mã cán bộ" in page
    carried = re.search(r'name="content" value="([^"]+)"', shown.get_data(as_text=True)).group(1)
    apply = {**form, "action": "apply", "content": carried, "filename": "eoffice.xlsx"}
    refused = client.post("/monthly/deliveries/import", data=apply)
    assert refused.status_code == 422  # a row is wrong: nothing is imported
    db.session.expire_all()
    assert db.session.get(MonthlyPlan, march["lan"].id).lines[0].delivered_quantity is None
    done = client.post("/monthly/deliveries/import", data={**apply, "valid_only": "yes"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(MonthlyPlan, march["lan"].id).lines[0].delivered_quantity == Decimal(3)
    month = _text(as_person(agency.lan).get(f"/monthly/months/{march['lan'].id}"))
    assert "E-Office: VB-7" in month


def test_the_api_imports_with_the_saved_mapping_and_names_the_bad_rows(agency, march, client):
    period = agency.month(3)
    head = f.api_headers(agency.head)
    data = _csv([HEADER, ["VB-1", "CC-001", "HS-TD", "", "4", "18/03/2026", ""], ["VB-2", "CC-001", "BC-TT", "", "0", "18/03/2026", ""]])
    path = f"/api/v1/monthly/deliveries/import?period_id={period.id}&source=E-Office"
    refused = client.post(path, data={"file": (io.BytesIO(data), "x.csv")}, content_type="multipart/form-data", headers=head)
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["json"]["file"] == ["Dòng 3, cột “Số lượng”: Phải trong khoảng từ 0,01 đến 100.000."]
    preview = client.post(path + "&dry_run=true", data={"file": (io.BytesIO(data), "x.csv")}, content_type="multipart/form-data", headers=head)
    body = preview.get_json()
    assert preview.status_code == 200 and body["applied"] is False and body["problems"][0]["line"] == 3 and body["updated"] == 1
    done = client.post(path + "&valid_only=true", data={"file": (io.BytesIO(data), "x.csv")}, content_type="multipart/form-data", headers=head)
    assert done.status_code == 200 and done.get_json()["applied"] is True and done.get_json()["updated"] == 1
    month = client.get(f"/api/v1/monthly/months/{march['lan'].id}", headers=head).get_json()
    assert month["lines"][0]["source"] == "E-Office: VB-1" and month["lines"][0]["delivered_quantity"] == "4.00"
    assert client.post(path, data={"file": (io.BytesIO(data), "x.csv")}, content_type="multipart/form-data",
                       headers=f.api_headers(agency.lan)).status_code == 403
