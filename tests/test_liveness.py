"""The scheduler seen from outside: its readiness check at /readyz/scheduler (not gating web
traffic), and the process's own heartbeat file and systemd notifications, from a real
`kpi scheduler run`."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler import job
from scheduler.models import JobRun
from scheduler.registry import unregister
from scheduler.runner import run_tick
from workflow.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_the_scheduler_check_is_for_monitoring_and_does_not_gate_traffic(client):
    assert client.get("/readyz").status_code == 200
    assert "scheduler" not in client.get("/readyz").get_json()["checks"]
    never = client.get("/readyz/scheduler")
    assert never.status_code == 503 and "no scheduler has run yet" in never.get_json()["checks"]["scheduler"]["reason"]

    run_tick(datetime.now(UTC), holder="h:1:live")
    assert client.get("/readyz/scheduler").get_json() == {"status": "ready", "checks": {"scheduler": {"ok": True}}}

    for run in db.session.scalars(select(JobRun)):
        run.started_at -= timedelta(minutes=42)
    db.session.commit()
    stale = client.get("/readyz/scheduler")
    assert stale.status_code == 503 and "no scheduler tick for 42 minutes" in stale.get_json()["checks"]["scheduler"]["reason"]
    assert client.get("/readyz").status_code == 200


def test_a_failing_job_makes_the_scheduler_unready(client):
    @job("test.breaks", order=1)
    def breaks(now):
        raise RuntimeError("the job failed")

    try:
        run_tick(datetime.now(UTC), holder="h:1:live")
    finally:
        unregister("test.breaks")
    response = client.get("/readyz/scheduler")
    assert response.status_code == 503
    assert response.get_json()["checks"]["scheduler"]["reason"] == "the last run of test.breaks failed (see: kpi scheduler status)"


def _kpi(*args, env, **kw):
    return subprocess.run([str(Path(sys.executable).with_name("kpi")), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, **kw)


@pytest.mark.slow
@pytest.mark.real_commits
def test_the_process_beats_and_tells_systemd(app, tmp_path):
    heartbeat = tmp_path / "heartbeat.json"
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(tmp_path / "notify.sock"))
    notify.settimeout(1)
    env = {
        **os.environ,
        "KPI_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "KPI_UPLOAD_DIR": str(tmp_path / "uploads"),
        "KPI_SCHEDULER_TICK_SECONDS": "1",
        "KPI_SCHEDULER_LEASE_SECONDS": "5",
        "KPI_SCHEDULER_HEARTBEAT_FILE": str(heartbeat),
        "KPI_SMTP_PORT": "1",
        "NOTIFY_SOCKET": str(tmp_path / "notify.sock"),
    }
    env.pop("KPI_CONFIG", None)
    process = subprocess.Popen([str(Path(sys.executable).with_name("kpi")), "scheduler", "run"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    messages: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while messages.count("WATCHDOG=1") < 2:
            assert time.monotonic() < deadline and process.poll() is None, process.stderr.read() if process.poll() is not None else messages
            try:
                messages.append(notify.recv(256).decode())
            except TimeoutError:
                pass
        assert messages[0] == "READY=1"
        beat = json.loads(heartbeat.read_text())
        assert beat["pid"] == process.pid and beat["role"] == "active"
        alive = _kpi("scheduler", "alive", env=env)
        assert alive.returncode == 0 and alive.stdout.startswith("alive: last beat") and "active" in alive.stdout
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert process.returncode == 0
    rest = []
    while True:
        try:
            rest.append(notify.recv(256).decode())
        except TimeoutError:
            break
    notify.close()
    assert "STOPPING=1" in rest

    old = time.time() - 3600
    os.utime(heartbeat, (old, old))
    dead = _kpi("scheduler", "alive", env=env)
    assert dead.returncode == 1 and re.match(r"not alive: last beat 36\d\d s ago \(active, ", dead.stdout)
    heartbeat.unlink()
    missing = _kpi("scheduler", "alive", env=env)
    assert missing.returncode == 1 and "no heartbeat in" in missing.stdout
    unset = _kpi("scheduler", "alive", env={**env, "KPI_SCHEDULER_HEARTBEAT_FILE": ""})
    assert unset.returncode == 1 and "no heartbeat file is configured" in unset.stderr
