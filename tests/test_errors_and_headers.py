"""What an unexpected failure shows (nothing of its cause, the request id to find it in the log)
and the transport headers of an HTTPS installation; both are claims of docs/security.md."""

from __future__ import annotations

import factories as f
from workflow.accounts.models import Role


def test_an_unexpected_error_is_a_500_that_reveals_nothing(app, as_person, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret detail: /srv/kpi/instance/secret_key")

    monkeypatch.setitem(app.config, "PROPAGATE_TEST_ERRORS", False)
    monkeypatch.setitem(app.view_functions, "units_api.list_units", broken)
    monkeypatch.setitem(app.view_functions, "admin.units", broken)
    admin = f.person(Role.ADMIN)
    c = as_person(admin)
    api, page = c.get("/api/v1/units", headers=f.api_headers(admin)), c.get("/admin/units")
    for response in (api, page):
        body = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "secret detail" not in body and "RuntimeError" not in body and "Traceback" not in body
        assert response.headers["X-Request-ID"]
    assert api.get_json()["code"] == 500
    assert page.headers["X-Request-ID"] in page.get_data(as_text=True)  # quoted to the help desk


def test_an_https_installation_sends_hsts_and_secure_cookies():
    from workflow import create_app

    app = create_app(overrides={"env": "testing", "base_url": "https://kpi.example.gov.vn", "database_url": "sqlite://"})
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    plain = create_app(overrides={"env": "testing", "base_url": "http://kpi.test", "database_url": "sqlite://"})
    assert "Strict-Transport-Security" not in plain.test_client().get("/healthz").headers


def test_api_answers_are_not_cached_and_carry_the_security_headers(client):
    response = client.get("/api/v1/me", headers=f.api_headers(f.person(Role.STAFF)))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
