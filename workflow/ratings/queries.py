"""Read-only questions about ratings: the figures by unit or official and month (a constant
number of GROUP BY statements, whatever the number of units and ratings, on the (unit, month)
and (official, month) indexes), the cases a person may see, and the counters of a unit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, case, func, select

from workflow.accounts.models import Person, Role
from workflow.extensions import db
from workflow.ratings.models import SATISFIED, CaseState, Counter, Rating, RatingCase
from workflow.units.models import Unit


def share(satisfied: int, total: int) -> Decimal | None:
    """The share satisfied (rất hài lòng or hài lòng), in percent with one decimal."""
    if not total:
        return None
    return (Decimal(satisfied) * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Figures:
    """Ratings, satisfied, and cases (opened, answered, unjustified) of one row, by month and
    for the year."""

    months: dict[int, list[int]] = field(default_factory=dict)  # month 1–12 → [ratings, satisfied]
    cases: list[int] = field(default_factory=lambda: [0, 0, 0])

    @property
    def total(self) -> int:
        return sum(m[0] for m in self.months.values())

    @property
    def satisfied(self) -> int:
        return sum(m[1] for m in self.months.values())

    @property
    def share(self) -> Decimal | None:
        return share(self.satisfied, self.total)

    def month_share(self, month: int) -> Decimal | None:
        counts = self.months.get(month)
        return share(counts[1], counts[0]) if counts else None


def satisfied_count() -> Any:
    return func.sum(case((Rating.verdict.in_([v.value for v in SATISFIED]), 1), else_=0))


def figures_by(column: Any, year: int, *, unit_ids: Iterable[int] | None = None) -> dict[int | None, Figures]:
    """{unit or official id: Figures} for `year`: two statements (ratings, cases)."""
    months = Rating.month.between(year * 100 + 1, year * 100 + 12)
    where = [months]
    if unit_ids is not None:
        where.append(Rating.unit_id.in_(list(unit_ids)))
    out: dict[int | None, Figures] = {}
    rows = db.session.execute(select(column, Rating.month, func.count(), satisfied_count()).where(*where).group_by(column, Rating.month))
    for ident, month, total, satisfied in rows:
        out.setdefault(ident, Figures()).months[month % 100] = [int(total), int(satisfied or 0)]
    case_column = RatingCase.unit_id if column is Rating.unit_id else RatingCase.official_id
    answered = func.sum(case((RatingCase.state == CaseState.ANSWERED.value, 1), else_=0))
    unjustified = func.sum(case((RatingCase.justified.is_(False), 1), else_=0))
    stmt = (select(case_column, func.count(), answered, unjustified).join(Rating, Rating.id == RatingCase.rating_id)
            .where(*where).group_by(case_column))
    for ident, opened, done, wrong in db.session.execute(stmt):
        out.setdefault(ident, Figures()).cases = [int(opened), int(done or 0), int(wrong or 0)]
    return out


def readable_units(actor: Any) -> list[Unit]:
    """The units whose figures `actor` may read, in order."""
    stmt = select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)
    if not (actor.role_set & {Role.STAFF, Role.COMMITTEE, Role.ADMIN}):
        stmt = stmt.where(Unit.id.in_(actor.head_unit_ids or {0}))
    return list(db.session.scalars(stmt))


def people(ids: Iterable[int | None]) -> dict[int, Person]:
    wanted = [i for i in ids if i is not None]
    return {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(wanted)))} if wanted else {}


def cases_for(actor: Any, *, state: CaseState | None = CaseState.OPEN, limit: int = 200) -> list[RatingCase]:
    """The cases `actor` may see (heads: their units' and their own; staff and administrators:
    all), earliest due first."""
    stmt = select(RatingCase).order_by(RatingCase.due_on, RatingCase.id).limit(limit)
    if state is not None:
        stmt = stmt.where(RatingCase.state == state)
    if not (actor.role_set & {Role.STAFF, Role.ADMIN}):
        stmt = stmt.where((RatingCase.unit_id.in_(actor.head_unit_ids or {0})) | (RatingCase.official_id == actor.id))
    return list(db.session.scalars(stmt))


def counters(unit_ids: Iterable[int] | None = None) -> list[Counter]:
    stmt = select(Counter).join(Unit, Unit.id == Counter.unit_id).order_by(Unit.name, Counter.name)
    if unit_ids is not None:
        stmt = stmt.where(Counter.unit_id.in_(list(unit_ids)))
    return list(db.session.scalars(stmt))


def unit_people(unit_id: int) -> list[Person]:
    """Who may be put on duty at a unit's counters: its active people."""
    return list(db.session.scalars(select(Person).where(and_(Person.unit_id == unit_id, Person.active.is_(True))).order_by(Person.full_name)))
