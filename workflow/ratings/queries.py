"""Read-only questions about ratings: the figures by unit or official and month (a constant
number of statements over the months kept beside the ratings (`workflow.ratings.months`), whatever
the number of ratings), the cases a person may see, and the counters of a unit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, func, literal, select
from sqlalchemy.orm import joinedload

from workflow.accounts.models import Person, Role
from workflow.extensions import db
from workflow.ratings.models import CaseState, Counter, OfficialMonth, RatingCase, UnitMonth
from workflow.units.models import Unit


def share(satisfied: int, total: int) -> Decimal | None:
    """The share satisfied (rất hài lòng or hài lòng), in percent with one decimal."""
    if not total:
        return None
    return (Decimal(satisfied) * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(slots=True)
class Figures:
    """Ratings, satisfied, and cases (opened, answered, unjustified) of one row, by month and
    for the year."""

    months: dict[int, list[int]] = field(default_factory=dict)  # month 1–12 (0: the whole year) → [ratings, satisfied]
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


def _figures(rows: Iterable[Any]) -> dict[Any, Figures]:
    out: dict[Any, Figures] = {}
    for ident, month, total, satisfied, opened, answered, unjustified in rows:
        figures = out.get(ident)
        if figures is None:
            figures = out[ident] = Figures()
        counts = figures.months.setdefault(month % 100, [0, 0])
        counts[0] += int(total)
        counts[1] += int(satisfied)
        figures.cases = [figures.cases[0] + int(opened), figures.cases[1] + int(answered), figures.cases[2] + int(unjustified)]
    return out


def _month_rows(model: Any, ident: Any, year: int, unit_ids: Iterable[int] | None, *, by_month: bool = True) -> Any:
    counts = (model.total, model.satisfied, model.cases, model.answered, model.unjustified)
    if by_month:
        stmt = select(ident, model.month, *counts)
    else:  # the year's sums, one row each, under month 0
        stmt = select(ident, literal(0), *(func.sum(c) for c in counts)).group_by(ident)
    stmt = stmt.where(model.month.between(year * 100 + 1, year * 100 + 12))
    if unit_ids is not None:
        stmt = stmt.where(model.unit_id.in_(list(unit_ids)))
    return db.session.execute(stmt)


def by_unit(year: int, *, unit_ids: Iterable[int] | None = None, by_month: bool = True) -> dict[int, Figures]:
    """{unit id: Figures} for `year`, from the months kept (one statement); without `by_month`,
    only the year's sums (under month 0), for a province's ranking of hundreds of units."""
    return _figures(_month_rows(UnitMonth, UnitMonth.unit_id, year, unit_ids, by_month=by_month))


def by_official(year: int, *, unit_ids: Iterable[int], units: Mapping[int, Figures] | None = None) -> dict[int | None, Figures]:
    """{official id: Figures} for `year` at the counters of `unit_ids`, from the months kept; the
    ratings given with nobody on duty under None (the units' figures by month, `units` when the
    caller has them, less the officials'). One or two statements."""
    unit_ids = list(unit_ids)
    out: dict[int | None, Figures] = _figures(_month_rows(OfficialMonth, OfficialMonth.official_id, year, unit_ids))
    nobody = Figures()
    for figures in (units if units is not None else by_unit(year, unit_ids=unit_ids)).values():
        for month, (total, satisfied) in figures.months.items():
            counts = nobody.months.setdefault(month, [0, 0])
            counts[0] += total
            counts[1] += satisfied
        nobody.cases = [a + b for a, b in zip(nobody.cases, figures.cases, strict=True)]
    for figures in out.values():
        for month, (total, satisfied) in figures.months.items():
            nobody.months[month][0] -= total
            nobody.months[month][1] -= satisfied
        nobody.cases = [a - b for a, b in zip(nobody.cases, figures.cases, strict=True)]
    nobody.months = {m: c for m, c in nobody.months.items() if c[0]}
    if nobody.months:
        out[None] = nobody
    return out


def readable_units(actor: Any) -> list[Any]:
    """The units whose figures `actor` may read, in order: their id and name only (rows, not
    objects: a province lists hundreds)."""
    stmt = select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.name)
    if not (actor.role_set & {Role.STAFF, Role.COMMITTEE, Role.ADMIN}):
        stmt = stmt.where(Unit.id.in_(actor.head_unit_ids or {0}))
    return list(db.session.execute(stmt))


def people(ids: Iterable[int | None]) -> dict[int, Person]:
    wanted = [i for i in ids if i is not None]
    return {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(wanted)))} if wanted else {}


def cases_for(actor: Any, *, state: CaseState | None = CaseState.OPEN, limit: int = 200) -> list[RatingCase]:
    """The cases `actor` may see (heads: their units' and their own; staff and administrators:
    all), earliest due first."""
    # With their rating, unit and official: one statement, not three more per case.
    stmt = (select(RatingCase).options(joinedload(RatingCase.rating), joinedload(RatingCase.unit), joinedload(RatingCase.official))
            .order_by(RatingCase.due_on, RatingCase.id).limit(limit))
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
