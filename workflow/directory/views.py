"""Administrators' pages: upload the personnel office's file, read its preview (what would be
created, changed, moved or deactivated, and every row in error), then apply it or discard it;
and the two steps of signing in with the province's OpenID Connect provider."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.exceptions import NotFound

from workflow import policy
from workflow.accounts import operations as accounts
from workflow.accounts.views import sign_in
from workflow.core.auth import public
from workflow.core.errors import DomainError
from workflow.core.pagination import paginate
from workflow.core.web import get_or_404, page_args
from workflow.directory import oidc, operations, queries
from workflow.directory.models import DirectoryImport, ImportState
from workflow.directory.reading import COLUMNS, join_csv

bp = Blueprint("directory", __name__, url_prefix="/admin/directory")


@bp.get("")
def index():
    policy.require(current_user, "directory.import")
    page = paginate(queries.imports(), *page_args())
    return render_template("directory/index.html", page=page, columns=COLUMNS, problem=None), 200


@bp.post("")
def upload():
    policy.require(current_user, "directory.import")
    files = [f for f in request.files.getlist("file") if f.filename]
    try:
        if not files:
            raise operations.ImportRefused(gettext("Choose the file to import."))
        contents = [f.read() for f in files]
        kind = operations.kind_of(contents)
        content = contents[0] if kind == "xlsx" else join_csv(contents)
        batch = operations.preview(content, kind=kind, filename=", ".join(f.filename for f in files), actor=current_user)
    except DomainError as exc:
        page = paginate(queries.imports(), *page_args())
        return render_template("directory/index.html", page=page, columns=COLUMNS, problem=exc.message), exc.status_code
    return redirect(url_for("directory.show", import_id=batch.id))


@bp.get("/<int:import_id>")
def show(import_id: int):
    policy.require(current_user, "directory.import")
    batch = get_or_404(DirectoryImport, import_id)
    return render_template("directory/preview.html", batch=batch, p=batch.preview, problem=None, open=batch.state == ImportState.PREVIEWED)


@bp.post("/<int:import_id>/apply")
def apply(import_id: int):
    policy.require(current_user, "directory.import")
    batch = get_or_404(DirectoryImport, import_id)
    try:
        operations.apply(batch, actor=current_user, valid_only=request.form.get("valid_only") == "1")
    except DomainError as exc:
        return render_template("directory/preview.html", batch=batch, p=batch.preview, problem=exc.message, open=True), exc.status_code
    flash(gettext("The import was applied."), "success")
    return redirect(url_for("directory.show", import_id=batch.id))


@bp.post("/<int:import_id>/discard")
def discard(import_id: int):
    policy.require(current_user, "directory.import")
    batch = get_or_404(DirectoryImport, import_id)
    try:
        operations.discard(batch, actor=current_user)
    except DomainError as exc:
        return render_template("directory/preview.html", batch=batch, p=batch.preview, problem=exc.message, open=False), exc.status_code
    flash(gettext("The import was discarded."), "info")
    return redirect(url_for("directory.index"))


# --- sign-in with the province's OpenID Connect provider ------------------------------------

signin = Blueprint("directory_signin", __name__)


@signin.get("/login/oidc")
@public
def oidc_start():
    settings = current_app.config["KPI"]
    if not oidc.enabled(settings):
        raise NotFound()
    try:
        url, saved = oidc.begin(settings)
    except oidc.SignInFailed as exc:
        current_app.logger.warning("OpenID sign-in could not start: %s", exc)
        flash(gettext("The province's sign-in service cannot be reached. Try again later, or sign in with your password."), "danger")
        return redirect(url_for("accounts.login"))
    session["oidc"] = saved
    return redirect(url)


@signin.get(oidc.CALLBACK)
@public
def oidc_callback():
    settings = current_app.config["KPI"]
    if not oidc.enabled(settings):
        raise NotFound()
    try:
        person = oidc.finish(settings, session.pop("oidc", None), request.args)
    except oidc.SignInFailed as exc:
        current_app.logger.warning("OpenID sign-in refused: %s", exc)
        person = None
    if person is None:
        accounts.sign_in_refused("openid", via="oidc")
        flash(gettext("The province's sign-in service did not let you in here: your account is not among the officials "
                      "imported into this service, or it is deactivated."), "danger")
        return redirect(url_for("accounts.login"))
    accounts.signed_in(person, via="oidc")
    sign_in(person)
    return redirect(url_for("dashboard.index"))
