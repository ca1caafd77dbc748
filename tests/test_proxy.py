"""Behind a reverse proxy and scaled out: with `proxy_hops`, the client's address and scheme come
from X-Forwarded-For / X-Forwarded-Proto (and only from the hops trusted), so sign-in throttling
and the audit log see people, not the proxy; without it the headers are ignored. Two real
`kpi serve` instances sharing a Redis store count sign-in failures together (with the default
store, the database, in tests/test_sign_in_throttling.py)."""

from __future__ import annotations

import hashlib
import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import skip_unless_available
from flask import request
from flask_migrate import upgrade
from sqlalchemy import select

import factories as f
from test_migrations import scratch_app  # noqa: F401  (fixture: an application on an empty database)
from test_serve import free_port
from workflow import create_app
from workflow.accounts.models import Role
from workflow.core.audit import AuditEntry
from workflow.core.auth import public
from workflow.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SECRET = "khoa-bi-mat-dung-chung-cho-moi-may-chu-web-0123456789"


def _site(app, hops: int):
    """An application on the test database, behind `hops` proxies, with a page that shows what it
    sees of the client."""
    site = create_app(overrides={
        "env": "testing", "database_url": app.config["SQLALCHEMY_DATABASE_URI"], "secret_key": SECRET,
        "upload_dir": app.config["UPLOAD_DIR"], "proxy_hops": hops, "base_url": "https://kpi.vinhphuc.gov.vn",
    })
    site.config.update(WTF_CSRF_ENABLED=False, KPI_FAST_PASSWORD_HASH=True)
    site.add_url_rule("/_client", "client_seen", public(lambda: {"address": request.remote_addr, "scheme": request.scheme, "secure": request.is_secure}))
    return site


