"""The month's figures kept beside the ratings (`UnitMonth`, `OfficialMonth`), in the same
transaction as what changes them, so that the dashboards and the evidence never count millions
of ratings: each batch received adds its ratings, those satisfied and the cases opened (one
INSERT … ON CONFLICT DO UPDATE per table, whatever the batch); each answer adds to the cases
answered and found unjustified.

Rows are written in the order of their keys, units before officials, so that two batches for
the same counters wait for each other instead of deadlocking. `rebuild` counts everything again
from the ratings and cases (after a bulk load that bypassed `receive`, or to check the figures:
`kpi ratings-months --check`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import case, delete, func, insert, select, update

from workflow.core.database import conflict_insert
from workflow.extensions import db
from workflow.ratings.models import SATISFIED, CaseState, OfficialMonth, Rating, RatingCase, UnitMonth, Verdict

COUNTS = ("total", "satisfied", "cases", "answered", "unjustified")


def _upsert(model: type[UnitMonth] | type[OfficialMonth], keys: tuple[str, ...], added: Mapping[tuple[int, ...], list[int]]) -> None:
    if not added:
        return
    table = model.__table__
    rows = [{**dict(zip(keys, key, strict=True)), **dict(zip(COUNTS, counts, strict=True))} for key, counts in sorted(added.items())]
    stmt = conflict_insert(db.session, table).values(rows)
    db.session.execute(stmt.on_conflict_do_update(index_elements=list(keys),
                                                  set_={c: table.c[c] + stmt.excluded[c] for c in COUNTS if any(r[c] for r in rows)}))


def add_ratings(rows: Iterable[Mapping[str, Any]]) -> None:
    """Count ratings just stored (each: unit_id, official_id, month, verdict); every "không hài
    lòng" has opened a case. Two statements at most."""
    units: dict[tuple[int, ...], list[int]] = defaultdict(lambda: [0] * len(COUNTS))
    officials: dict[tuple[int, ...], list[int]] = defaultdict(lambda: [0] * len(COUNTS))
    for row in rows:
        satisfied = row["verdict"] in SATISFIED
        unhappy = row["verdict"] == Verdict.UNSATISFIED
        targets = [units[row["unit_id"], row["month"]]]
        if row["official_id"] is not None:
            targets.append(officials[row["official_id"], row["unit_id"], row["month"]])
        for counts in targets:
            counts[0] += 1
            counts[1] += satisfied
            counts[2] += unhappy
    _upsert(UnitMonth, ("unit_id", "month"), units)
    _upsert(OfficialMonth, ("official_id", "unit_id", "month"), officials)


def add_answer(rating: Rating, *, justified: bool) -> None:
    """Count a case answered, against the month and the people of its rating."""
    more = {"answered": UnitMonth.answered + 1, "unjustified": UnitMonth.unjustified + (0 if justified else 1)}
    db.session.execute(update(UnitMonth).where(UnitMonth.unit_id == rating.unit_id, UnitMonth.month == rating.month).values(more))
    if rating.official_id is not None:
        more = {"answered": OfficialMonth.answered + 1, "unjustified": OfficialMonth.unjustified + (0 if justified else 1)}
        db.session.execute(update(OfficialMonth).where(OfficialMonth.official_id == rating.official_id, OfficialMonth.unit_id == rating.unit_id,
                                                       OfficialMonth.month == rating.month).values(more))


def _counted(*keys: Any) -> Any:
    """The month's figures counted from the ratings and their cases, grouped by `keys`."""
    return (select(*keys, Rating.month, func.count(Rating.id),
                   func.sum(case((Rating.verdict.in_([v.value for v in SATISFIED]), 1), else_=0)), func.count(RatingCase.id),
                   func.sum(case((RatingCase.state == CaseState.ANSWERED.value, 1), else_=0)),
                   func.sum(case((RatingCase.justified.is_(False), 1), else_=0)))
            .outerjoin(RatingCase, RatingCase.rating_id == Rating.id).group_by(*keys, Rating.month))


def rebuild() -> None:
    """Count every month again from the ratings and cases (two INSERT … SELECT)."""
    db.session.execute(delete(OfficialMonth))
    db.session.execute(delete(UnitMonth))
    db.session.execute(insert(UnitMonth).from_select(["unit_id", "month", *COUNTS], _counted(Rating.unit_id)))
    db.session.execute(insert(OfficialMonth).from_select(["official_id", "unit_id", "month", *COUNTS],
                                                         _counted(Rating.official_id, Rating.unit_id).where(Rating.official_id.is_not(None))))


def differences() -> list[str]:
    """Where the kept figures differ from the ratings counted again (empty when they agree)."""
    found = []
    for model, keys in ((UnitMonth, (Rating.unit_id,)), (OfficialMonth, (Rating.official_id, Rating.unit_id))):
        counted = {tuple(row[:-5]): tuple(int(v or 0) for v in row[-5:])
                   for row in db.session.execute(_counted(*keys).where(keys[0].is_not(None)))}
        columns = [model.__table__.c[k.key] for k in keys]
        kept = {tuple(row[:-5]): tuple(row[-5:]) for row in db.session.execute(
            select(*columns, model.month, *(model.__table__.c[c] for c in COUNTS)))}
        for key in sorted(set(counted) | set(kept)):
            if counted.get(key, (0,) * 5) != kept.get(key, (0,) * 5):
                found.append(f"{model.__tablename__} {key}: kept {kept.get(key)}, counted {counted.get(key)}")
    return found
