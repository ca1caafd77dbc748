"""The JSON API under /api/v1: flask-smorest set-up, the bearer token header, ETags, and the
documentation page served from vendored Swagger UI (sign-in and CSRF: `workflow.core.auth`).

Each domain package defines its own `flask_smorest.Blueprint` in its `api.py`; `register`
mounts it. A view has exactly one success response; everything else is a DomainError or an
HTTP error rendered by `workflow.core.web.error_response`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import Flask, render_template, request
from flask_smorest import Blueprint

from workflow.core.concurrency import etag_for
from workflow.extensions import api

API_PREFIX = "/api/v1"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

docs = FlaskBlueprint("api_docs", __name__)


@docs.get(f"{API_PREFIX}/docs")
def api_docs() -> str:
    # Public like the OpenAPI document it renders; every endpoint it lists still needs a token.
    return render_template("api/docs.html")


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def init_app(app: Flask) -> None:
    app.config.update(
        API_TITLE="KPI Workflow",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        # Flask-WTF: checked in `workflow.core.auth` once the request's person is known.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # the session's own lifetime bounds the token
    )
    from workflow.core import openapi

    api.init_app(
        app,
        spec_kwargs={
            **openapi.install(api),
            "info": {
                "description": (
                    "Targets, quarterly reports, council scoring and decisions. "
                    "Authenticate with a personal token: `Authorization: Bearer kpi_…` "
                    "(create one on your account page or with `kpi token create`). "
                    "Edits carry the version they were based on: send the ETag you received "
                    "as `If-Match`; a stale write is refused with 412. "
                    "Decimal numbers travel as text (\"1234.5\"), so that no digit is lost; "
                    "requests may send them as JSON numbers too. Every error has one shape (`Error`)."
                )
            },
            "security": [{"bearerAuth": []}],
        },
    )
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    openapi.after_init(api)
    app.register_blueprint(docs)


def register(blueprint: Blueprint) -> None:
    api.register_blueprint(blueprint)


def with_etag(body: Any, obj: Any) -> tuple[Any, dict[str, str]]:
    """A success body with the object's ETag, for clients to send back as If-Match."""
    return body, {"ETag": etag_for(obj)}
