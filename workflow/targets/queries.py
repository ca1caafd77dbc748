"""Read-side queries of registrations: what a person may see, list filters, counts for the
dashboard. Each runs a fixed number of statements whatever the number of rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, func, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from workflow.accounts.models import Person, Role
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.targets.models import Amendment, AmendmentState, Comment, Proposal, ProposalState, Registration, RegistrationState, Revision
from workflow.units.models import Unit


def visible_to(person: Person) -> Any:
    """SQL condition: the registrations `person` may see (the policy's `registration.view`)."""
    roles = person.role_set
    if roles & {Role.STAFF, Role.COMMITTEE, Role.ADMIN}:
        return true()
    conditions = []
    if person.head_unit_ids:
        conditions.append(Registration.unit_id.in_(person.head_unit_ids))
    if Role.COUNCIL in roles:
        conditions.append(Registration.state == RegistrationState.ASSIGNED)
    return or_(*conditions) if conditions else false()


def registrations(person: Person, filters: dict[str, Any]) -> Select[Any]:
    """Registrations `person` may see, filtered, with what a list row shows loaded eagerly."""
    stmt = (
        select(Registration)
        .join(Unit, Registration.unit_id == Unit.id)
        .join(Cycle, Registration.cycle_id == Cycle.id)
        .where(visible_to(person))
        .options(
            joinedload(Registration.unit).joinedload(Unit.group),
            joinedload(Registration.cycle),
            joinedload(Registration.head),
            selectinload(Registration.targets),
        )
        .order_by(Cycle.year.desc(), Unit.group_id, Unit.name, Registration.id)
    )
    if filters.get("cycle_id"):
        stmt = stmt.where(Registration.cycle_id == filters["cycle_id"])
    if filters.get("group_id"):
        stmt = stmt.where(Unit.group_id == filters["group_id"])
    if filters.get("state"):
        stmt = stmt.where(Registration.state == filters["state"])
    if filters.get("q"):
        stmt = stmt.where(Unit.name.ilike(f"%{_escape_like(filters['q'])}%", escape="\\"))
    if filters.get("mine"):
        stmt = stmt.where(Unit.staff_officer_id == person.id)
    return stmt


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def child_of(registration: Registration, model: type, ident: Any) -> Any:
    """A target, proposal, comment or amendment of `registration` by id, or 404 (also when
    the id belongs to another registration)."""
    from flask_babel import gettext

    from workflow.core.errors import NotFound

    obj = db.session.get(model, ident)
    if obj is None or obj.registration_id != registration.id:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    return obj


def registration_of(cycle_id: int, unit_id: int) -> Registration | None:
    return db.session.scalar(select(Registration).where(Registration.cycle_id == cycle_id, Registration.unit_id == unit_id))


def open_proposal_count(registration: Registration) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Proposal).where(Proposal.registration_id == registration.id, Proposal.state == ProposalState.OPEN)
    ) or 0


def state_counts(cycle_id: int) -> dict[RegistrationState, int]:
    stmt = select(Registration.state, func.count()).where(Registration.cycle_id == cycle_id).group_by(Registration.state)
    counts = {state: 0 for state in RegistrationState}
    counts.update({state: n for state, n in db.session.execute(stmt)})
    return counts


def open_proposals_total(cycle_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Proposal)
        .join(Registration, Proposal.registration_id == Registration.id)
        .where(Registration.cycle_id == cycle_id, Proposal.state == ProposalState.OPEN)
    ) or 0


def requested_amendments(limit: int = 10) -> tuple[list[Amendment], int]:
    base = select(Amendment).where(Amendment.state == AmendmentState.REQUESTED)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    items = list(
        db.session.scalars(
            base.options(joinedload(Amendment.registration).joinedload(Registration.unit), joinedload(Amendment.requested_by))
            .order_by(Amendment.created_at)
            .limit(limit)
        )
    )
    return items, total


def proposals(registration: Registration) -> Select[Any]:
    return (
        select(Proposal)
        .where(Proposal.registration_id == registration.id)
        .options(joinedload(Proposal.author), joinedload(Proposal.decided_by), joinedload(Proposal.target))
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
    )


def comments(registration: Registration) -> Select[Any]:
    return (
        select(Comment)
        .where(Comment.registration_id == registration.id)
        .options(joinedload(Comment.author), joinedload(Comment.target))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )


def amendments(registration: Registration) -> Select[Any]:
    return (
        select(Amendment)
        .where(Amendment.registration_id == registration.id)
        .options(joinedload(Amendment.requested_by), joinedload(Amendment.decided_by))
        .order_by(Amendment.created_at.desc(), Amendment.id.desc())
    )


def revisions(registration: Registration) -> Select[Any]:
    return (
        select(Revision)
        .where(Revision.registration_id == registration.id)
        .options(joinedload(Revision.actor))
        .order_by(Revision.number.desc())
    )
