"""Who is asking: session sign-in for people, bearer tokens for API clients.

Everything requires a signed-in person unless its view is marked `@public`; a page redirects to
the sign-in form, the API answers 401.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from workflow.core.api import bearer_token
from workflow.core.errors import DomainError
from workflow.core.web import error_response, is_api_request
from workflow.extensions import db, login_manager

F = TypeVar("F", bound=Callable[..., Any])
PUBLIC_ENDPOINTS = {"static", "api-docs.openapi_json", "api_docs.api_docs"}


def public(view: F) -> F:
    view._public = True  # type: ignore[attr-defined]
    return view


class Unauthenticated(DomainError):
    status_code = 401


def init_app(app: Flask) -> None:
    from workflow.accounts.models import Person
    from workflow.accounts.operations import person_for_token

    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str) -> Person | None:
        ident, _, epoch = session_id.partition(":")
        if not ident.isdigit():
            return None
        person = db.session.get(Person, int(ident))
        if person is None or not person.active or str(person.auth_epoch) != epoch:
            return None
        return person

    @login_manager.request_loader
    def load_from_token(req: Any) -> Person | None:
        if not req.path.startswith("/api/"):
            return None
        token = bearer_token()
        return person_for_token(token) if token else None

    @login_manager.unauthorized_handler
    def unauthorized() -> Any:
        if is_api_request():
            return error_response(Unauthenticated(_l("Please sign in: send Authorization: Bearer <token>.")))
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def require_sign_in() -> Any:
        endpoint = request.endpoint
        if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
            return None
        view = current_app.view_functions.get(endpoint)
        if getattr(view, "_public", False) or current_user.is_authenticated:
            return None
        return login_manager.unauthorized()
