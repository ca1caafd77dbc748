"""Citizens' ratings as evidence (`@source("ratings")`): what the year's ratings say about each
plan's subject, for the rubric to use.

For a person: `ratings.count` (how many ratings named them in the cycle's year), and, only when
there are at least `min_ratings` of them (the cycle's `[ratings]`), `ratings.satisfied_share`
(percent rất hài lòng or hài lòng); one `ratings.unjustified_case` per case whose manager found
their handling unjustified. For a collective: `ratings.unit_count` and
`ratings.unit_satisfied_share` of its unit, with no minimum. One statement (the three questions
joined by UNION ALL, given the year and the minimum of the cycle's snapshot) whatever the number
of plans, over the months kept beside the ratings (`workflow.ratings.months`), so that a province's
millions of ratings are never counted again; no level is decided here — the rubric's
`[[evidence]]` does that.

`for_subjects` gives the same facts keyed by subject, for the tracks whose year has no plan of
targets (the civil servants' months, `workflow.monthly.year`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import Integer, Select, String, and_, func, literal, null, select, union_all

from workflow.core import formats
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework.models import Subject
from workflow.framework.sources import source
from workflow.ratings import rules as rating_rules
from workflow.ratings.models import OfficialMonth, Rating, RatingCase, UnitMonth
from workflow.ratings.queries import share
from workflow.scoring.engine.evidence import Evidence
from workflow.targets.models import Registration


def _plans(cycle_id: int, registration_ids: Sequence[int] | None) -> Any:
    stmt = (select(Registration.id.label("plan"), Subject.person_id, Subject.unit_id)
            .join(Subject, Subject.id == Registration.subject_id).where(Registration.cycle_id == cycle_id))
    if registration_ids is not None:
        stmt = stmt.where(Registration.id.in_(registration_ids))
    return stmt.subquery()


def _subjects(subject_ids: Sequence[int] | Select[Any]) -> Any:
    stmt = select(Subject.id.label("plan"), Subject.person_id, Subject.unit_id).where(Subject.id.in_(subject_ids))
    if isinstance(subject_ids, Select):
        return stmt.subquery()
    # LIMIT keeps SQLite from folding the list of ids into each join: it reads the subjects first,
    # then each one's months and cases by their indexes, instead of looking every month of the
    # province up in the list (a thousand officials took seconds).
    return stmt.limit(len(subject_ids)).subquery()


@source("ratings")
def satisfaction(cycle_id: int, registration_ids: Sequence[int] | None) -> dict[int, list[Evidence]]:
    return _facts(cycle_id, _plans(cycle_id, registration_ids))


def for_subjects(cycle_id: int, subject_ids: Sequence[int] | Select[Any]) -> dict[int, list[Evidence]]:
    """The same facts about subjects of a cycle, by subject (one statement): the subjects given
    by their ids, or by a statement selecting them (a whole track of a civil service, whose ids
    would make lists of hundreds of thousands)."""
    if not isinstance(subject_ids, Select) and not subject_ids:
        return {}
    return _facts(cycle_id, _subjects(subject_ids))


def _facts(cycle_id: int, plans: Any) -> dict[int, list[Evidence]]:
    # The cycle is in the session wherever evidence is asked for (no statement); its year and
    # minimum go into the statement as values, not read from its rules row by row.
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None:
        return {}
    year, minimum = cycle.year, int(rating_rules.of_cycle(cycle)["min_ratings"])
    first, last = year * 100 + 1, year * 100 + 12
    cases = (select(literal("case", String).label("what"), plans.c.plan, literal(1, Integer).label("total"), literal(0, Integer).label("satisfied"),
                    Rating.dossier, Rating.rated_at, RatingCase.id.label("case_id"))
             .join(RatingCase, RatingCase.official_id == plans.c.person_id).join(Rating, Rating.id == RatingCase.rating_id)
             .where(Rating.month.between(first, last), RatingCase.justified.is_(False)))

    def counts(what: str, model: Any, join_on: Any) -> Any:
        # The months kept beside the ratings (workflow.ratings.months), never the ratings.
        return (select(literal(what, String), plans.c.plan, func.sum(model.total), func.sum(model.satisfied), null(), null(), null())
                .join(model, and_(join_on, model.month.between(first, last))).group_by(plans.c.plan))

    people = counts("person", OfficialMonth, and_(OfficialMonth.official_id == plans.c.person_id, plans.c.person_id.is_not(None)))
    units = counts("unit", UnitMonth, and_(UnitMonth.unit_id == plans.c.unit_id, plans.c.person_id.is_(None)))
    found: dict[int, list[Evidence]] = {}
    unjustified: list[tuple[Any, ...]] = []
    for what, plan, total, satisfied, dossier, rated_at, case_id in db.session.execute(union_all(cases, people, units)):
        if what == "case":
            unjustified.append((rated_at, case_id, plan, dossier))
            continue
        total, satisfied = int(total), int(satisfied or 0)
        origin = gettext("%(satisfied)s of %(total)s ratings at the counter satisfied, %(year)s", satisfied=satisfied, total=total, year=year)
        prefix = "ratings." if what == "person" else "ratings.unit_"
        facts = found.setdefault(plan, [])
        facts.insert(0, Evidence(f"{prefix}count", Decimal(total), origin, ref=f"ratings:{year}"))
        if what == "unit" or total >= minimum:
            facts.insert(1, Evidence(f"{prefix}satisfied_share", share(satisfied, total) or Decimal(0), origin, ref=f"ratings:{year}"))
    # The words once, then each case's dossier and local day (a province has thousands).
    words = gettext("Dossier %(dossier)s, %(day)s: not satisfied, handling found unjustified") if unjustified else ""
    for rated_at, case_id, plan, dossier in sorted(unjustified, key=lambda row: (row[0], row[1])):
        origin = words % {"dossier": dossier, "day": formats.day(rated_at)}
        found.setdefault(plan, []).append(Evidence("ratings.unjustified_case", Decimal(1), origin, ref=f"rating_case:{case_id}"))
    return found
