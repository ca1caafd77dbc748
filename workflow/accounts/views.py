"""Sign-in, sign-out, language and the person's own account page (password, API tokens)."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from workflow.accounts import operations
from workflow.accounts.models import ROLE_LABELS, ApiToken
from workflow.accounts.passwords import verify_password
from workflow.accounts.schemas import LocaleSchema, LoginSchema, PasswordChangeSchema, TokenCreateSchema
from workflow.core import audit
from workflow.core.api import bearer_token
from workflow.core.auth import PUBLIC_ENDPOINTS, public
from workflow.core.errors import NotFound, PermissionDenied, ValidationFailed
from workflow.core.security import start_session
from workflow.core.web import error_response, is_api_request, load_form, safe_next
from workflow.extensions import db, limiter

bp = Blueprint("accounts", __name__)


@bp.context_processor
def labels() -> dict[str, object]:
    return {"ROLE_LABELS": ROLE_LABELS}


def _login_failed() -> bool:
    return bool(g.get("login_failed"))


def _account_key() -> str:
    return "login-account:" + request.form.get("username", "").strip().lower()[:64]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["KPI"]["login_limit_per_address"],
    methods=["POST"],
    deduct_when=lambda response: _login_failed(),
    scope="login-address",
)
@limiter.limit(
    lambda: current_app.config["KPI"]["login_limit_per_account"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=lambda response: _login_failed(),
    scope="login-account",
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    errors: dict[str, list[str]] = {}
    values = {"username": request.values.get("username", ""), "next": request.values.get("next", "")}
    if request.method == "POST":
        try:
            data = load_form(LoginSchema())
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            person = operations.authenticate(data["username"], data["password"])
            if person is None:
                g.login_failed = True
                errors = {"password": [gettext("The username or password is not correct.")]}
            else:
                login_user(person)
                start_session()
                session.pop("locale", None)
                return redirect(safe_next(data.get("next"), url_for("dashboard.index")))
    return render_template("accounts/login.html", errors=errors, values=values, expired=g.get("session_expired"))


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        audit.record("account.logout", current_user, actor=current_user, summary=current_user.username)
    logout_user()
    session.clear()
    flash(gettext("You have signed out."), "info")
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


@bp.get("/account")
def account():
    return render_template("accounts/account.html", tokens=_tokens(), errors={}, values={}, new_token=None)


@bp.post("/account/tokens")
def create_token():
    try:
        data = load_form(TokenCreateSchema())
    except ValidationFailed as exc:
        return render_template("accounts/account.html", tokens=_tokens(), errors=exc.errors, values=request.form, new_token=None), 422
    token, secret = operations.create_token(current_user, data["name"], actor=current_user, expires_in_days=data["expires_in_days"])
    db.session.flush()
    # Rendered, not redirected: the secret must never travel through the session cookie.
    return render_template("accounts/account.html", tokens=_tokens(), errors={}, values={}, new_token=secret, new_token_name=token.name)


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
        return render_template("accounts/account.html", tokens=_tokens(), errors=exc.errors, values={}, new_token=None), 422
    # The epoch changed, so this session is signed in again with the new id.
    login_user(current_user._get_current_object())
    start_session()
    flash(gettext("Your password was changed. Other sessions were signed out."), "success")
    return redirect(url_for("accounts.account"))


# What a person whose password an administrator chose may still do before choosing their own.
_BEFORE_OWN_PASSWORD = {"accounts.account", "accounts.change_password", "accounts.logout", "accounts.set_locale"}


def init_app(app: Flask) -> None:
    @app.before_request
    def require_own_password():
        endpoint = request.endpoint
        if endpoint is None or endpoint in _BEFORE_OWN_PASSWORD or endpoint in PUBLIC_ENDPOINTS:
            return None
        view = current_app.view_functions.get(endpoint)
        if getattr(view, "_public", False) or (is_api_request() and bearer_token()):
            return None  # a token was made by its owner, after they chose their password
        if not (current_user.is_authenticated and current_user.must_change_password):
            return None
        if is_api_request():
            return error_response(PermissionDenied(gettext("Your password was set by an administrator. Choose your own password to continue.")))
        return redirect(url_for("accounts.account"))  # the page says why
