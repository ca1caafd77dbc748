"""Personal API tokens: created in the UI, by the API and by `kpi token create`; revoked; expired."""

import re
from datetime import timedelta

import factories as f
from workflow.accounts.models import ApiToken, Role
from workflow.core.models import utcnow
from workflow.extensions import db


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_created_in_the_ui_is_shown_once_and_works(as_person, client):
    person = f.person(Role.STAFF, username="tokenui")
    c = as_person(person)
    page = c.post("/account/tokens", data={"name": "Đồng bộ báo cáo"}).get_data(as_text=True)
    token = re.search(r'data-testid="new-token">([^<]+)<', page).group(1)
    assert token.startswith("kpi_")
    assert token not in c.get("/account").get_data(as_text=True)
    stored = db.session.scalar(db.select(ApiToken).where(ApiToken.person_id == person.id))
    assert token.split("_")[-1] not in (stored.secret_hash, stored.lookup)
    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200 and me.get_json()["username"] == "tokenui"


def test_token_form_errors(as_person):
    c = as_person(f.person(Role.STAFF))
    response = c.post("/account/tokens", data={"name": "", "expires_in_days": "abc"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "name-error" in page and "expires_in_days-error" in page


def test_api_creates_lists_and_revokes_tokens(client):
    person = f.person(Role.STAFF)
    db.session.flush()
    from workflow.accounts.operations import create_token

    _, first = create_token(person, "first", actor=person)
    db.session.commit()
    created = client.post("/api/v1/me/tokens", json={"name": "second", "expires_in_days": 30}, headers=bearer(first))
    assert created.status_code == 201
    second = created.get_json()["token"]
    listed = client.get("/api/v1/me/tokens", headers=bearer(second)).get_json()
    assert [t["name"] for t in listed] == ["first", "second"] and "token" not in listed[0]
    first_id = listed[0]["id"]
    assert client.delete(f"/api/v1/me/tokens/{first_id}", headers=bearer(second)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(first)).status_code == 401
    assert client.delete(f"/api/v1/me/tokens/{first_id}", headers=bearer(second)).status_code == 400


def test_api_validation_errors_are_field_level(client):
    person = f.person(Role.STAFF)
    from workflow.accounts.operations import create_token

    _, token = create_token(person, "t", actor=person)
    db.session.commit()
    response = client.post("/api/v1/me/tokens", json={"name": "x" * 101, "expires_in_days": 0, "bogus": 1}, headers=bearer(token))
    body = response.get_json()
    assert response.status_code == 422
    errors = body["errors"]["json"]
    assert "name" in errors and "expires_in_days" in errors and "bogus" in errors


def test_someone_elses_token_cannot_be_revoked(client):
    a, b = f.person(Role.STAFF), f.person(Role.STAFF)
    from workflow.accounts.operations import create_token

    tok_a, _ = create_token(a, "a", actor=a)
    _, secret_b = create_token(b, "b", actor=b)
    db.session.commit()
    assert client.delete(f"/api/v1/me/tokens/{tok_a.id}", headers=bearer(secret_b)).status_code == 404


def test_expired_and_malformed_tokens_are_refused(client):
    person = f.person(Role.STAFF)
    from workflow.accounts.operations import create_token

    token, secret = create_token(person, "old", actor=person, expires_in_days=1)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    for bad in ["kpi_", "kpi_abc", "nonsense", secret[:-1] + ("A" if secret[-1] != "A" else "B")]:
        assert client.get("/api/v1/me", headers=bearer(bad)).status_code == 401


def test_token_of_a_deactivated_person_is_refused(client):
    person = f.person(Role.STAFF)
    from workflow.accounts.operations import create_token

    _, secret = create_token(person, "x", actor=person)
    person.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_tokens_are_not_accepted_outside_the_api(client):
    person = f.person(Role.STAFF)
    from workflow.accounts.operations import create_token

    _, secret = create_token(person, "x", actor=person)
    db.session.commit()
    assert client.get("/account", headers=bearer(secret)).status_code == 302


def test_cli_creates_a_token(app, client):
    person = f.person(Role.STAFF, username="clitoken")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["token", "create", "--user", "clitoken", "--name", "tích hợp"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert client.get("/api/v1/me", headers=bearer(secret)).get_json()["username"] == "clitoken"
    missing = app.test_cli_runner().invoke(args=["token", "create", "--user", "nobody", "--name", "x"])
    assert missing.exit_code != 0 and "no user" in missing.output
    assert person.id


def test_session_cookie_api_calls_need_csrf(app, as_person):
    c = as_person(f.person(Role.STAFF))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert c.post("/api/v1/me/tokens", json={"name": "x"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
