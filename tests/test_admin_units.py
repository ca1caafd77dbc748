"""Administration of unit groups and units: the pages and the API for the same actions,
validation, hierarchy, deactivation rather than deletion, stale writes, statement counts."""

import pytest
from sqlalchemy import select

import factories as f
from workflow.accounts.models import Role
from workflow.core.audit import AuditEntry
from workflow.extensions import db
from workflow.units.models import Unit, UnitGroup


@pytest.fixture
def admin():
    return f.person(Role.ADMIN, username="quantri")


def unit_form(unit=None, **overrides):
    data = {"code": "SNV", "name": "Sở Nội vụ", "group_id": "", "parent_id": "", "staff_officer_id": "", "active": "1"}
    if unit is not None:
        data.update(code=unit.code, name=unit.name, group_id=str(unit.group_id), version=str(unit.version))
    data.update({k: str(v) for k, v in overrides.items()})
    return data


# --- pages -----------------------------------------------------------------------------------


def test_create_a_unit_with_the_form(as_person, admin):
    group = f.group(name="Sở, ban, ngành")
    officer = f.person(Role.STAFF, full_name="Nguyễn Thu Trang")
    c = as_person(admin)
    assert c.get("/admin/units/new").status_code == 200
    response = c.post("/admin/units/new", data=unit_form(code=" snv ", group_id=group.id, staff_officer_id=officer.id))
    assert response.status_code == 302, response.get_data(as_text=True)
    unit = db.session.scalar(select(Unit).where(Unit.code == "SNV"))
    assert unit.name == "Sở Nội vụ" and unit.group_id == group.id and unit.staff_officer_id == officer.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "unit.create"))
    assert entry.actor_id == admin.id and entry.object_id == unit.id
    page = c.get("/admin/units").get_data(as_text=True)
    assert "Sở Nội vụ" in page and "Nguyễn Thu Trang" in page


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"code": ""}, "code"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"code": "SỞ NV"}, "code"),
        ({"group_id": ""}, "group_id"),
        ({"group_id": "999999"}, "group_id"),
        ({"parent_id": "999999"}, "parent_id"),
        ({"staff_officer_id": "abc"}, "staff_officer_id"),
    ],
)
def test_unit_form_errors_are_field_level(as_person, admin, overrides, field):
    group = f.group()
    data = unit_form(group_id=group.id)
    data.update(overrides)
    response = as_person(admin).post("/admin/units/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page, page
    # what the person typed is still there
    if overrides.get("name", "").strip():
        assert overrides["name"] in page
    assert db.session.scalar(select(Unit).where(Unit.code == "SNV")) is None


def test_duplicate_code_is_a_field_error_in_form_and_api(as_person, client, admin):
    group = f.group()
    f.unit(code="STC", group=group)
    page = as_person(admin).post("/admin/units/new", data=unit_form(code="stc", group_id=group.id))
    assert page.status_code == 422 and 'id="code-error"' in page.get_data(as_text=True)
    api = client.post("/api/v1/units", json={"code": "STC", "name": "Khác", "group_id": group.id}, headers=f.api_headers(admin))
    assert api.status_code == 422 and "code" in api.get_json()["errors"]["json"]


def test_staff_officer_must_have_the_staff_role(as_person, admin):
    group = f.group()
    head = f.person(Role.HEAD)
    response = as_person(admin).post("/admin/units/new", data=unit_form(group_id=group.id, staff_officer_id=head.id))
    assert response.status_code == 422 and 'id="staff_officer_id-error"' in response.get_data(as_text=True)


def test_names_are_shown_escaped(as_person, admin):
    group = f.group()
    c = as_person(admin)
    assert c.post("/admin/units/new", data=unit_form(group_id=group.id, name="<script>alert(1)</script>")).status_code == 302
    page = c.get("/admin/units").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_unit_cannot_become_its_own_ancestor(as_person, admin):
    province = f.unit(code="TINH")
    district = f.unit(code="HUYEN", parent=province, group=province.group)
    commune = f.unit(code="XA", parent=district, group=province.group)
    c = as_person(admin)
    response = c.post(f"/admin/units/{province.id}", data=unit_form(province, parent_id=commune.id))
    assert response.status_code == 422 and 'id="parent_id-error"' in response.get_data(as_text=True)
    response = c.post(f"/admin/units/{province.id}", data=unit_form(province, parent_id=province.id))
    assert response.status_code == 422
    db.session.refresh(province)
    assert province.parent_id is None
    # moving a leaf under another branch is fine
    other = f.unit(code="HUYEN2", group=province.group)
    assert c.post(f"/admin/units/{commune.id}", data=unit_form(commune, parent_id=other.id)).status_code == 302


def test_stale_edit_is_refused_with_409_and_keeps_the_input(as_person, admin):
    unit = f.unit(name="Sở Tài chính")
    c = as_person(admin)
    stale = unit_form(unit, name="Sở Tài chính (sửa của tôi)")
    assert c.post(f"/admin/units/{unit.id}", data=unit_form(unit, name="Sở Tài chính tỉnh")).status_code == 302
    response = c.post(f"/admin/units/{unit.id}", data=stale)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Sở Tài chính (sửa của tôi)" in page and "Load the current version" not in page  # shown in Vietnamese
    assert "Tải phiên bản hiện tại" in page
    db.session.refresh(unit)
    assert unit.name == "Sở Tài chính tỉnh"


def test_deactivate_rather_than_delete_when_referenced(as_person, admin):
    unit = f.unit()
    f.person((Role.HEAD, unit))
    c = as_person(admin)
    response = c.post(f"/admin/units/{unit.id}/delete")
    assert response.status_code == 400 and 'role="alert"' in response.get_data(as_text=True)
    assert db.session.get(Unit, unit.id) is not None
    assert c.post(f"/admin/units/{unit.id}", data=unit_form(unit, active="")).status_code == 302
    db.session.refresh(unit)
    assert unit.active is False
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == unit.id, AuditEntry.object_type == "unit")) == "unit.deactivate"
    unused = f.unit()
    assert c.post(f"/admin/units/{unused.id}/delete").status_code == 302
    assert db.session.scalar(select(Unit.id).where(Unit.id == unused.id)) is None


