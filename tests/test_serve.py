"""`kpi serve` runs the application under gunicorn as a real process: it answers the sign-in page,
liveness and readiness, writes JSON access lines, and stops cleanly on SIGTERM."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask_migrate import upgrade

from test_migrations import scratch_app  # noqa: F401  (fixture: an application on an empty database)

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.mark.slow
@pytest.mark.real_commits
def test_kpi_serve_answers_and_stops(scratch_app):  # noqa: F811
    with scratch_app.app_context():
        upgrade()
    port = free_port()
    env = {
        **os.environ,
        "KPI_ENV": "production",
        "KPI_SECRET_KEY": "s" * 48,
        "KPI_DATABASE_URL": scratch_app.config["SQLALCHEMY_DATABASE_URI"],
        "KPI_WEB_BIND": f"127.0.0.1:{port}",
        "KPI_WEB_WORKERS": "1",
        "KPI_WEB_THREADS": "2",
    }
    env.pop("KPI_CONFIG", None)
    kpi = Path(sys.executable).with_name("kpi")
    server = subprocess.Popen([str(kpi), "serve"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = fetch(f"{base}/healthz")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("kpi serve did not start:\n" + server.stderr.read()) from None
                time.sleep(0.2)
        assert status == 200 and json.loads(body) == {"status": "ok"}
        with urllib.request.urlopen(f"{base}/login", timeout=5) as response:
            assert response.headers.get("Server") is None  # no name or version for an attacker to look up
        status, body = fetch(f"{base}/login")
        assert status == 200 and "Đăng nhập" in body
        status, body = fetch(f"{base}/readyz")
        assert status == 200, body
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    access = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [(a["path"], a["status"]) for a in access if a["logger"] == "workflow.request"][-2:] == [("/login", 200), ("/readyz", 200)]
    assert "gthread" in err  # threads from the settings


def test_serve_refuses_production_without_a_secret():
    env = {**os.environ, "KPI_ENV": "production", "KPI_SECRET_KEY": "change-me", "KPI_DATABASE_URL": "sqlite:////tmp/x.sqlite3"}
    kpi = Path(sys.executable).with_name("kpi")
    result = subprocess.run([str(kpi), "serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "KPI_SECRET_KEY" in result.stderr


def test_gunicorn_options_come_from_the_settings():
    from workflow.server import gunicorn_options
    from workflow.settings import load_settings

    options = gunicorn_options(load_settings({"KPI_WEB_BIND": "0.0.0.0:9000", "KPI_WEB_WORKERS": "3", "KPI_WEB_THREADS": "1"}))
    assert options["bind"] == ["0.0.0.0:9000"] and options["workers"] == 3 and options["worker_class"] == "sync"
    assert gunicorn_options(load_settings({}), workers=5)["workers"] == 5
