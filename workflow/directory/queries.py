"""Reading what the database holds of the organisation, in a fixed number of statements
whatever its size (an import compares 60,000 people at once), and the list of past imports."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Select, func, select

from workflow.accounts.models import Person, Role, RoleGrant
from workflow.directory.models import DirectoryImport, Position
from workflow.extensions import db
from workflow.framework.models import SubjectKind, Track
from workflow.framework.rules import rubric_path, tracks_of
from workflow.scoring.rubric import RubricError, load_rubric, resolve
from workflow.units.models import Unit, UnitGroup


class UnitRow(NamedTuple):
    id: int
    code: str
    name: str
    group_id: int
    parent_id: int | None
    active: bool


class PositionRow(NamedTuple):
    id: int
    code: str
    name: str
    track_id: int | None
    title: str
    leads_unit: bool
    active: bool


class PersonRow(NamedTuple):
    id: int
    personnel_code: str | None
    username: str
    full_name: str
    email: str
    title: str
    unit_id: int | None
    position_id: int | None
    manager_id: int | None
    started_on: date | None
    active: bool


@dataclass
class Snapshot:
    """The organisation as the database holds it, keyed the way the files refer to it."""

    groups: dict[str, int]
    units: dict[str, UnitRow]
    positions: dict[str, PositionRow]
    people: dict[str, PersonRow]  # by personnel code
    # People without a personnel code, by e-mail (only e-mails held by one such person): an
    # account made by hand that an import adopts.
    unclaimed: dict[str, PersonRow]
    usernames: set[str]
    # The tracks a position may name (the latest rules' tracks of persons) with their sheets.
    tracks: dict[str, set[str]]
    track_ids: dict[str, int]
    heads: dict[int, int]  # unit id → the person who heads it

    def unit_code(self, unit_id: int | None) -> str:
        return self.unit_codes.get(unit_id, "") if unit_id is not None else ""

    def __post_init__(self) -> None:
        self.group_codes = {i: code for code, i in self.groups.items()}
        self.unit_codes = {row.id: code for code, row in self.units.items()}
        self.position_codes = {row.id: code for code, row in self.positions.items()}
        self.person_codes = {row.id: code for code, row in self.people.items()}
        self.track_codes = {i: code for code, i in self.track_ids.items()}


@lru_cache(maxsize=32)
def _sheet_codes(path: str, modified: int) -> frozenset[str]:
    try:
        return frozenset(sheet.code for sheet in load_rubric(path).sheets)
    except RubricError:
        return frozenset()


def _modified(path: str) -> int:
    try:
        return resolve(path).stat().st_mtime_ns
    except OSError:
        return 0


def _person_tracks(rules: dict[str, Any]) -> dict[str, set[str]]:
    """The tracks of persons these rules name, with the sheets of each one's rubric (read once
    per version of the file: an import compares twice, and a rubric takes a while to check)."""
    found = {}
    for code, rule in tracks_of(rules).items():
        if rule.get("subjects") == SubjectKind.PERSON.value:
            path = rubric_path(rules, code)
            found[code] = set(_sheet_codes(path, _modified(path)))
    return found


@lru_cache(maxsize=8)
def _rules_file(path: str, modified: int) -> dict[str, Any]:
    from workflow.rules import load_rules

    return load_rules(path)


def _latest_rules() -> dict[str, Any]:
    """The latest cycle's rules, or the rules file's (read once per version of the file)."""
    from flask import current_app

    from workflow.cycles.models import Cycle

    rules = db.session.scalar(select(Cycle.rules).order_by(Cycle.year.desc()).limit(1))
    path = current_app.config["KPI"]["rules_file"]
    return rules or _rules_file(path, _modified(path))


def snapshot() -> Snapshot:
    people: dict[str, PersonRow] = {}
    by_email: dict[str, list[PersonRow]] = {}
    usernames = set()
    for row in db.session.execute(select(
            Person.id, Person.personnel_code, Person.username, Person.full_name, Person.email, Person.title, Person.unit_id,
            Person.position_id, Person.manager_id, Person.started_on, Person.active)):
        person = PersonRow(*row)
        usernames.add(person.username)
        if person.personnel_code:
            people[person.personnel_code] = person
        else:
            by_email.setdefault(person.email.strip().lower(), []).append(person)
    return Snapshot(
        groups=dict(db.session.execute(select(UnitGroup.code, UnitGroup.id)).all()),
        units={row.code: UnitRow(*row) for row in db.session.execute(
            select(Unit.id, Unit.code, Unit.name, Unit.group_id, Unit.parent_id, Unit.active))},
        positions={row.code: PositionRow(*row) for row in db.session.execute(select(
            Position.id, Position.code, Position.name, Position.track_id, Position.title, Position.leads_unit, Position.active))},
        people=people,
        unclaimed={email: rows[0] for email, rows in by_email.items() if len(rows) == 1 and email},
        usernames=usernames,
        tracks=_person_tracks(_latest_rules()),
        track_ids=dict(db.session.execute(select(Track.code, Track.id)).all()),
        heads=dict(db.session.execute(select(RoleGrant.unit_id, RoleGrant.person_id).where(RoleGrant.role == Role.HEAD)).all()),
    )


def person_for(code: str, email: str) -> Person | None:
    """The imported person a directory entry or an ID token is: by personnel code, else by
    e-mail when exactly one person has it."""
    if code:
        person = db.session.scalar(select(Person).where(Person.personnel_code == code))
        if person is not None:
            return person
    if email:
        found = db.session.scalars(select(Person).where(func.lower(Person.email) == email).limit(2)).all()
        if len(found) == 1:
            return found[0]
    return None


def imports() -> Select[Any]:
    return select(DirectoryImport).order_by(DirectoryImport.created_at.desc(), DirectoryImport.id.desc())
