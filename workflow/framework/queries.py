"""Reading tracks, subjects and periods (no writes)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager

from workflow.extensions import db
from workflow.framework.models import Period, Subject, Track
from workflow.framework.rules import HEADS, tracks_of


def track(code: str) -> Track | None:
    return db.session.scalar(select(Track).where(Track.code == code))


def heads_track_id() -> int | None:
    return db.session.scalar(select(Track.id).where(Track.code == HEADS))


def tracks() -> list[Track]:
    return list(db.session.scalars(select(Track).order_by(Track.position, Track.code)))


def periods(cycle_id: int, track_id: int) -> list[Period]:
    return list(db.session.scalars(
        select(Period).where(Period.cycle_id == cycle_id, Period.track_id == track_id).order_by(Period.number)))


def period_count(cycle_id: int, track_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Period).where(Period.cycle_id == cycle_id, Period.track_id == track_id)) or 0


def period(cycle_id: int, track_id: int, number: int) -> Period | None:
    return db.session.scalar(select(Period).where(Period.cycle_id == cycle_id, Period.track_id == track_id, Period.number == number))


def subject(track_id: int, unit_id: int, person_id: int | None) -> Subject | None:
    person = Subject.person_id.is_(None) if person_id is None else Subject.person_id == person_id
    return db.session.scalar(select(Subject).where(Subject.track_id == track_id, Subject.unit_id == unit_id, person))


def subjects_of_person(person_id: int) -> list[Subject]:
    """Every track a person is a subject of (a director: heads and Party secretaries)."""
    return list(db.session.scalars(
        select(Subject).join(Track, Subject.track_id == Track.id).where(Subject.person_id == person_id)
        .order_by(Track.position, Track.code)))


def subject_counts() -> dict[int, int]:
    """Active subjects per track, in one statement."""
    rows = db.session.execute(select(Subject.track_id, func.count()).where(Subject.active.is_(True)).group_by(Subject.track_id))
    return {track_id: count for track_id, count in rows}


def period_counts(cycle_id: int) -> dict[int, int]:
    rows = db.session.execute(select(Period.track_id, func.count()).where(Period.cycle_id == cycle_id).group_by(Period.track_id))
    return {track_id: count for track_id, count in rows}


def subjects_stmt(track_id: int) -> Select[Any]:
    from workflow.accounts.models import Person
    from workflow.units.models import Unit

    return (select(Subject).join(Unit, Subject.unit_id == Unit.id).outerjoin(Person, Subject.person_id == Person.id)
            .options(contains_eager(Subject.unit), contains_eager(Subject.person))
            .where(Subject.track_id == track_id).order_by(Subject.active.desc(), Unit.group_id, Unit.name, Person.full_name, Subject.id))


def latest_rules() -> dict[str, Any]:
    """The rules of the latest cycle (what a new subject's title is checked against), or the
    rules file in force when there is no cycle yet."""
    from flask import current_app

    from workflow.cycles.models import Cycle
    from workflow.rules import load_rules

    rules = db.session.scalar(select(Cycle.rules).order_by(Cycle.year.desc()).limit(1))
    return rules or load_rules(current_app.config["KPI"]["rules_file"])


def overview(cycle: Any | None) -> list[Track]:
    """Every track with its rule (from `cycle`'s rules, else the latest's) and its number of
    active subjects, in three statements."""
    rules = tracks_of(cycle.rules if cycle is not None else latest_rules())
    counts = subject_counts()
    result = []
    for track in tracks():
        track.rule = rules.get(track.code, {})
        track.subject_total = counts.get(track.id, 0)
        result.append(track)
    return result