def test_groups_pages(as_person, admin):
    c = as_person(admin)
    assert c.post("/admin/unit-groups/new", data={"code": "huyen", "name": "Huyện, thành phố", "position": "2"}).status_code == 302
    group = db.session.scalar(select(UnitGroup).where(UnitGroup.code == "HUYEN"))
    assert group.position == 2
    f.unit(group=group)
    page = c.get("/admin/unit-groups").get_data(as_text=True)
    assert "Huyện, thành phố" in page
    refused = c.post(f"/admin/unit-groups/{group.id}/delete")
    assert refused.status_code == 400
    stale = {"code": "HUYEN", "name": "Tên cũ", "position": "2", "version": str(group.version)}
    assert c.post(f"/admin/unit-groups/{group.id}", data={**stale, "name": "Huyện, thị xã, thành phố"}).status_code == 302
    assert c.post(f"/admin/unit-groups/{group.id}", data=stale).status_code == 409
    duplicate = c.post("/admin/unit-groups/new", data={"code": "HUYEN", "name": "x", "position": "0"})
    assert duplicate.status_code == 422 and 'id="code-error"' in duplicate.get_data(as_text=True)


def test_filters_of_the_unit_list(as_person, admin):
    a, b = f.group(name="Nhóm A"), f.group(name="Nhóm B")
    f.unit(code="AAA1", name="Sở Y tế", group=a)
    f.unit(code="BBB1", name="Huyện Tam Đảo", group=b, active=False)
    c = as_person(admin)
    page = c.get(f"/admin/units?group_id={a.id}").get_data(as_text=True)
    assert "Sở Y tế" in page and "Huyện Tam Đảo" not in page
    page = c.get("/admin/units?q=tam").get_data(as_text=True)
    assert "Huyện Tam Đảo" in page and "Sở Y tế" not in page
    page = c.get("/admin/units?active=0").get_data(as_text=True)
    assert "Huyện Tam Đảo" in page and "Sở Y tế" not in page
    for bad in ("group_id=x", "active=maybe", "page=-1", "q=%25_"):
        assert c.get(f"/admin/units?{bad}").status_code == 200


# --- API -------------------------------------------------------------------------------------


