"""Admin pages for unit groups and units: lists with filters, create, edit, deactivate, delete."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from workflow import policy
from workflow.admin.views import FormOutcome, bp, submit
from workflow.core.inputs import whole_number
from workflow.core.pagination import paginate
from workflow.core.web import form_version, get_or_404, page_args
from workflow.units import operations, queries
from workflow.units.models import Unit, UnitGroup
from workflow.units.schemas import UnitGroupInputSchema, UnitInputSchema

ACTIVE_FILTERS = {"": None, "1": True, "0": False}


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return whole_number(raw)


# --- groups ----------------------------------------------------------------------------------


@bp.get("/unit-groups")
def groups():
    policy.require(current_user, "admin.units.manage")
    q = request.args.get("q", "").strip()[:100]
    page = paginate(queries.groups(q), *page_args())
    return render_template("admin/groups.html", page=page, q=q)


def _group_form(group: UnitGroup | None, outcome: FormOutcome, values: Any):
    return (
        render_template("admin/group_form.html", group=group, errors=outcome.errors, outcome=outcome, values=values),
        outcome.status,
    )


@bp.route("/unit-groups/new", methods=["GET", "POST"])
def group_new():
    policy.require(current_user, "admin.units.manage")
    if request.method == "GET":
        return _group_form(None, FormOutcome(), {"position": 0})
    created: list[UnitGroup] = []
    outcome = submit(UnitGroupInputSchema(), lambda data: created.append(operations.create_group(actor=current_user, **data)))
    if not outcome.ok:
        return _group_form(None, outcome, request.form)
    flash(gettext("The group “%(name)s” was created.", name=created[0].name), "success")
    return redirect(url_for("admin.groups"))


@bp.route("/unit-groups/<int:group_id>", methods=["GET", "POST"])
def group_edit(group_id: int):
    policy.require(current_user, "admin.units.manage")
    group = get_or_404(UnitGroup, group_id)
    if request.method == "GET":
        return _group_form(group, FormOutcome(), {"code": group.code, "name": group.name, "position": group.position})
    outcome = submit(
        UnitGroupInputSchema(),
        lambda data: operations.update_group(group, actor=current_user, version=form_version(), **data),
    )
    if not outcome.ok:
        return _group_form(group, outcome, request.form)
    flash(gettext("The group “%(name)s” was saved.", name=group.name), "success")
    return redirect(url_for("admin.groups"))


@bp.post("/unit-groups/<int:group_id>/delete")
def group_delete(group_id: int):
    policy.require(current_user, "admin.units.manage")
    group = get_or_404(UnitGroup, group_id)
    name = group.name
    outcome = submit(None, lambda _: operations.delete_group(group, actor=current_user))
    if not outcome.ok:
        return _group_form(group, outcome, {"code": group.code, "name": group.name, "position": group.position})
    flash(gettext("The group “%(name)s” was deleted.", name=name), "success")
    return redirect(url_for("admin.groups"))


# --- units -----------------------------------------------------------------------------------


@bp.get("/units")
def units():
    policy.require(current_user, "admin.units.manage")
    filters = {
        "group_id": _int_arg("group_id"),
        "q": request.args.get("q", "").strip()[:100],
        "active": request.args.get("active", "") if request.args.get("active", "") in ACTIVE_FILTERS else "",
    }
    stmt = queries.units(group_id=filters["group_id"], q=filters["q"], active=ACTIVE_FILTERS[filters["active"]])
    page = paginate(stmt, *page_args())
    queries.attach_heads(page.items)
    return render_template("admin/units.html", page=page, filters=filters, group_options=queries.group_choices())


def _unit_values(unit: Unit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "group_id": unit.group_id,
        "parent_id": unit.parent_id,
        "staff_officer_id": unit.staff_officer_id,
        "active": unit.active,
    }


def _unit_form(unit: Unit | None, outcome: FormOutcome, values: Any):
    if unit is not None:
        queries.attach_heads([unit])
    return (
        render_template(
            "admin/unit_form.html",
            unit=unit,
            outcome=outcome,
            errors=outcome.errors,
            values=values,
            group_options=queries.group_choices(),
            parent_options=queries.unit_choices(exclude_id=unit.id if unit else None),
            officer_options=queries.staff_choices(),
        ),
        outcome.status,
    )


@bp.route("/units/new", methods=["GET", "POST"])
def unit_new():
    policy.require(current_user, "admin.units.manage")
    if request.method == "GET":
        return _unit_form(None, FormOutcome(), {"active": True, "group_id": _int_arg("group_id")})
    created: list[Unit] = []
    outcome = submit(UnitInputSchema(), lambda data: created.append(operations.create_unit(actor=current_user, **data)))
    if not outcome.ok:
        return _unit_form(None, outcome, request.form)
    flash(gettext("The unit “%(name)s” was created.", name=created[0].name), "success")
    return redirect(url_for("admin.units"))


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def unit_edit(unit_id: int):
    policy.require(current_user, "admin.units.manage")
    unit = get_or_404(Unit, unit_id)
    if request.method == "GET":
        return _unit_form(unit, FormOutcome(), _unit_values(unit))
    outcome = submit(
        UnitInputSchema(),
        lambda data: operations.update_unit(unit, actor=current_user, version=form_version(), **data),
    )
    if not outcome.ok:
        return _unit_form(unit, outcome, request.form)
    flash(gettext("The unit “%(name)s” was saved.", name=unit.name), "success")
    return redirect(url_for("admin.unit_edit", unit_id=unit.id))


@bp.post("/units/<int:unit_id>/delete")
def unit_delete(unit_id: int):
    policy.require(current_user, "admin.units.manage")
    unit = get_or_404(Unit, unit_id)
    name = unit.name
    outcome = submit(None, lambda _: operations.delete_unit(unit, actor=current_user))
    if not outcome.ok:
        return _unit_form(unit, outcome, _unit_values(unit))
    flash(gettext("The unit “%(name)s” was deleted.", name=name), "success")
    return redirect(url_for("admin.units"))
