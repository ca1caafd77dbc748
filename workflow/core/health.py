"""Liveness and readiness for load balancers, orchestrators and monitoring.

`GET /healthz` says the process answers (no database, no sign-in). `GET /readyz` runs the
checks that decide whether this web instance should get traffic and answers 200 when all pass,
503 naming the ones that fail: what a load balancer polls. `GET /readyz/<name>` runs any one
check, including those that do not gate traffic (the scheduler's last tick: a stopped
scheduler must alert someone, not take every web instance out of the load balancer): what
monitoring polls. All are public, so they say nothing sensitive: a failing check reports a
short reason, and the details go to the log.

Packages add checks with the decorator::

    from workflow.core import health

    @health.check("scheduler", gates_traffic=False)
    def scheduler_ticks() -> str | None:
        return None if last_tick_is_recent() else "no tick for 5 minutes"

A check runs inside the request, returns None when all is well or a short reason when not, and
may raise (reported as failed, logged with the traceback). Checks run in registration order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, Response, current_app, jsonify
from sqlalchemy import inspect, text

from workflow.core.auth import public
from workflow.extensions import db

log = logging.getLogger(__name__)

Check = Callable[[], "str | None"]
_CHECKS: dict[str, Check] = {}
_MONITOR_ONLY: set[str] = set()

bp = Blueprint("health", __name__)


def check(name: str, *, gates_traffic: bool = True) -> Callable[[Check], Check]:
    """Register a readiness check under `name`; with gates_traffic=False it runs only at
    /readyz/<name>. Registering the same function again (a module imported twice, an `init_app`
    run for a second application) is harmless; another function under a name already taken is a
    programming error."""

    def register(fn: Check) -> Check:
        existing = _CHECKS.get(name)
        if existing is not None and _identity(existing) != _identity(fn):
            raise ValueError(f"readiness check {name!r} registered twice")
        _CHECKS[name] = fn
        if not gates_traffic:
            _MONITOR_ONLY.add(name)
        return fn

    return register


def _identity(fn: Check) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def registered() -> list[str]:
    return list(_CHECKS)


def run_checks(names: list[str] | None = None) -> tuple[bool, dict[str, dict[str, Any]]]:
    """Run the checks named (default: those that gate traffic); returns (all passed,
    {name: {"ok": bool, "reason": str?}})."""
    results: dict[str, dict[str, Any]] = {}
    if names is None:
        names = [n for n in _CHECKS if n not in _MONITOR_ONLY]
    for name in names:
        fn = _CHECKS[name]
        try:
            reason = fn()
        except Exception as exc:
            log.warning("readiness check %s failed", name, exc_info=True)
            reason = f"check failed ({type(exc).__name__})"
        finally:
            # A failed statement leaves a PostgreSQL transaction unusable for the next check.
            db.session.rollback()
        results[name] = {"ok": True} if reason is None else {"ok": False, "reason": str(reason)}
    return all(r["ok"] for r in results.values()), results


@check("database")
def database_answers() -> str | None:
    db.session.execute(text("SELECT 1"))
    return None


def code_heads() -> set[str]:
    """The migration heads of the code that runs (read once per application)."""
    cache = current_app.extensions.setdefault("kpi_health", {})
    if "heads" not in cache:
        config = current_app.extensions["migrate"].migrate.get_config()
        cache["heads"] = set(ScriptDirectory.from_config(config).get_heads())
    return cache["heads"]


@check("migrations")
def migrations_current() -> str | None:
    # Read directly rather than through alembic's MigrationContext, which logs at every call.
    with db.engine.connect() as connection:
        current = set()
        if inspect(connection).has_table("alembic_version"):
            current = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
    expected = code_heads()
    if current == expected:
        return None
    log.warning("database schema at %s, code expects %s", sorted(current) or "nothing", sorted(expected))
    return "the database schema is not the one this version expects (run: kpi db upgrade)"


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@public
def healthz() -> Response:
    return _no_store(jsonify(status="ok"))


def _readiness(names: list[str] | None) -> Response:
    ready, results = run_checks(names)
    response = _no_store(jsonify(status="ready" if ready else "unavailable", checks=results))
    response.status_code = 200 if ready else 503
    return response


@bp.get("/readyz")
@public
def readyz() -> Response:
    return _readiness(None)


@bp.get("/readyz/<name>")
@public
def readyz_one(name: str) -> Response:
    if name not in _CHECKS:
        response = _no_store(jsonify(status="unknown", checks={}, known=registered()))
        response.status_code = 404
        return response
    return _readiness([name])


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
