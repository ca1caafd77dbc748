"""Changes to tracks, subjects and periods. Each takes the acting person and checks the policy.

- `open_tracks`: a cycle's tracks and periods from its rules snapshot (when the cycle is made,
  and again if an administrator adds a track to the rules of an open cycle); idempotent;
- `subject_of`: the subject a plan belongs to, made on first use (a head registering);
- `add_subject`, `set_subject_active`: administrators place people and collectives in tracks.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from workflow import policy
from workflow.core import audit
from workflow.core.concurrency import check_version
from workflow.core.errors import ValidationFailed
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework import queries
from workflow.framework.models import Period, Subject, SubjectKind, Track
from workflow.framework.periods import spans
from workflow.framework.rules import HEADS, rubric_path, tracks_of
from workflow.scoring.rubric import RubricError, load_rubric


def track_row(code: str, rule: dict[str, Any]) -> Track:
    """The track `code`'s row, made from its rule when it has none yet."""
    track = queries.track(code)
    if track is None:
        track = Track(code=code, name_vi=rule["name"]["vi"], name_en=rule["name"]["en"], subject_kind=SubjectKind(rule["subjects"]),
                      position=rule.get("position", 0))
        db.session.add(track)
        db.session.flush()
    return track


def _ensure(cycle: Cycle, code: str, rule: dict[str, Any], existing: set[tuple[int, Any, int]] | None = None) -> tuple[Track, int]:
    track = track_row(code, rule)
    if existing is None:
        existing = {(p.track_id, p.kind, p.number) for p in db.session.scalars(
            select(Period).where(Period.cycle_id == cycle.id, Period.track_id == track.id))}
    new = [s for s in spans(cycle, rule) if (track.id, s.kind, s.number) not in existing]
    db.session.add_all(Period(cycle_id=cycle.id, track_id=track.id, kind=s.kind, number=s.number, starts_on=s.starts_on,
                              ends_on=s.ends_on, due_on=s.due_on) for s in new)
    if new:
        db.session.flush()
    return track, len(new)


def open_tracks(cycle: Cycle, *, actor: Any) -> list[Track]:
    """Give `cycle` the tracks its rules name, each with its periods. Tracks keep the identity
    they had in earlier cycles (by code); periods already made are left as they are."""
    policy.require(actor, "admin.cycles.manage", cycle)
    if cycle.id is None:
        db.session.flush()
    made = []
    existing = {(p.track_id, p.kind, p.number) for p in db.session.scalars(select(Period).where(Period.cycle_id == cycle.id))}
    for code, rule in tracks_of(cycle.rules).items():
        track, new = _ensure(cycle, code, rule, existing)
        made.append(track)
        if new:
            audit.record("cycle.periods_open", cycle, actor=actor, summary=f"{cycle.name}: {track.name_vi}",
                         data={"track": code, "periods": new})
    return made


def track_in(cycle: Cycle, code: str = HEADS) -> Track:
    """The track `code` of `cycle`, with its periods, for an operation that makes a plan or a
    report in it (and has checked its own permission). A cycle made before the track was in its
    rules gets it here."""
    track = queries.track(code)
    if track is not None and queries.period_count(cycle.id, track.id):
        return track
    rules = tracks_of(cycle.rules)
    if code not in rules:
        raise ValidationFailed({"track": [gettext("The cycle's rules have no track %(code)s.", code=code)]})
    return _ensure(cycle, code, rules[code])[0]


def period_of(cycle: Cycle, track: Track, number: int) -> Period:
    found = queries.period(cycle.id, track.id, number)
    if found is None:
        raise ValidationFailed({"period": [gettext("The track has no period %(number)s in this cycle.", number=number)]})
    return found


def subject_of(track: Track, *, unit_id: int, person_id: int | None, title: str = "") -> Subject:
    """The subject of `track` for that person (or the unit itself), made if it is new. Called by
    the operation that makes a plan, which has checked its own permission."""
    found = queries.subject(track.id, unit_id, person_id)
    if found is not None:
        return found
    subject = Subject(track=track, kind=SubjectKind.PERSON if person_id else SubjectKind.COLLECTIVE, unit_id=unit_id, person_id=person_id,
                      title=title)
    db.session.add(subject)
    db.session.flush()
    return subject


def _check_title(cycle_rules: dict[str, Any], track: Track, title: str) -> None:
    if not title:
        return
    try:
        load_rubric(rubric_path(cycle_rules, track.code)).sheet(title)
    except (RubricError, KeyError, LookupError):
        raise ValidationFailed({"title": [gettext("The track's rubric has no scoring sheet %(code)s.", code=title)]}) from None


def add_subject(track: Track, *, unit_id: int, person_id: int | None, title: str = "", rules: dict[str, Any], actor: Any) -> Subject:
    """Place a person (or, for a track of collectives, the unit) in a track, with the title whose
    scoring sheet applies. `rules` are the rules the title is checked against (a cycle's)."""
    policy.require(actor, "admin.units.manage")
    if (person_id is None) != (track.subject_kind == SubjectKind.COLLECTIVE):
        field = "person_id" if track.subject_kind == SubjectKind.PERSON else "unit_id"
        raise ValidationFailed({field: [gettext("This track evaluates persons: name the person.") if person_id is None
                                        else gettext("This track evaluates collectives: name the unit alone.")]})
    if queries.subject(track.id, unit_id, person_id) is not None:
        raise ValidationFailed({"unit_id": [gettext("Already a subject of this track.")]})
    _check_title(rules, track, title)
    subject = subject_of(track, unit_id=unit_id, person_id=person_id, title=title)
    audit.record("subject.create", subject, actor=actor, summary=track.name_vi, data={"track": track.code, "title": title})
    return subject


def set_subject_active(subject: Subject, active: bool, *, actor: Any, version: int | None) -> None:
    """Take a subject out of its track (its plans and results stay) or put it back."""
    policy.require(actor, "admin.units.manage")
    check_version(subject, version)
    if subject.active != active:
        subject.active = active
        audit.record("subject.activate" if active else "subject.deactivate", subject, actor=actor, summary=subject.track.name_vi)
