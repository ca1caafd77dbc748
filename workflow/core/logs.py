"""Logging: lines on standard output, JSON for log collectors or text for a terminal, and one
line per request (the access log).

Every line carries the request id (`g.request_id`, also sent back as X-Request-ID), so an error
a person reports with the id on the error page can be found with everything else that request
logged. Application code logs with the standard `logging` module; nothing here needs to be
called for the id to appear.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, has_app_context, has_request_context, request

from workflow.settings import log_format

F = TypeVar("F", bound=Callable[..., Any])
REQUEST_LOGGER = "workflow.request"
# Attributes every LogRecord has; anything else on a record came from `extra=` and is output.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record: the current request's id, or "-" outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, then
    the fields given with `extra=`, then the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def unattributed(view: F) -> F:
    """The access log names neither the person nor the address of this view's requests (the
    ballot page: a line "person 12 posted at 10:41" beside the order ballots were counted in
    would say who voted how)."""
    view._unattributed = True  # type: ignore[attr-defined]
    return view


TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stdout` is at the time, so redirections (and test capture) work."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class AppFormatter(logging.Formatter):
    """Formats a line the way the application it was logged in asks for; outside any application,
    the way the application configured last asks. (One process normally holds one application;
    tests hold several with different formats.)"""

    def __init__(self) -> None:
        super().__init__()
        self.default: logging.Formatter = logging.Formatter(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        formatter = self.default
        if has_app_context():
            formatter = current_app.extensions.get("kpi_log_formatter", formatter)
        return formatter.format(record)


_handler: StdoutHandler | None = None


def configure(app: Flask) -> logging.Handler:
    """Send the root logger to standard output in the application's format. Idempotent: another
    application in the same process adds its format, not a second handler."""
    global _handler
    settings = app.config["KPI"]
    if _handler is None:
        _handler = StdoutHandler()
        _handler.addFilter(RequestIdFilter())
        _handler.setFormatter(AppFormatter())
        logging.getLogger().addHandler(_handler)
    formatter = JsonFormatter() if log_format(settings) == "json" else logging.Formatter(TEXT_FORMAT)
    app.extensions["kpi_log_formatter"] = formatter
    _handler.formatter.default = formatter  # type: ignore[union-attr]
    logging.getLogger().setLevel(settings["log_level"])
    # fontTools reports each table of each font it subsets for a PDF, a dozen INFO lines per
    # sheet that tell an operator nothing; its warnings and errors still come through.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    return _handler


def _signed_in_person_id() -> int | None:
    # Only a person already loaded by this request: looking one up here would cost a query on
    # requests that never needed one (health checks, static files).
    user = g.get("_login_user")
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def init_app(app: Flask) -> None:
    """Configure logging and write the access log. Installed before the other request hooks, so
    its after_request runs last and logs the response actually sent."""
    configure(app)
    access = logging.getLogger(REQUEST_LOGGER)

    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("request_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        person_id, address = _signed_in_person_id(), request.remote_addr
        view = current_app.view_functions.get(request.endpoint or "")
        if getattr(view, "_unattributed", False):
            person_id = address = None
        access.log(
            level,
            "%s %s %s %s ms person=%s from %s",
            request.method,
            request.path,
            response.status_code,
            duration,
            person_id,
            address,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration,
                "person_id": person_id,
                "remote_addr": address,
            },
        )
        return response
