"""Sign-in with the province's directory, against a real OpenLDAP server (tests/ldapserver.py):
success, wrong password, a deactivated person, a person never imported, groups mapped to roles,
and the local password of a break-glass administrator."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from factories import person
from ldapserver import ldap_server  # noqa: F401  (the fixture)
from test_directory_import import by_code, imported, org, signing_in_with
from workflow.accounts.models import Person, Role, RoleGrant
from workflow.core.audit import AuditEntry
from workflow.extensions import db


@pytest.fixture
def directory(app, ldap_server, monkeypatch):  # noqa: F811
    return signing_in_with(ldap_server, app, monkeypatch)


def sign_in(app, username: str, password: str):
    return app.test_client().post("/login", data={"username": username, "password": password})


def test_a_person_of_the_directory_signs_in_as_the_imported_person_with_the_roles_of_their_groups(app, directory):
    response = sign_in(app, "an", "mat-khau-an")
    assert response.status_code == 302, response.text
    an = by_code("CB001")
    db.session.refresh(an)
    assert an.role_set == {Role.HEAD, Role.ADMIN, Role.STAFF}  # head from the import, the others from the groups
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.login").order_by(AuditEntry.id.desc())).first()
    assert entry.object_id == an.id and entry.data == {"via": "directory"}


def test_an_entry_without_a_personnel_code_is_matched_by_email_and_loses_the_roles_of_groups_it_left(app, directory):
    binh = by_code("CB002")
    binh.roles.append(RoleGrant(role=Role.ADMIN))
    db.session.commit()
    assert sign_in(app, "binh", "mat-khau-binh").status_code == 302
    db.session.refresh(binh)
    assert binh.role_set == {Role.STAFF}


@pytest.mark.parametrize("username, password", [("an", "sai-mat-khau"), ("an", ""), ("nobody", "mat-khau-an"), ("*", "mat-khau-an")])
def test_a_wrong_password_or_an_unknown_entry_is_refused(app, directory, username, password):
    response = sign_in(app, username, password)
    assert response.status_code == 200 and "Location" not in response.headers


def test_a_person_deactivated_by_the_import_cannot_sign_in(app, directory):
    def departure(rows):
        del rows[3]  # CB004 leaves

    imported(org(people=departure))
    db.session.commit()
    assert not by_code("CB004").active
    response = sign_in(app, "dung", "mat-khau-dung")
    assert response.status_code == 200 and "Location" not in response.headers


def test_no_account_is_made_for_an_entry_that_was_never_imported(app, directory):
    before = db.session.scalar(select(func.count()).select_from(Person))
    response = sign_in(app, "la", "mat-khau-la")
    assert response.status_code == 200 and "Location" not in response.headers
    assert db.session.scalar(select(func.count()).select_from(Person)) == before


def test_the_local_password_of_a_break_glass_administrator_works_while_the_directory_is_down(app, directory, monkeypatch):
    from factories import PASSWORD

    admin = person(Role.ADMIN, username="quantri.khancap")
    db.session.commit()
    monkeypatch.setitem(app.config["KPI"], "ldap_url", "ldap://127.0.0.1:9")  # nothing listens there
    assert sign_in(app, "quantri.khancap", PASSWORD).status_code == 302
    assert sign_in(app, "an", "mat-khau-an").status_code == 200
    assert admin.active