def test_api_creates_reads_updates_and_deletes(client, admin):
    h = f.api_headers(admin)
    group = client.post("/api/v1/unit-groups", json={"code": "SO", "name": "Sở, ngành"}, headers=h)
    assert group.status_code == 201, group.get_json()
    group_id = group.get_json()["id"]
    created = client.post("/api/v1/units", json={"code": "syt", "name": "Sở Y tế", "group_id": group_id}, headers=h)
    assert created.status_code == 201
    body = created.get_json()
    assert body["code"] == "SYT" and body["group"]["id"] == group_id and body["head"] is None and body["active"] is True
    unit_id, etag = body["id"], created.headers["ETag"]
    got = client.get(f"/api/v1/units/{unit_id}", headers=h)
    assert got.headers["ETag"] == etag
    updated = client.patch(f"/api/v1/units/{unit_id}", json={"name": "Sở Y tế tỉnh"}, headers={**h, "If-Match": etag})
    assert updated.status_code == 200 and updated.get_json()["name"] == "Sở Y tế tỉnh"
    # the old ETag is stale now
    stale = client.patch(f"/api/v1/units/{unit_id}", json={"name": "Khác"}, headers={**h, "If-Match": etag})
    assert stale.status_code == 412 and stale.get_json()["details"]["current_version"] == 2
    by_body = client.patch(f"/api/v1/units/{unit_id}", json={"active": False, "version": 2}, headers=h)
    assert by_body.status_code == 200 and by_body.get_json()["active"] is False
    assert client.patch(f"/api/v1/units/{unit_id}", json={"name": "x"}, headers=h).status_code == 428
    listed = client.get("/api/v1/units?active=false", headers=h).get_json()
    assert [u["code"] for u in listed["items"]] == ["SYT"] and listed["meta"]["total"] == 1
    assert client.delete(f"/api/v1/unit-groups/{group_id}", headers=h).status_code == 400
    assert client.delete(f"/api/v1/units/{unit_id}", headers=h).status_code == 204
    assert client.delete(f"/api/v1/unit-groups/{group_id}", headers=h).status_code == 204
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == admin.id)))
    assert {"unit_group.create", "unit.create", "unit.update", "unit.deactivate", "unit.delete", "unit_group.delete"} <= actions


def test_api_validation_errors(client, admin):
    h = f.api_headers(admin)
    group = f.group()
    db.session.commit()
    response = client.post("/api/v1/units", json={"code": "", "name": "x" * 300, "group_id": "abc", "nonsense": 1}, headers=h)
    errors = response.get_json()["errors"]["json"]
    assert response.status_code == 422 and {"code", "name", "group_id", "nonsense"} <= set(errors)
    unknown = client.post("/api/v1/units", json={"code": "A1", "name": "A", "group_id": group.id, "parent_id": 424242}, headers=h)
    assert unknown.status_code == 422 and "parent_id" in unknown.get_json()["errors"]["json"]


def test_api_reads_are_open_and_changes_are_for_admins(client):
    staff = f.person(Role.STAFF)
    h = f.api_headers(staff)
    assert client.get("/api/v1/units", headers=h).status_code == 200
    assert client.get("/api/v1/unit-groups", headers=h).status_code == 200
    assert client.post("/api/v1/unit-groups", json={"code": "X", "name": "X"}, headers=h).status_code == 403


# --- statement counts ------------------------------------------------------------------------


def _many_units(n, group, officer):
    db.session.add_all(Unit(code=f"N{group.id}-{i}", name=f"Đơn vị {i}", group_id=group.id, staff_officer_id=officer.id) for i in range(n))
    db.session.flush()
    for unit in db.session.scalars(select(Unit).where(Unit.group_id == group.id).limit(30)):
        f.person((Role.HEAD, unit))
    db.session.commit()


@pytest.mark.parametrize("path", ["/admin/units?per_page=100", "/admin/unit-groups?per_page=100", "/api/v1/units?per_page=100", "/api/v1/unit-groups?per_page=100"])
def test_unit_lists_run_a_fixed_number_of_statements(as_person, count_statements, admin, path):
    officer = f.person(Role.STAFF)
    h = f.api_headers(admin)
    c = as_person(admin)
    c.get("/api/v1/me", headers=h)  # the token's first use records it (once a minute), not counted below

    def statements(n):
        group = f.group()
        _many_units(n, group, officer)
        with count_statements() as counter:
            response = c.get(path) if path.startswith("/admin") else c.get(path, headers=h)
            assert response.status_code == 200
        return counter.count

    assert statements(10) == statements(1000)
