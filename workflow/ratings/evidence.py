"""Citizens' ratings as evidence (`@source("ratings")`): what the year's ratings say about each
plan's subject, for the rubric to use.

For a person: `ratings.count` (how many ratings named them in the cycle's year), and, only when
there are at least `min_ratings` of them (the cycle's `[ratings]`), `ratings.satisfied_share`
(percent rất hài lòng or hài lòng); one `ratings.unjustified_case` per case whose manager found
their handling unjustified. For a collective: `ratings.unit_count` and
`ratings.unit_satisfied_share` of its unit, with no minimum. One statement (the three questions
joined by UNION ALL, the minimum read from the cycle's snapshot in it) whatever the number of
plans; no level is decided here — the rubric's `[[evidence]]` does that.

`for_subjects` gives the same facts keyed by subject, for the tracks whose year has no plan of
targets (the civil servants' months, `workflow.monthly.year`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from flask_babel import format_date, gettext
from sqlalchemy import Integer, String, and_, func, literal, null, select, union_all

from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework.models import Subject
from workflow.framework.sources import source
from workflow.ratings import rules as rating_rules
from workflow.ratings.models import Rating, RatingCase
from workflow.ratings.queries import satisfied_count, share
from workflow.scoring.engine.evidence import Evidence
from workflow.targets.models import Registration


def _plans(cycle_id: int, registration_ids: Sequence[int] | None) -> Any:
    minimum = func.coalesce(Cycle.rules[("ratings", "min_ratings")].as_integer(), rating_rules.defaults()["min_ratings"])
    stmt = (select(Registration.id.label("plan"), Subject.person_id, Subject.unit_id, Cycle.year, minimum.label("minimum"))
            .join(Subject, Subject.id == Registration.subject_id).join(Cycle, Cycle.id == Registration.cycle_id)
            .where(Registration.cycle_id == cycle_id))
    if registration_ids is not None:
        stmt = stmt.where(Registration.id.in_(registration_ids))
    return stmt.subquery()


def _subjects(cycle_id: int, subject_ids: Sequence[int]) -> Any:
    minimum = func.coalesce(Cycle.rules[("ratings", "min_ratings")].as_integer(), rating_rules.defaults()["min_ratings"])
    return (select(Subject.id.label("plan"), Subject.person_id, Subject.unit_id, Cycle.year, minimum.label("minimum"))
            .join(Cycle, Cycle.id == cycle_id).where(Subject.id.in_(subject_ids))).subquery()


@source("ratings")
def satisfaction(cycle_id: int, registration_ids: Sequence[int] | None) -> dict[int, list[Evidence]]:
    return _facts(_plans(cycle_id, registration_ids))


def for_subjects(cycle_id: int, subject_ids: Sequence[int]) -> dict[int, list[Evidence]]:
    """The same facts about subjects of a cycle, by subject (one statement)."""
    return _facts(_subjects(cycle_id, subject_ids)) if subject_ids else {}


def _facts(plans: Any) -> dict[int, list[Evidence]]:
    in_year = Rating.month.between(plans.c.year * 100 + 1, plans.c.year * 100 + 12)
    cases = (select(literal("case", String).label("what"), plans.c.plan, literal(1, Integer).label("total"), literal(0, Integer).label("satisfied"),
                    plans.c.year, plans.c.minimum, Rating.dossier, Rating.rated_at, RatingCase.id.label("case_id"))
             .join(RatingCase, RatingCase.official_id == plans.c.person_id).join(Rating, Rating.id == RatingCase.rating_id)
             .where(in_year, RatingCase.justified.is_(False)))

    def counts(what: str, join_on: Any) -> Any:
        return (select(literal(what, String), plans.c.plan, func.count(), satisfied_count(), plans.c.year, plans.c.minimum, null(), null(), null())
                .join(Rating, join_on).where(in_year).group_by(plans.c.plan, plans.c.year, plans.c.minimum))

    people = counts("person", and_(Rating.official_id == plans.c.person_id, plans.c.person_id.is_not(None)))
    units = counts("unit", and_(Rating.unit_id == plans.c.unit_id, plans.c.person_id.is_(None)))
    found: dict[int, list[Evidence]] = {}
    unjustified: list[tuple[Any, ...]] = []
    for what, plan, total, satisfied, year, minimum, dossier, rated_at, case_id in db.session.execute(union_all(cases, people, units)):
        if what == "case":
            unjustified.append((rated_at, case_id, plan, dossier))
            continue
        satisfied = int(satisfied or 0)
        origin = gettext("%(satisfied)s of %(total)s ratings at the counter satisfied, %(year)s", satisfied=satisfied, total=total, year=year)
        prefix = "ratings." if what == "person" else "ratings.unit_"
        facts = found.setdefault(plan, [])
        facts.insert(0, Evidence(f"{prefix}count", Decimal(total), origin, ref=f"ratings:{year}"))
        if what == "unit" or total >= minimum:
            facts.insert(1, Evidence(f"{prefix}satisfied_share", share(satisfied, total) or Decimal(0), origin, ref=f"ratings:{year}"))
    for rated_at, case_id, plan, dossier in sorted(unjustified, key=lambda row: (row[0], row[1])):
        origin = gettext("Dossier %(dossier)s, %(day)s: not satisfied, handling found unjustified", dossier=dossier,
                         day=format_date(rated_at.date(), "dd/MM/yyyy"))
        found.setdefault(plan, []).append(Evidence("ratings.unjustified_case", Decimal(1), origin, ref=f"rating_case:{case_id}"))
    return found
