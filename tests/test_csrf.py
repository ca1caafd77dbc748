"""CSRF (workflow/core/auth.py): only a request authenticated by a valid API token is exempt. A
cookie-authenticated request stays checked whatever Authorization header it carries, and an
unauthenticated unsafe API request is told to sign in (401), not that its CSRF token is missing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

import factories as f
from workflow.accounts.models import ApiToken, Role
from workflow.extensions import db


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def _tokens() -> int:
    return db.session.scalar(select(func.count()).select_from(ApiToken))


@pytest.mark.parametrize("authorization", ["Bearer nonsense", "Bearer kpi_0000000000000000_forged", "bearer x"])
def test_a_cookie_request_with_an_invalid_bearer_header_is_not_exempt(as_person, csrf_on, authorization):
    browser = as_person(f.person(Role.STAFF))
    before = _tokens()
    response = browser.post("/api/v1/me/tokens", json={"name": "cross-site"}, headers={"Authorization": authorization})
    assert response.status_code == 401  # the header names a token, and it is not one: no cookie fallback
    assert _tokens() == before


def test_a_cookie_request_needs_the_csrf_token(as_person, csrf_on):
    browser = as_person(f.person(Role.STAFF))
    assert browser.post("/api/v1/me/tokens", json={"name": "x"}).status_code == 400
    page = browser.get("/account").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert browser.post("/api/v1/me/tokens", json={"name": "x"}, headers={"X-CSRFToken": token}).status_code == 201


def test_a_request_authenticated_by_a_valid_token_is_exempt(client, csrf_on):
    person = f.person(Role.STAFF)
    response = client.post("/api/v1/me/tokens", json={"name": "tich-hop"}, headers=f.api_headers(person))
    assert response.status_code == 201


def test_a_valid_token_decides_even_beside_another_persons_cookie(as_person, csrf_on):
    cookie_owner, token_owner = f.person(Role.STAFF, username="chuphien"), f.person(Role.STAFF, username="chutoken")
    browser = as_person(cookie_owner)
    assert browser.get("/api/v1/me", headers=f.api_headers(token_owner)).get_json()["username"] == "chutoken"


@pytest.mark.parametrize(("method", "path"), [("POST", "/api/v1/me/tokens"), ("PATCH", "/api/v1/people/1"), ("DELETE", "/api/v1/me/tokens/1")])
def test_an_unauthenticated_unsafe_api_request_gets_401(client, csrf_on, method, path):
    response = client.open(path, method=method, json={})
    assert response.status_code == 401
    assert response.get_json()["code"] == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_cookie_with_a_bogus_header_does_not_skip_choosing_ones_own_password(as_person):
    browser = as_person(f.person(Role.STAFF, must_change_password=True))
    assert browser.get("/api/v1/me").status_code == 403
    assert browser.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401
