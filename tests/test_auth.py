"""Sign-in, sign-out, throttling, session lifetime, CSRF, security headers."""

import re
import time


import factories as f
from workflow.accounts.models import Role
from workflow.core.audit import AuditEntry
from workflow.extensions import db


def login(client, username, password=f.PASSWORD, **extra):
    return client.post("/login", data={"username": username, "password": password, **extra})


def test_sign_in_with_correct_password_opens_the_dashboard(client):
    person = f.person(Role.STAFF, username="chuyenvien")
    db.session.commit()
    response = login(client, "chuyenvien")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")
    assert client.get("/").status_code == 200
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "account.login")).actor_id == person.id


def test_signing_in_is_not_an_edit_of_the_person(client):
    """Signing in records the time, and strengthens a password hash made with older settings,
    without the version check: signing in on two devices at once, or while an administrator
    edits the account, is not refused as a conflicting edit."""
    from argon2 import PasswordHasher

    old_hash = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1).hash(f.PASSWORD)
    person = f.person(Role.STAFF, username="chuyenvien", password_hash=old_hash)
    db.session.commit()
    version = person.version
    assert login(client, "chuyenvien").status_code == 302
    db.session.refresh(person)
    assert person.version == version
    assert person.last_login_at is not None and person.password_hash != old_hash
    assert login(client.application.test_client(), "chuyenvien").status_code == 302  # with the new hash


def test_username_is_case_insensitive(client):
    f.person(Role.STAFF, username="canbo")
    assert login(client, "  CanBo ").status_code == 302


def test_wrong_password_is_refused_with_a_field_error_and_audited(client):
    f.person(Role.STAFF, username="canbo2")
    response = login(client, "canbo2", "sai-mat-khau")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "is-invalid" in page and 'aria-invalid="true"' in page
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "account.login_failed")).summary == "canbo2"
    assert client.get("/").status_code == 302


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client):
    f.person(Role.STAFF, username="canbo3")
    a = login(client, "khongtontai").get_data(as_text=True)
    b = login(client, "canbo3", "sai").get_data(as_text=True)
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # noqa: E731
    assert strip(a) == strip(b)


def test_deactivated_account_cannot_sign_in(client):
    f.person(Role.STAFF, username="daghi", active=False)
    assert login(client, "daghi").status_code == 200
    assert client.get("/").status_code == 302


def test_empty_form_gets_field_errors(client):
    response = client.post("/login", data={"username": "", "password": ""})
    page = response.get_data(as_text=True)
    assert page.count("invalid-feedback") == 2


def test_next_parameter_only_redirects_within_the_site(client):
    f.person(Role.STAFF, username="canbo4")
    assert login(client, "canbo4", next="https://evil.example/").headers["Location"] == "/"
    client.post("/logout")
    assert login(client, "canbo4", next="//evil.example/x").headers["Location"] == "/"
    client.post("/logout")
    assert login(client, "canbo4", next="/account").headers["Location"] == "/account"


def test_failed_attempts_are_throttled_per_account(client, app):
    f.person(Role.STAFF, username="bikhoa")
    for _ in range(5):
        assert login(client, "bikhoa", "sai").status_code == 200
    response = login(client, "bikhoa", f.PASSWORD)
    assert response.status_code == 429
    # another account from the same address is not affected
    f.person(Role.STAFF, username="khac")
    assert login(client, "khac").status_code == 302


def test_failed_attempts_are_throttled_per_address(client, app):
    for i in range(20):
        assert login(client, f"khong-co-{i}", "sai").status_code == 200
    assert login(client, "khong-co-moi", "sai").status_code == 429
    other = app.test_client()
    assert other.post("/login", data={"username": "x", "password": "y"}, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


def test_successful_sign_ins_are_not_counted(client):
    f.person(Role.STAFF, username="thuongxuyen")
    for _ in range(8):
        assert login(client, "thuongxuyen").status_code == 302
        client.post("/logout")


def test_session_expires_after_idle_time(client, as_person):
    person = f.person(Role.STAFF)
    c = as_person(person)
    assert c.get("/").status_code == 200
    with c.session_transaction() as s:
        s["_seen_at"] = time.time() - 31 * 60
    response = c.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_session_expires_after_absolute_lifetime_even_when_active(as_person):
    c = as_person(f.person(Role.STAFF))
    with c.session_transaction() as s:
        s["_auth_at"] = time.time() - 13 * 3600
    assert c.get("/").status_code == 302


def test_changing_password_signs_out_other_sessions(as_person):
    person = f.person(Role.STAFF, username="doimatkhau")
    first, second = as_person(person), as_person(person)
    response = first.post("/account/password", data={"current_password": f.PASSWORD, "new_password": "mot-mat-khau-moi-dai"})
    assert response.status_code == 302
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302


def test_password_change_rules(as_person):
    person = f.person(Role.STAFF, username="quytac")
    c = as_person(person)
    r = c.post("/account/password", data={"current_password": "sai", "new_password": "mot-mat-khau-moi-dai"})
    assert r.status_code == 422 and "current_password-error" in r.get_data(as_text=True)
    r = c.post("/account/password", data={"current_password": f.PASSWORD, "new_password": "ngan"})
    assert r.status_code == 422 and "new_password-error" in r.get_data(as_text=True)
    r = c.post("/account/password", data={"current_password": f.PASSWORD, "new_password": "quytac-12345678"})
    assert r.status_code == 422


def test_cookies_are_httponly_and_samesite(client):
    f.person(Role.STAFF, username="cookie")
    response = login(client, "cookie")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # base_url is http:// in tests


def test_cookies_are_secure_behind_https():
    from workflow import create_app

    app = create_app(overrides={"env": "testing", "base_url": "https://kpi.example.gov.vn", "database_url": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_security_headers_and_csp_without_inline_script(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script found"
    assert not re.search(r"""(src|href)=["']https?://""", html), "asset loaded from another site"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler found"


def test_request_id_is_echoed_or_generated(client):
    assert client.get("/login", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    generated = client.get("/login", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)


def test_csrf_is_enforced_on_forms(app, client):
    f.person(Role.STAFF, username="csrf")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert login(client, "csrf").status_code == 400
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert login(client, "csrf", csrf_token=token).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_pages_need_sign_in_and_the_api_answers_401(client):
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/account")
    api = client.get("/api/v1/me")
    assert api.status_code == 401
    assert api.get_json()["code"] == 401
    assert api.headers["WWW-Authenticate"].startswith("Bearer")


def test_sign_out(as_person):
    c = as_person(f.person(Role.STAFF))
    assert c.post("/logout").status_code == 302
    assert c.get("/").status_code == 302


def test_unknown_page_is_a_readable_404(as_person):
    c = as_person(f.person(Role.STAFF))
    response = c.get("/khong-co-trang-nay")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Trang hoặc mục này không tồn tại" in page
    assert "Mã lỗi 404" in page
