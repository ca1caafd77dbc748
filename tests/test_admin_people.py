"""Administration of people: accounts, temporary passwords, activation, sessions and roles, in
the pages and the API; one head per unit; an administrator cannot lock themself out."""

import pytest
from sqlalchemy import select

import factories as f
from workflow.accounts.models import Person, Role, RoleGrant
from workflow.core.audit import AuditEntry
from workflow.extensions import db


@pytest.fixture
def admin():
    return f.person(Role.ADMIN, username="quantri")


def new_person_form(**overrides):
    data = {
        "username": "gd.snv",
        "full_name": "Trịnh Văn Nam",
        "email": "nam@snv.gov.vn",
        "title": "Giám đốc Sở Nội vụ",
        "unit_id": "",
        "locale": "vi",
        "password": "tam-thoi-12345",
    }
    data.update({k: str(v) for k, v in overrides.items()})
    return data


def profile_form(person, **overrides):
    data = {"full_name": person.full_name, "email": person.email, "title": person.title, "unit_id": str(person.unit_id or ""),
            "locale": person.locale, "version": str(person.version)}
    data.update({k: str(v) for k, v in overrides.items()})
    return data


def sign_in(client, username, password):
    return client.post("/login", data={"username": username, "password": password})


def test_create_an_account_with_a_temporary_password(as_person, admin, client):
    unit = f.unit(name="Sở Nội vụ")
    c = as_person(admin)
    response = c.post("/admin/people/new", data=new_person_form(unit_id=unit.id, username="GD.SNV"))
    assert response.status_code == 302, response.get_data(as_text=True)
    person = db.session.scalar(select(Person).where(Person.username == "gd.snv"))
    assert person.unit_id == unit.id and person.must_change_password
    assert db.session.scalar(select(AuditEntry.actor_id).where(AuditEntry.action == "account.create")) == admin.id
    # the person signs in and must choose their own password before anything else
    assert sign_in(client, "gd.snv", "tam-thoi-12345").status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/account")
    assert client.get("/account").status_code == 200
    assert client.post("/account/password", data={"current_password": "tam-thoi-12345", "new_password": "mat-khau-cua-toi-1"}).status_code == 302
    assert client.get("/").status_code == 200
    db.session.refresh(person)
    assert not person.must_change_password


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"username": ""}, "username"),
        ({"username": "có dấu"}, "username"),
        ({"username": "x" * 65}, "username"),
        ({"full_name": ""}, "full_name"),
        ({"email": "khong-phai-email"}, "email"),
        ({"email": ""}, "email"),
        ({"unit_id": "999999"}, "unit_id"),
        ({"locale": "fr"}, "locale"),
        ({"password": "ngan"}, "password"),
        ({"title": "t" * 201}, "title"),
    ],
)
def test_account_form_errors_are_field_level(as_person, admin, overrides, field):
    response = as_person(admin).post("/admin/people/new", data=new_person_form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page
    assert "tam-thoi-12345" not in page  # a password is never sent back
    assert db.session.scalar(select(Person).where(Person.username == "gd.snv")) is None


def test_duplicate_username_and_escaped_names(as_person, admin):
    f.person(username="trung")
    c = as_person(admin)
    response = c.post("/admin/people/new", data=new_person_form(username="trung"))
    assert response.status_code == 422 and 'id="username-error"' in response.get_data(as_text=True)
    assert c.post("/admin/people/new", data=new_person_form(full_name="<b>Nam</b>")).status_code == 302
    page = c.get("/admin/people").get_data(as_text=True)
    assert "<b>Nam</b>" not in page and "&lt;b&gt;Nam&lt;/b&gt;" in page


def test_edit_a_profile_and_a_stale_edit(as_person, admin):
    person = f.person(Role.STAFF, full_name="Nguyễn Thu Trang")
    c = as_person(admin)
    old = profile_form(person, title="Phó Trưởng phòng")
    assert c.post(f"/admin/people/{person.id}", data=profile_form(person, title="Trưởng phòng")).status_code == 302
    stale = c.post(f"/admin/people/{person.id}", data=old)
    assert stale.status_code == 409 and "Phó Trưởng phòng" in stale.get_data(as_text=True)
    db.session.refresh(person)
    assert person.title == "Trưởng phòng"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.update"))
    assert entry.data["changes"]["title"] == ["", "Trưởng phòng"]


def test_deactivation_signs_out_everywhere_and_reactivation(as_person, admin):
    person = f.person(Role.STAFF)
    theirs = as_person(person)
    assert theirs.get("/").status_code == 200
    c = as_person(admin)
    assert c.post(f"/admin/people/{person.id}/deactivate").status_code == 302
    assert theirs.get("/").status_code == 302
    db.session.refresh(person)
    assert not person.active
    assert c.post(f"/admin/people/{person.id}/deactivate").status_code == 400
    assert c.post(f"/admin/people/{person.id}/reactivate").status_code == 302
    db.session.refresh(person)
    assert person.active
    assert theirs.get("/").status_code == 302  # the old session stays ended


def test_sign_out_everywhere_and_password_reset(as_person, admin, client):
    person = f.person(Role.STAFF, username="chuyenvien1")
    theirs = as_person(person)
    c = as_person(admin)
    assert c.post(f"/admin/people/{person.id}/sign-out").status_code == 302
    assert theirs.get("/").status_code == 302
    weak = c.post(f"/admin/people/{person.id}/password", data={"password": "chuyenvien1-abc"})
    assert weak.status_code == 422 and 'id="password-error"' in weak.get_data(as_text=True)
    assert c.post(f"/admin/people/{person.id}/password", data={"password": "mat-khau-tam-99"}).status_code == 302
    assert sign_in(client, "chuyenvien1", f.PASSWORD).status_code == 200  # the old password no longer works
    assert sign_in(client, "chuyenvien1", "mat-khau-tam-99").status_code == 302
    assert client.get("/").headers["Location"].endswith("/account")
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "account.password_reset")) is not None


