"""Admin pages for people: the list, a new account with a temporary password, and one page per
person for the profile, the roles and the account's state (deactivate, reactivate, reset the
password, sign out everywhere)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from workflow import policy
from workflow.accounts import operations, queries
from workflow.accounts.models import ROLE_LABELS, Person, Role, RoleGrant
from workflow.accounts.schemas import PasswordResetSchema, PersonCreateSchema, PersonProfileSchema, RoleGrantCreateSchema
from workflow.admin.views import FormOutcome, bp, submit
from workflow.core.errors import NotFound
from workflow.core.i18n import LOCALES
from workflow.core.inputs import whole_number
from workflow.core.pagination import paginate
from workflow.core.web import form_version, get_or_404, page_args
from workflow.extensions import db
from workflow.units.queries import unit_choices

ACTIVE_FILTERS = {"": None, "1": True, "0": False}


@bp.get("/people")
def people():
    policy.require(current_user, "admin.accounts.manage")
    unit_raw = request.args.get("unit_id", "")
    filters = {
        "role": request.args.get("role", "") if request.args.get("role", "") in {r.value for r in Role} else "",
        "unit_id": whole_number(unit_raw),
        "active": request.args.get("active", "") if request.args.get("active", "") in ACTIVE_FILTERS else "",
        "q": request.args.get("q", "").strip()[:100],
    }
    stmt = queries.people(role=filters["role"] or None, unit_id=filters["unit_id"], active=ACTIVE_FILTERS[filters["active"]], q=filters["q"])
    page = paginate(stmt, *page_args())
    return render_template("admin/people.html", page=page, filters=filters, unit_options=unit_choices())


@bp.route("/people/new", methods=["GET", "POST"])
def person_new():
    policy.require(current_user, "admin.accounts.manage")
    outcome, values = FormOutcome(), {"locale": "vi"}
    if request.method == "POST":
        created: list[Person] = []
        outcome = submit(
            PersonCreateSchema(),
            lambda data: created.append(operations.create_person(actor=current_user, must_change_password=True, **data)),
        )
        if outcome.ok:
            flash(
                gettext("The account “%(username)s” was created. Give the person the temporary password; they will choose their own at the first sign-in.", username=created[0].username),
                "success",
            )
            return redirect(url_for("admin.person", person_id=created[0].id))
        values = {k: v for k, v in request.form.items() if k != "password"}
    page = render_template("admin/person_new.html", outcome=outcome, errors=outcome.errors, values=values, unit_options=unit_choices(), locales=LOCALES)
    return page, outcome.status


def _profile_values(person: Person) -> dict[str, Any]:
    return {k: getattr(person, k) for k in ("full_name", "email", "title", "unit_id", "locale")}


def _person_page(person: Person, outcome: FormOutcome | None = None, *, form: str = "", values: Any = None):
    """The person's page; `form` names the form that failed (its errors and input are shown)."""
    outcome = outcome or FormOutcome()
    return (
        render_template(
            "admin/person.html",
            person=person,
            outcome=outcome,
            failed_form=form,
            errors=outcome.errors,
            values=values if form == "profile" and values is not None else _profile_values(person),
            grant_values=values if form == "grant" and values is not None else {},
            unit_options=unit_choices(),
            locales=LOCALES,
            role_options=[(role.value, str(label)) for role, label in ROLE_LABELS.items()],
        ),
        outcome.status,
    )


def _load(person_id: int) -> Person:
    policy.require(current_user, "admin.accounts.manage")
    return get_or_404(Person, person_id)


@bp.get("/people/<int:person_id>")
def person(person_id: int):
    return _person_page(_load(person_id))


@bp.post("/people/<int:person_id>")
def person_update(person_id: int):
    person = _load(person_id)
    outcome = submit(
        PersonProfileSchema(),
        lambda data: operations.update_person(person, actor=current_user, version=form_version(), **data),
    )
    if not outcome.ok:
        return _person_page(person, outcome, form="profile", values=request.form)
    flash(gettext("The account “%(username)s” was saved.", username=person.username), "success")
    return redirect(url_for("admin.person", person_id=person.id))


def _action(person_id: int, apply, message: str, form: str):
    person = _load(person_id)
    outcome = submit(None, lambda _: apply(person))
    if not outcome.ok:
        return _person_page(person, outcome, form=form)
    flash(message % {"username": person.username}, "success")
    return redirect(url_for("admin.person", person_id=person.id))


@bp.post("/people/<int:person_id>/deactivate")
def person_deactivate(person_id: int):
    return _action(
        person_id,
        lambda p: operations.deactivate_person(p, actor=current_user),
        gettext("The account “%(username)s” was deactivated and signed out everywhere."),
        "account",
    )


@bp.post("/people/<int:person_id>/reactivate")
def person_reactivate(person_id: int):
    return _action(
        person_id, lambda p: operations.reactivate_person(p, actor=current_user), gettext("The account “%(username)s” was reactivated."), "account"
    )


@bp.post("/people/<int:person_id>/sign-out")
def person_sign_out(person_id: int):
    return _action(
        person_id,
        lambda p: operations.sign_out_everywhere(p, actor=current_user),
        gettext("“%(username)s” was signed out everywhere."),
        "account",
    )


@bp.post("/people/<int:person_id>/password")
def person_password(person_id: int):
    person = _load(person_id)
    outcome = submit(PasswordResetSchema(), lambda data: operations.set_password(person, data["password"], actor=current_user))
    if not outcome.ok:
        return _person_page(person, outcome, form="password")
    flash(
        gettext("A temporary password was set for “%(username)s”; they will choose their own at the next sign-in.", username=person.username),
        "success",
    )
    return redirect(url_for("admin.person", person_id=person.id))


@bp.post("/people/<int:person_id>/roles")
def person_grant(person_id: int):
    person = _load(person_id)

    def grant(data: dict[str, Any]) -> None:
        operations.grant_role(person, Role(data["role"]), actor=current_user, unit_id=data["unit_id"], replace_head=data["replace_head"])

    outcome = submit(RoleGrantCreateSchema(), grant)
    if not outcome.ok:
        return _person_page(person, outcome, form="grant", values=request.form)
    flash(gettext("The role was granted to “%(username)s”.", username=person.username), "success")
    return redirect(url_for("admin.person", person_id=person.id))


@bp.post("/people/<int:person_id>/roles/<int:grant_id>/revoke")
def person_revoke(person_id: int, grant_id: int):
    person = _load(person_id)
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or grant.person_id != person.id:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    outcome = submit(None, lambda _: operations.revoke_role(grant, actor=current_user))
    if not outcome.ok:
        return _person_page(person, outcome, form="roles")
    flash(gettext("The role was revoked from “%(username)s”.", username=person.username), "success")
    return redirect(url_for("admin.person", person_id=person.id))
