"""Reading units and groups for lists: one statement for the page whatever its size, plus one for
the heads of the units on it. Shared by the admin pages and the API."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, with_expression

from workflow.accounts.models import Person, Role, RoleGrant
from workflow.extensions import db
from workflow.units.models import Unit, UnitGroup


def units(*, group_id: int | None = None, q: str | None = None, active: bool | None = None) -> Select[tuple[Unit]]:
    stmt = select(Unit).options(joinedload(Unit.group), joinedload(Unit.parent), joinedload(Unit.staff_officer))
    if group_id is not None:
        stmt = stmt.where(Unit.group_id == group_id)
    if active is not None:
        stmt = stmt.where(Unit.active.is_(active))
    if q:
        q = q.strip()[:100]
        stmt = stmt.where(or_(Unit.name.icontains(q, autoescape=True), Unit.code.icontains(q, autoescape=True)))
    return stmt.order_by(Unit.code)


def attach_heads(items: Sequence[Unit]) -> Sequence[Unit]:
    """Set `unit.head` on each unit, in one statement."""
    ids = [u.id for u in items]
    heads: dict[int, Person] = {}
    if ids:
        rows = db.session.execute(
            select(RoleGrant.unit_id, Person)
            .join(Person, RoleGrant.person_id == Person.id)
            .where(RoleGrant.role == Role.HEAD, RoleGrant.unit_id.in_(ids))
        )
        heads = {unit_id: person for unit_id, person in rows}
    for unit in items:
        unit.head = heads.get(unit.id)
    return items


def groups(q: str | None = None) -> Select[tuple[UnitGroup]]:
    count = select(func.count(Unit.id)).where(Unit.group_id == UnitGroup.id).correlate(UnitGroup).scalar_subquery()
    stmt = select(UnitGroup).options(with_expression(UnitGroup.unit_count, count))
    if q:
        q = q.strip()[:100]
        stmt = stmt.where(or_(UnitGroup.name.icontains(q, autoescape=True), UnitGroup.code.icontains(q, autoescape=True)))
    return stmt.order_by(UnitGroup.position, UnitGroup.code)


# Choices for the selects of forms: (value, label) pairs.


def group_choices() -> list[tuple[int, str]]:
    return [(g.id, g.name) for g in db.session.scalars(select(UnitGroup).order_by(UnitGroup.position, UnitGroup.code))]


def unit_choices(*, exclude_id: int | None = None) -> list[tuple[int, str]]:
    """Units to pick from (a parent, a person's unit, a head's unit); deactivated ones say so."""
    stmt = select(Unit.id, Unit.code, Unit.name, Unit.active).order_by(Unit.code)
    if exclude_id is not None:
        stmt = stmt.where(Unit.id != exclude_id)
    inactive = gettext("deactivated")
    return [(i, f"{code} — {name}" + ("" if active else f" ({inactive})")) for i, code, name, active in db.session.execute(stmt)]


def staff_choices() -> list[tuple[int, str]]:
    stmt = (
        select(Person.id, Person.full_name, Person.username)
        .where(Person.active.is_(True), Person.roles.any(RoleGrant.role == Role.STAFF))
        .order_by(Person.full_name)
    )
    return [(i, f"{name} ({username})") for i, name, username in db.session.execute(stmt)]
