"""Reads for the self-scoring pages and the API: a collective's year, the months waiting for a
person's recognition. A fixed number of statements each."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from workflow.accounts.models import Person, Role
from workflow.cycles.models import Cycle, CycleState
from workflow.cycles.operations import current_cycle
from workflow.extensions import db
from workflow.framework.models import Subject, SubjectKind, Track
from workflow.selfscoring.models import CollectiveSelfScore, SelfScoreState
from workflow.selfscoring.standing import COLLECTIVES
from workflow.units.models import Unit


def collective_of(unit_id: int) -> Subject | None:
    """The unit's collective subject in the collectives track."""
    return db.session.scalar(select(Subject).join(Track, Subject.track_id == Track.id).where(
        Track.code == COLLECTIVES, Subject.unit_id == unit_id, Subject.kind == SubjectKind.COLLECTIVE))


def collectives_led_by(person: Person) -> list[Subject]:
    """The collectives whose months this person self-scores (the units they head)."""
    if not person.head_unit_ids:
        return []
    return list(db.session.scalars(select(Subject).join(Track, Subject.track_id == Track.id).join(Unit, Subject.unit_id == Unit.id)
                                   .where(Track.code == COLLECTIVES, Subject.kind == SubjectKind.COLLECTIVE, Subject.active.is_(True),
                                          Subject.unit_id.in_(person.head_unit_ids))
                                   .options(joinedload(Subject.unit)).order_by(Unit.name)))


def months_of(subject: Subject, cycle: Cycle) -> dict[int, CollectiveSelfScore]:
    rows = db.session.scalars(select(CollectiveSelfScore).where(CollectiveSelfScore.subject_id == subject.id,
                                                                CollectiveSelfScore.cycle_id == cycle.id)
                              .options(joinedload(CollectiveSelfScore.submitted_by), joinedload(CollectiveSelfScore.reviewed_by)))
    return {r.month: r for r in rows}


def waiting_for(person: Person, cycle: Cycle | None = None) -> list[CollectiveSelfScore]:
    """The submitted months this person recognises: of the units directly under the units they
    head, and — for a member of the standing committee — of the units with no parent; never of a
    unit they head."""
    scope = []
    if person.head_unit_ids:
        scope.append(Unit.parent_id.in_(person.head_unit_ids))
    if person.has_role(Role.COMMITTEE):
        scope.append(Unit.parent_id.is_(None))
    if not scope:
        return []
    stmt = (select(CollectiveSelfScore).join(Subject, CollectiveSelfScore.subject_id == Subject.id).join(Unit, Subject.unit_id == Unit.id)
            .where(CollectiveSelfScore.state == SelfScoreState.SUBMITTED, or_(*scope), Unit.id.not_in(person.head_unit_ids or {-1}))
            .options(joinedload(CollectiveSelfScore.subject).joinedload(Subject.unit), joinedload(CollectiveSelfScore.cycle),
                     joinedload(CollectiveSelfScore.submitted_by))
            .order_by(CollectiveSelfScore.submitted_at, CollectiveSelfScore.id))
    if cycle is not None:
        stmt = stmt.where(CollectiveSelfScore.cycle_id == cycle.id)
    return list(db.session.scalars(stmt))


def month_payload(number: int, row: CollectiveSelfScore | None, label: Any) -> dict[str, Any]:
    """A month as the API shows it (a month not started has no row)."""
    return {
        "id": row.id if row else None, "month": number, "state": row.state.value if row else None, "state_label": str(label),
        "points": row.points if row else None, "note": row.note if row else "",
        "submitted_at": row.submitted_at if row else None, "submitted_by": row.submitted_by if row else None,
        "reviewed_at": row.reviewed_at if row else None, "reviewed_by": row.reviewed_by if row else None,
        "returned_reason": row.returned_reason if row else "", "version": row.version if row else None,
    }


def cycle_of_today(today: date) -> Cycle | None:
    """The cycle whose months are being self-scored now: the year holding today, unless it is
    closed; else the newest cycle not closed (a province that has not yet made this year's)."""
    this_year = db.session.scalar(select(Cycle).where(Cycle.year == today.year, Cycle.state != CycleState.CLOSED))
    return this_year if this_year is not None else current_cycle()


def cycle_of_year(year: int) -> Cycle:
    from flask_babel import gettext

    from workflow.core.errors import NotFound

    cycle = db.session.scalar(select(Cycle).where(Cycle.year == year))
    if cycle is None:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    return cycle


def collective_for(unit_id: int | None, actor: Any) -> Subject:
    """The unit's collective, for a page or an API call of `actor` (who must be allowed to read it)."""
    from flask_babel import gettext

    from workflow import policy
    from workflow.core.errors import NotFound
    from workflow.core.web import get_or_404

    unit = get_or_404(Unit, unit_id)
    subject = collective_of(unit.id)
    if subject is None:
        raise NotFound(gettext("This unit is not evaluated as a collective."))
    policy.require(actor, "selfscoring.view", subject)
    return subject
