"""Sign-in, sign-out, language and the person's own account page (password, API tokens)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import format_time, gettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from workflow.accounts import operations, sessions, throttle
from workflow.accounts.models import ROLE_LABELS, ApiToken
from workflow.accounts.passwords import verify_password
from workflow.accounts.schemas import LocaleSchema, LoginSchema, PasswordChangeSchema, TokenCreateSchema
from workflow.core import audit
from workflow.core.auth import PUBLIC_ENDPOINTS, authenticated_by_token, public
from workflow.core.errors import NotFound, PermissionDenied, ValidationFailed
from workflow.core.models import utcnow
from workflow.core.security import start_session
from workflow.core.web import error_response, is_api_request, load_form, safe_next
from workflow.extensions import db

bp = Blueprint("accounts", __name__)


def sign_in(person) -> None:
    """Open a new server-side session for `person` in this browser."""
    sessions.begin(person)
    login_user(person)
    start_session()


@bp.context_processor
def labels() -> dict[str, object]:
    return {"ROLE_LABELS": ROLE_LABELS}


def _end_this_session() -> None:
    logout_user()
    session.clear()


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    errors: dict[str, list[str]] = {}
    values = {"username": request.values.get("username", ""), "next": request.values.get("next", "")}
    status = 200
    headers: dict[str, str] = {}
    if request.method == "POST":
        try:
            data = load_form(LoginSchema())
            attempt = throttle.check(data["username"], request.remote_addr or "")
            person = operations.authenticate(data["username"], data["password"])
            throttle.record(attempt, succeeded=person is not None)
        except ValidationFailed as exc:
            errors = exc.errors
        except throttle.Throttled as exc:
            until = format_time(utcnow() + timedelta(seconds=exc.retry_after), "HH:mm")
            errors = {"password": [gettext("Too many failed sign-ins. Try again after %(time)s.", time=until)]}
            status, headers = 429, {"Retry-After": str(exc.retry_after)}
        else:
            if person is None:
                errors = {"password": [gettext("The username or password is not correct.")]}
            else:
                sign_in(person)
                session.pop("locale", None)
                return redirect(safe_next(data.get("next"), url_for("dashboard.index")))
    page = render_template("accounts/login.html", errors=errors, values=values, expired=g.get("session_expired"))
    return page, status, headers


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        audit.record("account.logout", current_user, actor=current_user, summary=current_user.username)
        sessions.end(current_user.session_key)
    _end_this_session()
    flash(gettext("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.post("/account/sign-out-everywhere")
def sign_out_everywhere():
    operations.sign_out_everywhere(current_user, actor=current_user)
    _end_this_session()
    flash(gettext("You were signed out of every browser."), "info")
    return redirect(url_for("accounts.login"))


@bp.post("/locale")
@public
def set_locale():
    try:
        data = load_form(LocaleSchema())
    except ValidationFailed:
        return redirect(url_for("dashboard.index"))
    if current_user.is_authenticated:
        operations.set_locale(current_user, data["locale"], actor=current_user)
    else:
        session["locale"] = data["locale"]
    return redirect(safe_next(data.get("next"), url_for("dashboard.index")))


def _tokens():
    return db.session.scalars(
        select(ApiToken).where(ApiToken.person_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()


def _account_page(*, errors=None, values=None, status: int = 200, new_token=None, **extra):
    page = render_template(
        "accounts/account.html", tokens=_tokens(), sign_ins=sessions.of(current_user), is_current=sessions.is_current, browser_name=sessions.browser_name,
        errors=errors or {}, values=values or {}, new_token=new_token, **extra,
    )
    return page, status


@bp.get("/account")
def account():
    return _account_page()


@bp.post("/account/tokens")
def create_token():
    try:
        data = load_form(TokenCreateSchema())
    except ValidationFailed as exc:
        return _account_page(errors=exc.errors, values=request.form, status=422)
    token, secret = operations.create_token(current_user, data["name"], actor=current_user, expires_in_days=data["expires_in_days"])
    db.session.flush()
    # Rendered, not redirected: the secret must never travel through the session cookie.
    return _account_page(new_token=secret, new_token_name=token.name)


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.person_id != current_user.id:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    operations.revoke_token(token, actor=current_user)
    flash(gettext("The token “%(name)s” was revoked.", name=token.name), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/password")
def change_password():
    try:
        data = load_form(PasswordChangeSchema())
        if not verify_password(current_user.password_hash, data["current_password"]):
            raise ValidationFailed({"current_password": [gettext("This is not your current password.")]})
        try:
            operations.set_password(current_user, data["new_password"], actor=current_user)
        except ValidationFailed as exc:
            raise ValidationFailed({"new_password": exc.errors["password"]}) from None
    except ValidationFailed as exc:
        return _account_page(errors=exc.errors, status=422)
    # Every session of the person ended with the change; this browser gets a new one.
    sign_in(current_user._get_current_object())
    flash(gettext("Your password was changed. Other sessions were signed out."), "success")
    return redirect(url_for("accounts.account"))


# What a person whose password an administrator chose may still do before choosing their own.
_BEFORE_OWN_PASSWORD = {"accounts.account", "accounts.change_password", "accounts.logout", "accounts.sign_out_everywhere", "accounts.set_locale"}


def init_app(app: Flask) -> None:
    throttle.init_app(app)

    @app.before_request
    def require_own_password():
        endpoint = request.endpoint
        if endpoint is None or endpoint in _BEFORE_OWN_PASSWORD or endpoint in PUBLIC_ENDPOINTS:
            return None
        view = current_app.view_functions.get(endpoint)
        if getattr(view, "_public", False) or authenticated_by_token():
            return None  # a token was made by its owner, after they chose their password
        if not (current_user.is_authenticated and current_user.must_change_password):
            return None
        if is_api_request():
            return error_response(PermissionDenied(gettext("Your password was set by an administrator. Choose your own password to continue.")))
        return redirect(url_for("accounts.account"))  # the page says why
