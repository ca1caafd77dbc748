"""Sign-in with OpenID Connect (authorization code with PKCE) against a real, certified provider
(tests/oidcprovider.py): success by personnel code and by verified e-mail, a wrong password, a
deactivated person, a person never imported, and a callback that does not match its request."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from oidcprovider import oidc_provider  # noqa: F401  (the fixture)
from test_directory_import import by_code, imported, org, signing_in_with
from workflow.accounts.models import Person
from workflow.core.audit import AuditEntry
from workflow.extensions import db


@pytest.fixture
def provider(app, oidc_provider, monkeypatch):  # noqa: F811
    return signing_in_with(oidc_provider, app, monkeypatch)


def through_provider(app, provider, login: str, password: str):
    """The browser's round trip: our /login/oidc, the provider's sign-in, our callback."""
    client = app.test_client()
    start = client.get("/login/oidc")
    assert start.status_code == 302 and start.headers["Location"].startswith(provider.issuer)
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"] and query["nonce"]
    back = provider.sign_in(start.headers["Location"], login, password, until=app.config["KPI"]["base_url"])
    if not back.startswith(app.config["KPI"]["base_url"]):
        return client, None
    parts = urlsplit(back)
    return client, client.get(f"{parts.path}?{parts.query}")


def signed_in_as(client) -> str | None:
    page = client.get("/")
    return None if page.status_code != 200 else page.get_data(as_text=True)


def test_signing_in_through_the_provider_by_personnel_code(app, provider):
    client, done = through_provider(app, provider, "an", "mat-khau-an")
    assert done.status_code == 302 and done.headers["Location"].endswith("/")
    assert "Nguyễn Văn An" in signed_in_as(client)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.login").order_by(AuditEntry.id.desc())).first()
    assert entry.object_id == by_code("CB001").id and entry.data == {"via": "oidc"}


def test_a_verified_email_matches_an_unverified_one_does_not(app, provider):
    client, done = through_provider(app, provider, "binh", "mat-khau-binh")
    assert done.status_code == 302 and "Trần Thị Bình" in signed_in_as(client)
    client, done = through_provider(app, provider, "cuong", "mat-khau-cuong")
    assert done.headers["Location"].endswith("/login") and signed_in_as(client) is None


def test_a_wrong_password_never_comes_back(app, provider):
    client, done = through_provider(app, provider, "an", "sai-mat-khau")
    assert done is None and signed_in_as(client) is None


def test_a_deactivated_or_never_imported_person_is_refused_and_no_account_is_made(app, provider):
    def departure(rows):
        del rows[3]  # CB004 leaves

    imported(org(people=departure))
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Person))
    for login in ("dung", "la"):
        client, done = through_provider(app, provider, login, f"mat-khau-{login}")
        assert done.status_code == 302 and done.headers["Location"].endswith("/login")
        assert signed_in_as(client) is None
    assert db.session.scalar(select(func.count()).select_from(Person)) == before


def test_a_callback_without_its_request_is_refused(app, provider):
    client = app.test_client()
    done = client.get("/login/oidc/callback?code=forged&state=forged")
    assert done.status_code == 302 and done.headers["Location"].endswith("/login") and signed_in_as(client) is None
