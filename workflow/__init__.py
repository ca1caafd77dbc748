"""KPI Workflow: the application factory.

`create_app` reads the settings, binds the extensions, installs the shared mechanisms of
`workflow.core`, then lets each domain package in MODULES register its pages, API and
dashboard panels. Nothing is built at import time.
"""

from __future__ import annotations

import secrets
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask, request

from workflow.settings import PROJECT_ROOT, check_production, load_settings

# Domain packages, in the order their pages appear in the navigation.
MODULES = (
    "workflow.units",
    "workflow.cycles",
    "workflow.framework",
    "workflow.accounts",
    "workflow.directory",
    "workflow.drafts",
    "workflow.targets",
    "workflow.calendar",
    "workflow.reports",
    "workflow.notifications",
    "workflow.dashboard",
    "workflow.admin",
    "workflow.scoring",
    "workflow.backup",
    "workflow.council",
    "workflow.monthly",
    "workflow.ratings",
    "workflow.votes",
    "workflow.opinions",
    "workflow.selfscoring",
    "workflow.demo",
    "scheduler",
)


def _secret_key(settings: dict[str, Any], instance: Path) -> str:
    if settings["secret_key"] not in ("", "change-me") or settings["env"] == "production":
        return settings["secret_key"]
    # A developer's machine: a random key kept in the instance folder, so sessions survive a
    # restart without anyone having to choose a key.
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> Flask:
    settings = load_settings(environ, overrides)
    check_production(settings)
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    instance = Path(app.instance_path)

    from workflow.core.database import database_url, engine_options, install_sqlite_hooks

    url = database_url(settings["database_url"], app.instance_path)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        instance.mkdir(parents=True, exist_ok=True)
    app.config.update(
        KPI=settings,
        TESTING=settings["env"] == "testing",
        SECRET_KEY=_secret_key(settings, instance),
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(url),
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
        JSON_SORT_KEYS=False,
        UPLOAD_DIR=settings["upload_dir"] or str(instance / "uploads"),
    )
    install_sqlite_hooks()

    from workflow.extensions import csrf, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "workflow" / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)

    from workflow.core import api, auth, health, i18n, inputs, logs, ratelimit, security, transaction, web

    logs.init_app(app)  # first: its after_request then runs last and logs the final response
    security.init_app(app)
    i18n.init_app(app)
    api.init_app(app)
    web.init_app(app)  # after the API: its error handlers replace flask-smorest's
    auth.init_app(app)
    inputs.init_app(app)  # after sign-in is checked, before any route is added
    transaction.init_app(app)
    health.init_app(app)
    ratelimit.init_app(app)
    _install_template_helpers(app)
    _version_static_urls(app)

    from workflow import cli

    cli.init_app(app)
    for name in MODULES:
        import_module(name).init_app(app)
    return app


def _version_static_urls(app: Flask) -> None:
    """Static URLs carry a digest of the file (`/static/css/app.css?v=3f2a…`), so the reverse
    proxy can let browsers keep static files for a year and a release is still seen at once."""
    import hashlib

    digests: dict[str, tuple[tuple[int, int], str]] = {}
    folder = Path(app.static_folder or "")

    @app.url_defaults
    def add_digest(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or "v" in values or "filename" not in values:
            return
        name = values["filename"]
        try:
            stat = (folder / name).stat()
        except OSError:
            return
        key = (stat.st_mtime_ns, stat.st_size)
        known = digests.get(name)
        if known is None or known[0] != key:
            known = (key, hashlib.sha256((folder / name).read_bytes()).hexdigest()[:12])
            digests[name] = known
        values["v"] = known[1]


def _install_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from workflow import nav, policy
    from workflow.core import widgets

    def can(action: str, obj: Any = None) -> bool:
        return policy.can(current_user, action, obj)

    def nav_areas() -> list[nav.Area]:
        return nav.areas(current_user._get_current_object(), request.endpoint, request.blueprint)

    app.jinja_env.globals["can"] = can
    app.jinja_env.globals["nav_areas"] = nav_areas
    app.jinja_env.globals["grid_input"] = widgets.grid_input
    app.jinja_env.globals["project_name"] = "KPI Workflow"
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