def test_an_admin_cannot_lock_themself_out(as_person, admin):
    c = as_person(admin)
    response = c.post(f"/admin/people/{admin.id}/deactivate")
    assert response.status_code == 400 and 'role="alert"' in response.get_data(as_text=True)
    grant = admin.roles[0]
    response = c.post(f"/admin/people/{admin.id}/roles/{grant.id}/revoke")
    assert response.status_code == 400
    db.session.refresh(admin)
    assert admin.active and admin.has_role(Role.ADMIN)
    # another administrator may do it
    other = f.person(Role.ADMIN)
    assert as_person(other).post(f"/admin/people/{admin.id}/roles/{grant.id}/revoke").status_code == 302


def test_grant_and_revoke_roles(as_person, admin):
    unit = f.unit(name="Sở Y tế")
    person = f.person()
    c = as_person(admin)
    assert c.post(f"/admin/people/{person.id}/roles", data={"role": "head", "unit_id": str(unit.id)}).status_code == 302
    assert c.post(f"/admin/people/{person.id}/roles", data={"role": "council", "unit_id": ""}).status_code == 302
    db.session.refresh(person)
    assert person.head_unit_ids == {unit.id} and person.has_role(Role.COUNCIL)
    for data, field in [
        ({"role": "emperor", "unit_id": ""}, "role"),
        ({"role": "head", "unit_id": ""}, "unit_id"),
        ({"role": "staff", "unit_id": str(unit.id)}, "unit_id"),
        ({"role": "head", "unit_id": "999999"}, "unit_id"),
    ]:
        response = c.post(f"/admin/people/{person.id}/roles", data=data)
        assert response.status_code == 422 and f'id="{field}-error"' in response.get_data(as_text=True), data
    grant = next(g for g in person.roles if g.role == Role.COUNCIL)
    assert c.post(f"/admin/people/{person.id}/roles/{grant.id}/revoke").status_code == 302
    db.session.refresh(person)
    assert not person.has_role(Role.COUNCIL)


def test_one_head_per_unit_refused_then_replaced(as_person, admin):
    unit = f.unit(name="Sở Xây dựng")
    current = f.person((Role.HEAD, unit), full_name="Phạm Quốc Khánh", username="gd.sxd")
    successor = f.person(full_name="Người kế nhiệm")
    c = as_person(admin)
    refused = c.post(f"/admin/people/{successor.id}/roles", data={"role": "head", "unit_id": str(unit.id)})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="unit_id-error"' in page and "Phạm Quốc Khánh" in page and "gd.sxd" in page
    replaced = c.post(f"/admin/people/{successor.id}/roles", data={"role": "head", "unit_id": str(unit.id), "replace_head": "1"})
    assert replaced.status_code == 302
    heads = db.session.scalars(select(RoleGrant.person_id).where(RoleGrant.role == Role.HEAD, RoleGrant.unit_id == unit.id)).all()
    assert heads == [successor.id]
    revoked = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.role_revoke"))
    assert revoked.object_id == current.id and "gd.sxd" in revoked.summary and revoked.reason


def test_the_database_keeps_one_head_per_unit():
    from sqlalchemy.exc import IntegrityError

    unit = f.unit()
    f.person((Role.HEAD, unit))
    with pytest.raises(IntegrityError):
        f.person((Role.HEAD, unit))
    db.session.rollback()


def test_people_list_filters(as_person, admin):
    unit = f.unit(name="Sở Công Thương")
    f.person((Role.HEAD, unit), full_name="Vũ Đức Thịnh")
    f.person(Role.COUNCIL, full_name="Kim Văn Khôi", active=False)
    c = as_person(admin)
    page = c.get("/admin/people?role=head").get_data(as_text=True)
    assert "Vũ Đức Thịnh" in page and "Kim Văn Khôi" not in page
    page = c.get("/admin/people?active=0").get_data(as_text=True)
    assert "Kim Văn Khôi" in page and "Vũ Đức Thịnh" not in page
    page = c.get(f"/admin/people?unit_id={unit.id}").get_data(as_text=True)
    assert "Vũ Đức Thịnh" in page and "Kim Văn Khôi" not in page
    page = c.get("/admin/people?q=Kh%C3%B4i").get_data(as_text=True)
    assert "Kim Văn Khôi" in page
    page = c.get("/admin/people?q=%C4%91%E1%BB%A9c+th%E1%BB%8Bnh").get_data(as_text=True)  # "đức thịnh", typed in lower case
    assert "Vũ Đức Thịnh" in page and "Kim Văn Khôi" not in page
    for bad in ("role=nobody", "unit_id=x", "active=2", "page=abc"):
        assert c.get(f"/admin/people?{bad}").status_code == 200


