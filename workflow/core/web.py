"""Helpers for HTML views and the error pages and JSON errors of the whole application.

Views load, check and delegate: they read a form through the same marshmallow schema the API
uses (`load_form`), call an operation, and redirect. Every error, from a view or the API, ends
in `error_response`, so a user always gets a readable page or a JSON body of one shape:
{"code", "status", "message", "errors"}. A form a browser posted from one of our pages and that
was refused comes back on that page (`refused_form_page`), never on an error page.
"""

from __future__ import annotations

import io
import logging
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import gettext
from marshmallow import Schema, ValidationError, fields
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from workflow.core import formats
from workflow.core.concurrency import VersionMissing
from workflow.core.errors import DomainError, NotFound, StaleObject, ValidationFailed, flatten_errors
from workflow.core.inputs import whole_number
from workflow.core.pagination import clamp
from workflow.extensions import db

log = logging.getLogger(__name__)
M = TypeVar("M")


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def wants_json() -> bool:
    """A page's script asking in the background (autosave, an upload): it gets JSON, errors too."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _status_messages() -> dict[int, str]:
    return {
        400: gettext("The request could not be understood."),
        401: gettext("Please sign in."),
        403: gettext("You are not allowed to do this."),
        404: gettext("This page or item does not exist, or was removed."),
        405: gettext("This action cannot be done this way."),
        409: gettext("This conflicts with the current state of the item."),
        412: gettext("Someone else changed this meanwhile; reload it and try again."),
        413: gettext("The upload is too large."),
        415: gettext("This type of content is not accepted."),
        422: gettext("Please correct the highlighted fields."),
        428: gettext("Send the version you are editing (If-Match header or version field)."),
        429: gettext("Too many attempts. Please wait a few minutes and try again."),
        500: gettext("Something went wrong on our side. Your saved work is safe; please try again."),
    }


def error_response(error: DomainError | HTTPException, *, status: int | None = None) -> Response:
    if isinstance(error, DomainError):
        code = status or error.status_code
        message = error.message
        errors = getattr(error, "errors", None)
        if is_api_request() and isinstance(error, StaleObject) and status is None:
            # API clients edit with If-Match (or `version`): a stale one is a failed
            # precondition, a missing one a required precondition. Forms answer 409.
            code = 428 if isinstance(error, VersionMissing) else 412
            message = _status_messages()[428] if code == 428 else message
    else:
        code = status or error.code or 500
        message = _status_messages().get(code) or error.description or ""
        errors = None
        data = getattr(error, "data", None)  # webargs/flask-smorest put validation errors here
        if isinstance(data, dict) and "messages" in data:
            # A body that is not JSON at all comes as a bare list of messages.
            errors = {
                loc: flatten_errors(msgs) if isinstance(msgs, dict) else {"_schema": [str(m) for m in msgs]}
                for loc, msgs in data["messages"].items()
            }
    if is_api_request() or wants_json():
        body: dict[str, Any] = {"code": code, "status": HTTP_STATUS_CODES.get(code, ""), "message": message}
        if errors:
            # API clients read errors by location (as webargs gives them); a page's script by input name.
            body["errors"] = errors if isinstance(error, HTTPException) or not is_api_request() else {"json": errors}
        if isinstance(error, DomainError) and error.details:
            body["details"] = {k: v for k, v in error.details.items() if v is not None}
        response = jsonify(body)
    else:
        response = refused_form_page(code, message, errors) or Response(
            render_template("errors/error.html", code=code, message=message, errors=errors))
    response.status_code = code
    if isinstance(error, HTTPException) and code == 405 and error.valid_methods:  # type: ignore[attr-defined]
        response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    if code == 401 and is_api_request():
        response.headers["WWW-Authenticate"] = 'Bearer realm="kpi"'
    return response


# What a refused form never sends back to the page: secrets, and the form's own machinery.
_NOT_KEPT = ("csrf_token", "version")


def _asks_for_a_page() -> bool:
    """A browser submitting a form asks for HTML by name; a script's fetch asks for anything."""
    return any(mimetype in ("text/html", "application/xhtml+xml") for mimetype, _ in request.accept_mimetypes)


def _page_of_origin() -> str | None:
    """The page of this site the form was posted from (path and query), from the Referer."""
    referrer = request.referrer or ""
    root = request.root_url
    if not referrer.startswith(root):
        return None
    parts = urlsplit(referrer)
    path = "/" + parts.path[len(urlsplit(root).path):].lstrip("/")
    return path + (f"?{parts.query}" if parts.query else "")


