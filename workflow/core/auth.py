"""Who is asking: session sign-in for people, bearer tokens for API clients, and CSRF.

Everything requires a signed-in person unless its view is marked `@public`; a page redirects to
the sign-in form, the API answers 401.

A request is authenticated one way only. An API request that carries `Authorization: Bearer`
is judged by its token alone, whatever cookie comes with it: a bad token is a 401 even beside a
valid session cookie. Anything else is judged by the session cookie, which names a server-side
session (`workflow.accounts.sessions`). Only a request authenticated by a valid token is exempt
from the CSRF check, since a cross-site page can make a browser send its cookie but cannot make
it send a token; the check runs after authentication, so an unauthenticated API request gets
401, not a CSRF error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from workflow.core.api import UNSAFE_METHODS, bearer_token
from workflow.core.errors import DomainError
from workflow.core.web import error_response, is_api_request
from workflow.extensions import csrf, login_manager

F = TypeVar("F", bound=Callable[..., Any])
PUBLIC_ENDPOINTS = {"static", "api-docs.openapi_json", "api_docs.api_docs"}


def public(view: F) -> F:
    view._public = True  # type: ignore[attr-defined]
    return view


def device_credential(view: F) -> F:
    """A view that a device calls with its own credential in `Authorization` (a rating kiosk,
    `workflow.ratings`), never with a person's cookie: it needs no sign-in, and no CSRF token,
    since a cross-site page can make a browser send a cookie but not this header. The view
    itself refuses (401) every request without a valid device credential."""
    view._public = True  # type: ignore[attr-defined]
    view._device_credential = True  # type: ignore[attr-defined]
    return view


def authenticated_by_token() -> bool:
    """Whether this request's person was recognised by a valid API token (not by a cookie)."""
    return bool(current_user.is_authenticated and g.get("authenticated_by_token"))


def _token_request() -> bool:
    return is_api_request() and bearer_token() is not None


class Unauthenticated(DomainError):
    status_code = 401


def init_app(app: Flask) -> None:
    from workflow.accounts import sessions
    from workflow.accounts.models import Person
    from workflow.accounts.operations import person_for_token

    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_key: str) -> Person | None:
        if _token_request():
            return None  # the token decides (request_loader below), not the cookie beside it
        return sessions.person_for(session_key)

    @login_manager.request_loader
    def load_from_token(req: Any) -> Person | None:
        if not _token_request():
            return None
        person = person_for_token(bearer_token() or "")
        g.authenticated_by_token = person is not None
        return person

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

    @app.before_request
    def protect_unsafe_requests() -> None:
        # After require_sign_in: who is asking is known. Forms need no CSRF token when the
        # configuration turns the check off (tests that post forms directly).
        # A request that matched no view (404, 405) changes nothing and is answered as such.
        if request.endpoint is None or request.method not in UNSAFE_METHODS or not current_app.config.get("WTF_CSRF_ENABLED", True):
            return
        if authenticated_by_token() or getattr(current_app.view_functions.get(request.endpoint), "_device_credential", False):
            return
        csrf.protect()