# --- API -------------------------------------------------------------------------------------


def test_api_people(client, admin):
    h = f.api_headers(admin)
    unit = f.unit()
    db.session.commit()
    created = client.post(
        "/api/v1/people",
        json={"username": "ct.vinhyen", "full_name": "Phan Văn Sơn", "email": "son@vinhyen.gov.vn", "password": "tam-thoi-12345"},
        headers=h,
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["must_change_password"] is True and "password" not in body and body["roles"] == []
    pid, etag = body["id"], created.headers["ETag"]
    granted = client.post(f"/api/v1/people/{pid}/roles", json={"role": "head", "unit_id": unit.id}, headers=h)
    assert granted.status_code == 201 and granted.get_json()["roles"][0]["unit"]["id"] == unit.id
    patched = client.patch(f"/api/v1/people/{pid}", json={"title": "Chủ tịch UBND"}, headers={**h, "If-Match": etag})
    assert patched.status_code == 200 and patched.get_json()["title"] == "Chủ tịch UBND"
    assert client.patch(f"/api/v1/people/{pid}", json={"title": "x"}, headers={**h, "If-Match": etag}).status_code == 412
    assert client.patch(f"/api/v1/people/{pid}", json={"email": "sai"}, headers=h).status_code == 422
    assert client.post(f"/api/v1/people/{pid}/deactivate", headers=h).get_json()["active"] is False
    assert client.post(f"/api/v1/people/{pid}/reactivate", headers=h).get_json()["active"] is True
    assert client.post(f"/api/v1/people/{pid}/sign-out", headers=h).status_code == 200
    assert client.post(f"/api/v1/people/{pid}/password", json={"password": "mot-mat-khau-moi"}, headers=h).status_code == 200
    grant_id = granted.get_json()["roles"][0]["id"]
    assert client.delete(f"/api/v1/people/{pid}/roles/{grant_id}", headers=h).get_json()["roles"] == []
    listed = client.get("/api/v1/people?q=son", headers=h).get_json()
    assert [p["username"] for p in listed["items"]] == ["ct.vinhyen"]
    assert client.post(f"/api/v1/people/{admin.id}/deactivate", headers=h).status_code == 400
    refused = client.post("/api/v1/people", json={"username": "x y", "full_name": "", "email": "@", "password": "", "role": "admin"}, headers=h)
    assert refused.status_code == 422
    assert {"username", "full_name", "email", "password", "role"} <= set(refused.get_json()["errors"]["json"])


def test_api_people_needs_an_admin(client):
    h = f.api_headers(f.person(Role.STAFF))
    assert client.get("/api/v1/people", headers=h).status_code == 403
    assert client.post("/api/v1/people", json={}, headers=h).status_code in (403, 422)


def test_api_one_head_per_unit(client, admin):
    h = f.api_headers(admin)
    unit = f.unit()
    f.person((Role.HEAD, unit))
    other = f.person()
    db.session.commit()
    refused = client.post(f"/api/v1/people/{other.id}/roles", json={"role": "head", "unit_id": unit.id}, headers=h)
    assert refused.status_code == 422 and "unit_id" in refused.get_json()["errors"]["json"]
    replaced = client.post(f"/api/v1/people/{other.id}/roles", json={"role": "head", "unit_id": unit.id, "replace_head": True}, headers=h)
    assert replaced.status_code == 201


@pytest.mark.parametrize("path", ["/admin/people?per_page=100", "/api/v1/people?per_page=100"])
def test_people_lists_run_a_fixed_number_of_statements(as_person, count_statements, admin, path):
    h = f.api_headers(admin)
    c = as_person(admin)
    c.get("/api/v1/me", headers=h)  # the token's first use records it (once a minute), not counted below

    def statements(n):
        unit = f.unit()
        people = [Person(username=f"p{unit.id}-{i}", full_name=f"Người {i}", email=f"p{i}@x.vn", unit_id=unit.id) for i in range(n)]
        for i, p in enumerate(people[:50]):
            p.roles.append(RoleGrant(role=Role.COUNCIL))
        people[0].roles.append(RoleGrant(role=Role.HEAD, unit_id=unit.id))
        db.session.add_all(people)
        db.session.commit()
        with count_statements() as counter:
            assert (c.get(path) if path.startswith("/admin") else c.get(path, headers=h)).status_code == 200
        return counter.count

    assert statements(10) == statements(1000)