def refused_form_page(code: int, message: str, errors: dict[str, Any] | None) -> Response | None:
    """A form of a page refused (a rule, a field, a stale version, no permission): the page it was
    posted from, shown again under the refusal's status, with the refusal's messages, which
    static/js/app.js puts beside the fields they concern, and everything the person typed put
    back into the form. One mechanism for every form; the API and scripts get their usual error.

    None when this is not a browser's form post, or when that page cannot be shown again (it is
    gone, or it needs what the refusal was about): the error page is shown instead.
    """
    if request.method != "POST" or code < 400 or code >= 500 or code in (401, 405) or not _asks_for_a_page():
        return None
    page = _page_of_origin()
    if page is None:
        return None
    db.session.rollback()  # nothing of the refused request is kept, and the page reads the database as it is
    path, _, query = page.partition("?")
    g.refused_form = {
        "action": request.full_path.rstrip("?"),
        "page": page,
        "message": message,
        "errors": flatten_errors(errors or {}),
        "values": {name: request.form.getlist(name) for name in request.form if name not in _NOT_KEPT and "password" not in name},
    }
    environ = dict(request.environ)
    environ.update({
        "REQUEST_METHOD": "GET",
        "PATH_INFO": unquote(path).encode("utf-8").decode("latin-1"),
        "QUERY_STRING": query,
        "CONTENT_LENGTH": "0",
        "CONTENT_TYPE": "",
        "wsgi.input": io.BytesIO(b""),
    })
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        with app.request_context(environ):
            response = app.make_response(app.dispatch_request())
    except Exception:  # the page itself refuses now (gone, not allowed): the error page says why
        log.info("the page of a refused form cannot be shown again: %s", page, exc_info=True)
        db.session.rollback()
        g.pop("refused_form", None)
        return None
    if response.status_code != 200 or response.mimetype != "text/html":
        g.pop("refused_form", None)
        return None
    response.status_code = code
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Response:
        if error.code is None:  # a RequestRedirect and the like
            return error  # type: ignore[return-value]
        return error_response(error)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return handle_http_error(error)
        # A concurrent edit caught at a flush inside an operation, before the request's commit.
        # Rolled back first: the failed flush left the session unusable, and the message's
        # language is read from the signed-in person through it.
        from workflow.core.transaction import is_commit_error, translate_commit_error

        if is_commit_error(error):
            db.session.rollback()
            return error_response(translate_commit_error(error))
        if current_app.testing and current_app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        log.exception("unhandled error")
        db.session.rollback()
        return error_response(HTTPException(), status=500)


def get_or_404(model: type[M], ident: Any) -> M:
    obj = db.session.get(model, ident)
    if obj is None:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    return obj


def one_or_404(stmt: Any) -> Any:
    obj = db.session.scalars(stmt).first()
    if obj is None:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    return obj


def form_data(schema: Schema, form: MultiDict[str, str] | None = None) -> dict[str, Any]:
    """What an HTML form sent, shaped for `schema`: empty inputs are absent (so a required field
    says so), unticked checkboxes are false, and repeated inputs become lists."""
    form = request.form if form is None else form
    data: dict[str, Any] = {}
    for name, field in schema.load_fields.items():
        key = field.data_key or name
        if isinstance(field, fields.Boolean):
            data[key] = key in form and form.get(key) not in ("", "0", "false", "off")
        elif isinstance(field, fields.List):
            values = [v for v in form.getlist(key) if v != ""]
            if values or key in form:
                data[key] = values
        elif key in form:
            value = form.get(key, "")
            if value.strip() != "" or isinstance(field, fields.String):
                data[key] = value
    return data


def load_form(schema: Schema, form: MultiDict[str, str] | None = None) -> dict[str, Any]:
    """Validate an HTML form with the API's schema; raises ValidationFailed with field errors.
    Numbers are read as a person writes them (`1.234,5`: `workflow.core.formats`)."""
    try:
        with formats.typed_by_person():
            return schema.load(form_data(schema, form))
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from None


def form_version() -> int | None:
    """The version a form was rendered from (its hidden `version` input), or None."""
    raw = request.form.get("version", "")
    return whole_number(raw)


def page_args(default_per_page: int | None = None) -> tuple[int, int]:
    per_page = default_per_page or current_app.config["KPI"]["per_page"]
    return clamp(request.args.get("page", 1), request.args.get("per_page", per_page), per_page)


def safe_next(target: str | None, fallback: str) -> str:
    """Only follow `next` to a path on this site (no open redirect)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def scalars(stmt: Any) -> list[Any]:
    return list(db.session.scalars(stmt))

