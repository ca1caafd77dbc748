"""Reading people for lists: a fixed number of statements per page (the page, then the roles of
the people on it with their units). Shared by the admin pages and the API."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from workflow.accounts.models import Person, Role, RoleGrant
from workflow.extensions import db


def people(
    *, role: str | None = None, unit_id: int | None = None, active: bool | None = None, q: str | None = None
) -> Select[tuple[Person]]:
    stmt = select(Person).options(joinedload(Person.unit), selectinload(Person.roles).joinedload(RoleGrant.unit))
    if role:
        stmt = stmt.where(Person.roles.any(RoleGrant.role == Role(role)))
    if unit_id is not None:
        # The people of a unit: those who work there and the one who leads it.
        stmt = stmt.where(or_(Person.unit_id == unit_id, Person.roles.any((RoleGrant.role == Role.HEAD) & (RoleGrant.unit_id == unit_id))))
    if active is not None:
        stmt = stmt.where(Person.active.is_(active))
    if q:
        q = q.strip()[:100]
        stmt = stmt.where(
            or_(
                Person.full_name.icontains(q, autoescape=True),
                Person.username.icontains(q, autoescape=True),
                Person.email.icontains(q, autoescape=True),
            )
        )
    return stmt.order_by(Person.full_name, Person.id)


def heads_by_unit(unit_ids: Collection[int]) -> dict[int, list[Person]]:
    """The active heads of each of the units, in the order they were created (a unit with none
    reads as an empty list); one statement."""
    heads: dict[int, list[Person]] = defaultdict(list)
    if unit_ids:
        for unit_id, person in db.session.execute(
                select(RoleGrant.unit_id, Person).join(RoleGrant, RoleGrant.person_id == Person.id)
                .where(Person.active.is_(True), RoleGrant.role == Role.HEAD, RoleGrant.unit_id.in_(unit_ids)).order_by(Person.id)):
            heads[unit_id].append(person)
    return heads


def heads_of(unit_ids: Collection[int]) -> list[Person]:
    """The active heads of the units, each once, in the order they were created."""
    found = {p.id: p for people in heads_by_unit(unit_ids).values() for p in people}
    return [found[ident] for ident in sorted(found)]