def _fail(client, n: int, forwarded: str | None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/login", data={"username": f"khong-co-{n}", "password": "sai"}, headers=headers)


def _seen(client, forwarded_for: str) -> dict:
    return client.get("/_client", headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"}).get_json()


def _fail_the_limit(client, address_of) -> None:
    """The 20 failed sign-ins the address limit allows, the i-th from `address_of(i)`."""
    for i in range(20):
        assert _fail(client, i, address_of(i)).status_code == 200


@pytest.mark.real_commits
def test_behind_one_proxy_the_client_address_and_scheme_come_from_its_headers(app):
    site = _site(app, hops=1)
    client = site.test_client()
    # Only the last hop, written by our proxy, is trusted; what the client claimed before it is not.
    assert _seen(client, "198.51.100.1, 203.0.113.7") == {"address": "203.0.113.7", "scheme": "https", "secure": True}
    _fail_the_limit(client, lambda i: "203.0.113.7")
    assert _fail(client, 20, "203.0.113.7").status_code == 429
    assert _fail(client, 21, "203.0.113.8").status_code == 200  # someone else behind the same proxy
    with site.app_context():
        ips = set(db.session.scalars(select(AuditEntry.ip).where(AuditEntry.action == "account.login_failed")))
    assert ips == {"203.0.113.7", "203.0.113.8"}

    with site.app_context():
        f.person(Role.STAFF, username="nguoidung")
        db.session.commit()
    signed_in = client.post("/login", data={"username": "nguoidung", "password": f.PASSWORD},
                            headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert signed_in.status_code == 302
    cookie = signed_in.headers["Set-Cookie"]
    assert cookie.startswith("kpi_session=") and "Secure" in cookie and "HttpOnly" in cookie


@pytest.mark.real_commits
def test_without_a_proxy_forwarded_headers_are_ignored(app):
    site = _site(app, hops=0)
    client = site.test_client()
    assert _seen(client, "203.0.113.7") == {"address": "127.0.0.1", "scheme": "http", "secure": False}
    # Forging a new address at each attempt does not escape throttling.
    _fail_the_limit(client, lambda i: f"203.0.113.{i}")
    assert _fail(client, 20, "203.0.113.200").status_code == 429


# --- two web instances, one shared limiter store ------------------------------------------------

def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{url} did not answer:\n" + (process.stderr.read() if process.poll() is not None else "")) from None
            time.sleep(0.2)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a sign-in's 302 comes back as it is


class Browser:
    """A person's browser: one cookie jar, whichever instance the load balancer picks."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())
        self.token = ""

    def open_login(self, base: str) -> None:
        with self.opener.open(f"{base}/login", timeout=10) as response:
            self.token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)

    def sign_in(self, base: str, username: str, client_address: str, password: str = "sai") -> int:
        """The status of a sign-in (200: refused, the form again; 302: signed in; 429: throttled)."""
        data = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": self.token}).encode()
        req = urllib.request.Request(f"{base}/login", data=data, headers={"X-Forwarded-For": client_address})
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code


@pytest.mark.slow
@pytest.mark.real_commits
def test_two_web_instances_share_sign_in_throttling_through_redis(scratch_app, tmp_path):  # noqa: F811
    redis_server = shutil.which("redis-server")
    try:
        import redis
    except ImportError:
        redis = None
    skip_unless_available(redis_server is not None and redis is not None, "needs redis-server and the redis package (pip install -e '.[redis]')")
    with scratch_app.app_context():
        upgrade()
    port = free_port()
    store = _start([redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)], dict(os.environ))
    env = {
        **os.environ,
        "KPI_ENV": "production",
        "KPI_SECRET_KEY": SECRET,
        "KPI_DATABASE_URL": scratch_app.config["SQLALCHEMY_DATABASE_URI"],
        "KPI_UPLOAD_DIR": str(tmp_path / "uploads"),
        "KPI_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{port}",
        "KPI_PROXY_HOPS": "1",
        "KPI_WEB_WORKERS": "1",
        "KPI_WEB_THREADS": "2",
    }
    env.pop("KPI_CONFIG", None)
    kpi = str(Path(sys.executable).with_name("kpi"))
    web_ports = [free_port(), free_port()]
    webs = [_start([kpi, "serve", "--bind", f"127.0.0.1:{p}"], env) for p in web_ports]
    bases = [f"http://127.0.0.1:{p}" for p in web_ports]
    try:
        deadline = time.monotonic() + 30
        while redis.Redis(port=port).ping() is not True and time.monotonic() < deadline:
            time.sleep(0.1)
        for base, web in zip(bases, webs, strict=True):
            _wait(f"{base}/healthz", web)
        browser = Browser()
        browser.open_login(bases[0])  # the session signed by one instance is good on the other
        for i in range(20):
            assert browser.sign_in(bases[i % 2], f"khong-co-{i}", "203.0.113.7") == 200
        assert browser.sign_in(bases[0], "khong-co-moi", "203.0.113.7") == 429
        assert browser.sign_in(bases[1], "khong-co-moi", "203.0.113.7") == 429
        assert browser.sign_in(bases[1], "khong-co-moi", "203.0.113.8") == 200
        for i in range(5):
            assert browser.sign_in(bases[i % 2], "bikhoa", "198.51.100.1") == 200
        assert browser.sign_in(bases[1], "bikhoa", "198.51.100.1") == 429  # per account and address, across instances
        assert browser.sign_in(bases[0], "bikhoa", "198.51.100.2") == 200  # another machine may still try
        assert browser.sign_in(bases[1], "bikhoa", "198.51.100.2") == 429  # once: the account is being guessed
        assert redis.Redis(port=port).keys("LIMITS*")
    finally:
        for process in (*webs, store):
            process.send_signal(signal.SIGTERM)
        for process in (*webs, store):
            process.communicate(timeout=30)


def test_static_urls_change_with_the_file_so_proxies_may_cache_them_for_long(client):
    page = client.get("/login").get_data(as_text=True)
    (digest,) = re.findall(r'/static/css/app\.css\?v=([0-9a-f]{12})"', page)
    assert digest == hashlib.sha256((ROOT / "workflow" / "static" / "css" / "app.css").read_bytes()).hexdigest()[:12]
    assert client.get(f"/static/css/app.css?v={digest}").status_code == 200
