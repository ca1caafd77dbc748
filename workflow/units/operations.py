"""Changes to unit groups and units. Every function takes the acting person explicitly, checks
their permission (before the version they edited), what only the database can tell (a code already taken, a parent that would make a loop, a staff
officer without the staff role), writes the audit entry and leaves the commit to the caller.

A unit that anything refers to is deactivated, not deleted: deletion is for a unit created by
mistake, and the database's own foreign keys decide whether anything refers to it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workflow import policy
from workflow.accounts.models import Person, Role, RoleGrant
from workflow.core import audit
from workflow.core.concurrency import check_version
from workflow.core.errors import DomainError, ValidationFailed
from workflow.extensions import db
from workflow.units.models import Unit, UnitGroup

GROUP_FIELDS = ("code", "name", "position")
UNIT_FIELDS = ("code", "name", "group_id", "parent_id", "staff_officer_id", "active")


def normalise_code(code: str) -> str:
    return code.strip().upper()


def _code_taken(model: type[Unit] | type[UnitGroup], code: str, own_id: int | None) -> bool:
    stmt = select(model.id).where(model.code == code)
    if own_id is not None:
        stmt = stmt.where(model.id != own_id)
    return db.session.scalar(stmt.limit(1)) is not None


# --- unit groups -----------------------------------------------------------------------------


def _check_group(values: dict[str, Any], own_id: int | None) -> None:
    if "code" in values:
        values["code"] = normalise_code(values["code"])
        if _code_taken(UnitGroup, values["code"], own_id):
            raise ValidationFailed({"code": [gettext("Another group already has this code.")]})


def create_group(*, actor: Person, code: str, name: str, position: int = 0) -> UnitGroup:
    policy.require(actor, "admin.units.manage")
    values = {"code": code, "name": name, "position": position}
    _check_group(values, None)
    group = UnitGroup(**values)
    db.session.add(group)
    audit.record("unit_group.create", group, actor=actor, summary=f"{group.code} — {group.name}")
    return group


def update_group(group: UnitGroup, *, actor: Person, version: int | None, **values: Any) -> dict[str, list[Any]]:
    policy.require(actor, "admin.units.manage", group)
    check_version(group, version)
    values = {k: v for k, v in values.items() if k in GROUP_FIELDS}
    _check_group(values, group.id)
    changed = audit.apply_changes(group, values)
    if changed:
        audit.record("unit_group.update", group, actor=actor, summary=f"{group.code} — {group.name}", data={"changes": changed})
    return changed


def delete_group(group: UnitGroup, *, actor: Person) -> None:
    policy.require(actor, "admin.units.manage", group)
    if db.session.scalar(select(func.count()).select_from(Unit).where(Unit.group_id == group.id)):
        raise DomainError(gettext("This group still has units. Move them to another group first."))
    summary = f"{group.code} — {group.name}"
    audit.record("unit_group.delete", group, actor=actor, summary=summary)
    db.session.delete(group)


# --- units -----------------------------------------------------------------------------------


def ancestor_ids(unit_id: int) -> set[int]:
    """The unit and every unit above it, in one statement (a recursive query that stops even
    if the data already held a loop)."""
    chain = select(Unit.id, Unit.parent_id).where(Unit.id == unit_id).cte("chain", recursive=True)
    chain = chain.union(select(Unit.id, Unit.parent_id).join(chain, Unit.id == chain.c.parent_id))
    return set(db.session.scalars(select(chain.c.id)))


def _check_unit(values: dict[str, Any], unit: Unit | None) -> None:
    own_id = unit.id if unit is not None else None
    errors: dict[str, list[str]] = {}
    if "code" in values:
        values["code"] = normalise_code(values["code"])
        if _code_taken(Unit, values["code"], own_id):
            errors["code"] = [gettext("Another unit already has this code.")]
    if "group_id" in values and db.session.get(UnitGroup, values["group_id"]) is None:
        errors["group_id"] = [gettext("Unknown unit group.")]
    parent_id = values.get("parent_id")
    if parent_id is not None:
        parent = db.session.get(Unit, parent_id)
        if parent is None:
            errors["parent_id"] = [gettext("Unknown unit.")]
        elif own_id is not None and own_id in ancestor_ids(parent_id):
            errors["parent_id"] = [gettext("A unit cannot be placed under itself or under one of its own subordinate units.")]
    officer_id = values.get("staff_officer_id")
    if officer_id is not None:
        officer = db.session.get(Person, officer_id)
        if officer is None:
            errors["staff_officer_id"] = [gettext("Unknown person.")]
        elif not officer.active or not officer.has_role(Role.STAFF):
            errors["staff_officer_id"] = [gettext("The staff officer must be an active person with the staff role.")]
    if errors:
        raise ValidationFailed(errors)


def create_unit(
    *,
    actor: Person,
    code: str,
    name: str,
    group_id: int,
    parent_id: int | None = None,
    staff_officer_id: int | None = None,
    active: bool = True,
) -> Unit:
    policy.require(actor, "admin.units.manage")
    values = {"code": code, "name": name, "group_id": group_id, "parent_id": parent_id, "staff_officer_id": staff_officer_id, "active": active}
    _check_unit(values, None)
    unit = Unit(**values)
    db.session.add(unit)
    audit.record("unit.create", unit, actor=actor, summary=f"{unit.code} — {unit.name}")
    return unit


def update_unit(unit: Unit, *, actor: Person, version: int | None, **values: Any) -> dict[str, list[Any]]:
    """Edit a unit (deactivating is `active=False`); returns the changes."""
    policy.require(actor, "admin.units.manage", unit)
    check_version(unit, version)
    values = {k: v for k, v in values.items() if k in UNIT_FIELDS}
    _check_unit(values, unit)
    changed = audit.apply_changes(unit, values)
    if changed:
        action = "unit.update"
        if set(changed) == {"active"}:
            action = "unit.activate" if unit.active else "unit.deactivate"
        audit.record(action, unit, actor=actor, summary=f"{unit.code} — {unit.name}", data={"changes": changed})
    return changed


def delete_unit(unit: Unit, *, actor: Person) -> None:
    """Delete a unit nothing refers to; otherwise refuse and suggest deactivating it."""
    policy.require(actor, "admin.units.manage", unit)
    summary, unit_id = f"{unit.code} — {unit.name}", unit.id
    try:
        with db.session.begin_nested():
            db.session.delete(unit)
            db.session.flush()
    except IntegrityError:
        raise DomainError(
            gettext("This unit is in use (people, roles, subordinate units or records refer to it). Deactivate it instead.")
        ) from None
    audit.record("unit.delete", actor=actor, object_type="unit", object_id=unit_id, summary=summary)


def current_heads(unit_ids: list[int]) -> dict[int, Person]:
    """The head of each of these units that has one, in one statement."""
    if not unit_ids:
        return {}
    rows = db.session.execute(
        select(RoleGrant.unit_id, Person).join(Person, RoleGrant.person_id == Person.id).where(
            RoleGrant.role == Role.HEAD, RoleGrant.unit_id.in_(unit_ids)
        )
    )
    return {unit_id: person for unit_id, person in rows}
