"""`kpi serve`: the production web server, gunicorn driven from our own settings.

Bind address, worker processes and threads come from `web_bind`, `web_workers` and
`web_threads` (config/kpi.toml, KPI_WEB_BIND …), so no gunicorn configuration file is needed.
Each worker builds its own application (database pools must not be shared across a fork). The
access log is the application's own request log on standard output (JSON in production, with
the request id and the person); gunicorn's messages go to standard error. Responses carry no
`Server` header: naming the server and its version only helps someone looking for its flaws.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from workflow.settings import check_production, load_settings


def _without_server_header() -> None:
    """gunicorn writes `Server: gunicorn` into every response and has no setting to leave it
    out; its HTTP/1 responses get their first lines from this one method, filtered here."""
    from gunicorn.http import wsgi

    original = wsgi.Response.default_headers
    if getattr(original, "kpi_filtered", False):
        return

    def default_headers(self: Any) -> list[str]:
        return [line for line in original(self) if not line.lower().startswith("server:")]

    default_headers.kpi_filtered = True  # type: ignore[attr-defined]
    wsgi.Response.default_headers = default_headers  # type: ignore[method-assign]


class Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        # gunicorn 25.1+ opens a control socket at one fixed path per user, which two services
        # on one host would share; nothing here uses it.
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)
        _without_server_header()  # in the master, before the workers are forked

    def load(self) -> Any:
        import gc

        from workflow import create_app

        app = create_app()
        # What the application builds at start (mappers, schemas, translations, templates) lives
        # as long as the worker. Frozen, it is no longer traversed by every garbage collection
        # that a request's allocations set off, which on the list pages cost as much as the work.
        gc.collect()
        gc.freeze()
        return app


def gunicorn_options(settings: dict[str, Any], *, bind: str | None = None, workers: int | None = None, threads: int | None = None) -> dict[str, Any]:
    threads = threads or settings["web_threads"]
    return {
        "bind": [bind or settings["web_bind"]],
        "workers": workers or settings["web_workers"],
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "accesslog": None,  # the application logs each request itself (workflow.core.logs)
        "errorlog": "-",
        "loglevel": settings["log_level"].lower(),
        "proc_name": "kpi-workflow",
        # A worker silent for longer is restarted; 30 s (gunicorn's default) is short for a large
        # upload or export on a slow intranet link.
        "timeout": 120,
        "graceful_timeout": 30,
        "preload_app": False,
    }


def serve(*, bind: str | None = None, workers: int | None = None, threads: int | None = None) -> None:
    settings = load_settings()
    check_production(settings)
    Server(gunicorn_options(settings, bind=bind, workers=workers, threads=threads)).run()
