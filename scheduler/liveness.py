"""Whether the scheduler is alive, seen from outside it and from within.

- The readiness check `scheduler` (`GET /readyz/scheduler`, for monitoring): some scheduler
  ticked lately and no job's last run failed. It reads the job runs in the database, so it says
  whether the work gets done, whichever host does it. It does not gate web traffic.
- The process's own heartbeat: at every tick, active or standing by, even when the database is
  down, the process rewrites `scheduler_heartbeat_file` (read by `kpi scheduler alive`, e.g. as
  a container's health check) and pings systemd's watchdog when run with Type=notify, so that a
  hung process is restarted and a dead standby is noticed before it is needed.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from flask import current_app

from scheduler.models import Outcome
from scheduler.status import scheduler_status, stale_after
from workflow.core import health
from workflow.core.models import utcnow


@health.check("scheduler", gates_traffic=False)
def scheduler_ticks() -> str | None:
    settings = current_app.config["KPI"]
    report = scheduler_status(settings)
    if not report.last_runs:
        return "no scheduler has run yet (start: kpi scheduler run)"
    if not report.healthy:
        newest = max(r.started_at for r in report.last_runs)
        minutes = int((utcnow() - newest).total_seconds() // 60)
        return f"no scheduler tick for {minutes} minutes (see: kpi scheduler status)"
    failed = [r.job for r in report.last_runs if r.outcome == Outcome.ERROR]
    if failed:
        return f"the last run of {', '.join(failed)} failed (see: kpi scheduler status)"
    return None


def notify_systemd(message: str) -> bool:
    """Send one sd_notify message ("READY=1", "WATCHDOG=1", …) when systemd asked for them."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError:
        return False
    return True


def beat(settings: dict[str, Any], holder: str, role: str) -> None:
    """Record that the process is alive and what it did at this tick (active, standby, error)."""
    notify_systemd("WATCHDOG=1")
    path = settings["scheduler_heartbeat_file"]
    if not path:
        return
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps({"at": utcnow().isoformat(), "pid": os.getpid(), "holder": holder, "role": role}))
    os.replace(partial, target)


def heartbeat_age(settings: dict[str, Any]) -> tuple[float | None, dict[str, Any]]:
    """Seconds since the last beat (None: never) and what that beat said."""
    path = Path(settings["scheduler_heartbeat_file"])
    try:
        age = time.time() - path.stat().st_mtime
        content = json.loads(path.read_text())
    except (OSError, ValueError):
        return None, {}
    return age, content if isinstance(content, dict) else {}


def alive_within(settings: dict[str, Any]) -> float:
    return stale_after(settings).total_seconds()
