"""Read-side queries of registrations: what a person may see, list filters, counts for the
dashboard. Each runs a fixed number of statements whatever the number of rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, false, func, or_, select, true
from sqlalchemy.orm import contains_eager, joinedload

from workflow.accounts.models import Person, Role
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework.models import Track
from workflow.framework.rules import HEADS
from workflow.targets.models import Amendment, AmendmentState, Comment, Proposal, ProposalState, Registration, RegistrationState, Revision, Target
from workflow.units.models import Unit


# What a list row reads of each target: weights, counts and what the warnings look at.
LIST_TARGET_COLUMNS = (
    Target.id, Target.registration_id, Target.position, Target.kind, Target.title, Target.weight, Target.dropped, Target.is_focal,
    Target.is_bottleneck, Target.baseline, Target.target_value, Target.direction, Target.plan_q1, Target.plan_q2, Target.plan_q3,
    Target.plan_q4, Target.previous_target_id,
)


def seen_by(person: Person, *, council_sees: Any) -> Any:
    """SQL condition on a query joined to Registration, as the policy reads the year's papers:
    staff, committee and admins see everything, heads what belongs to the units they lead, and
    council members what `council_sees` admits."""
    roles = person.role_set
    if roles & {Role.STAFF, Role.COMMITTEE, Role.ADMIN}:
        return true()
    conditions = []
    if person.head_unit_ids:
        conditions.append(Registration.unit_id.in_(person.head_unit_ids))
    if Role.COUNCIL in roles:
        conditions.append(council_sees)
    return or_(*conditions) if conditions else false()


def visible_to(person: Person) -> Any:
    """SQL condition: the registrations `person` may see (the policy's `registration.view`)."""
    return seen_by(person, council_sees=Registration.state == RegistrationState.ASSIGNED)


def _conditions(person: Person, filters: dict[str, Any]) -> tuple[list[Any], bool]:
    """The WHERE clauses of a list of registrations, and whether they read the unit."""
    conditions = [visible_to(person)]
    if filters.get("cycle_id"):
        conditions.append(Registration.cycle_id == filters["cycle_id"])
    if filters.get("state"):
        conditions.append(Registration.state == filters["state"])
    if filters.get("group_id"):
        conditions.append(Unit.group_id == filters["group_id"])
    if filters.get("q"):
        conditions.append(Unit.name.ilike(f"%{_escape_like(filters['q'])}%", escape="\\"))
    if filters.get("mine"):
        conditions.append(Unit.staff_officer_id == person.id)
    return conditions, any(filters.get(k) for k in ("group_id", "q", "mine"))


def registrations(person: Person, filters: dict[str, Any]) -> Select[Any]:
    """Registrations `person` may see, filtered, with what a list row shows loaded eagerly.

    By year, group and unit name; a unit has one registration a year, so the unit's id breaks
    ties. Within one cycle the year is left out, so that the database reads the page in the
    order of the index on (group, name, id) instead of sorting the province. Of its head a row
    needs the name (not the roles); its cycle is one the session mostly holds already (the
    current one), and its targets come from `list_targets`.
    """
    conditions, _ = _conditions(person, filters)
    stmt = (
        select(Registration)
        .join(Unit, Registration.unit_id == Unit.id)
        .where(*conditions)
        .options(contains_eager(Registration.unit).joinedload(Unit.group), joinedload(Registration.head).lazyload(Person.roles))
    )
    if filters.get("cycle_id"):
        return stmt.order_by(Unit.group_id, Unit.name, Unit.id)
    return stmt.join(Cycle, Registration.cycle_id == Cycle.id).order_by(Cycle.year.desc(), Unit.group_id, Unit.name, Unit.id)


def registration_count(person: Person, filters: dict[str, Any]) -> Select[Any]:
    """How many `registrations(person, filters)` there are: without the joins the filters do
    not need, an index-only count on PostgreSQL."""
    conditions, on_unit = _conditions(person, filters)
    stmt = select(func.count()).select_from(Registration)
    if on_unit:
        stmt = stmt.join(Unit, Registration.unit_id == Unit.id)
    return stmt.where(*conditions)


def list_targets(registration_ids: Sequence[int]) -> dict[int, list[Any]]:
    """The targets of a page of registrations, by registration, as plain rows of
    LIST_TARGET_COLUMNS: one statement, and none of the ORM's bookkeeping per target, which
    costs a list page more than the database does."""
    found: dict[int, list[Any]] = {r: [] for r in registration_ids}
    if registration_ids:
        stmt = select(*LIST_TARGET_COLUMNS).where(Target.registration_id.in_(registration_ids)).order_by(Target.registration_id, Target.position)
        for row in db.session.execute(stmt):
            found[row.registration_id].append(row)
    return found


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
    """The head's registration of the unit in the cycle (the heads track's)."""
    heads = select(Track.id).where(Track.code == HEADS).scalar_subquery()
    return db.session.scalar(select(Registration).where(Registration.cycle_id == cycle_id, Registration.unit_id == unit_id,
                                                        Registration.track_id == heads))


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
