"""The product catalogue (danh mục sản phẩm): an agency's products and the shared templates,
who keeps them, and the Excel import that names every bad row and writes nothing then."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

import factories as f
from monthly_support import agency, xlsx  # noqa: F401  (fixture)
from workflow import policy
from workflow.accounts.models import Role
from workflow.core.errors import PermissionDenied, ValidationFailed
from workflow.extensions import db
from workflow.monthly import operations, queries
from workflow.monthly.models import Product

HEADER = ["Mã", "Tên sản phẩm", "Đơn vị tính", "Hệ số quy đổi", "Nhóm"]


def test_an_agency_plans_from_its_own_products_and_the_shared_templates(agency):
    other = f.unit()
    operations.save_product(other.id, {"code": "HS-TD", "name": "Hồ sơ khác", "measure": "hồ sơ", "coefficient": Decimal(2), "group": ""},
                            actor=policy.SYSTEM)
    codes = [p.code for p in db.session.scalars(queries.products(agency.unit.id, with_templates=True))]
    assert codes == ["HS-TD", "BC-TT"]  # its own first, then the templates; not the other agency's
    with pytest.raises(ValidationFailed) as refused:
        operations.save_product(agency.unit.id, {"code": "HS-TD", "name": "x", "measure": "y", "coefficient": Decimal(1), "group": ""},
                                actor=policy.SYSTEM)
    assert "code" in refused.value.errors


@pytest.mark.parametrize(("who", "scope", "allowed"), [
    ("head", "own", True), ("head", "templates", False), ("head", "other", False),
    ("admin", "templates", True), ("admin", "other", True), ("servant", "own", False),
])
def test_who_keeps_a_catalogue(agency, who, scope, allowed):
    actor = {"head": agency.head, "admin": f.person(Role.ADMIN), "servant": agency.lan}[who]
    unit_id = {"own": agency.unit.id, "templates": None, "other": f.unit().id}[scope]
    assert policy.can(actor, "monthly.catalogue.manage", unit_id) is allowed


def test_import_adds_and_updates_by_code(agency):
    data = xlsx([HEADER, ["HS-TD", "Hồ sơ thẩm định (sửa)", "hồ sơ", 1.5, "Thẩm định"], ["VB-01", "Văn bản tham mưu", "văn bản", "0,5", ""]])
    assert operations.import_products(agency.unit.id, data, actor=agency.head) == {"created": 1, "updated": 1}
    db.session.flush()
    products = {p.code: p for p in db.session.scalars(queries.products(agency.unit.id))}
    assert products["HS-TD"].coefficient == Decimal("1.5") and products["VB-01"].coefficient == Decimal("0.5")


def test_import_names_every_bad_row_and_writes_nothing(agency):
    before = db.session.scalar(select(func.count()).select_from(Product))
    data = xlsx([HEADER,
                 ["OK-1", "Một sản phẩm đúng", "cái", 1, ""],
                 ["", "Không có mã", "cái", 1, ""],
                 ["BAD-2", "Hệ số chữ", "cái", "nhiều", ""],
                 ["OK-1", "Trùng mã", "cái", 2, ""],
                 ["BAD-3", "Hệ số âm", "cái", -1, ""]])
    with pytest.raises(ValidationFailed) as refused:
        operations.import_products(agency.unit.id, data, actor=agency.head)
    problems = refused.value.errors["file"]
    assert len(problems) == 4
    assert problems[0] == "Dòng 3, cột “Mã”: Trường này là bắt buộc."
    assert problems[1].startswith("Dòng 4, cột “Hệ số quy đổi”: ")
    assert problems[2] == "Dòng 5, cột “Mã”: Mã này trùng với dòng 2."
    assert problems[3].startswith("Dòng 6, cột “Hệ số quy đổi”: ")
    assert db.session.scalar(select(func.count()).select_from(Product)) == before


def test_import_refuses_a_file_without_the_columns_or_not_a_workbook(agency):
    with pytest.raises(ValidationFailed) as missing:
        operations.import_products(agency.unit.id, xlsx([["Mã", "Tên sản phẩm"], ["A", "B"]]), actor=agency.head)
    assert missing.value.errors["file"] == ["Dòng 1, cột “đơn vị tính”: Thiếu cột này.", "Dòng 1, cột “hệ số quy đổi”: Thiếu cột này."]
    with pytest.raises(ValidationFailed):
        operations.import_products(agency.unit.id, b"not a workbook", actor=agency.head)
    with pytest.raises(PermissionDenied):
        operations.import_products(agency.unit.id, xlsx([HEADER]), actor=agency.lan)
