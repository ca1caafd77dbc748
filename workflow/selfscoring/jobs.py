"""The scheduler job of the monthly self-scoring of collectives (see `scheduler` for the
contract): `selfscoring.remind`. State-based, keyed, one transaction.

On the last two working days of each month of the cycle being self-scored (the cycle's own
calendar, as the monthly round's reminders):
- each active head of an active collective of a track with the rule (`self_scoring` in the
  rules), whose months so far are not all submitted or recognised, is told which are missing,
  and that a collective without `required_months` months recognised is not classified (the
  rule's citation) — the 12-month rule is lost one forgotten month at a time;
- each person who recognises months still waiting (the parent unit's head; the standing committee
  for a unit with no parent: `mail.recognisers`) is told which, so the collective's month is not
  lost on their desk.

Each message is keyed by the cycle, the month and the person (`event_key`), so a rerun or a
second scheduler sends nothing twice. Collectives are a province's party organisations and
agencies — hundreds, not a civil service — so the messages are queued one by one.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from scheduler import job
from workflow.accounts.models import Person
from workflow.accounts.queries import heads_by_unit
from workflow.calendar import WorkingCalendar, calendar_rules
from workflow.core import formats
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework.models import Subject, SubjectKind, Track
from workflow.framework.rules import tracks_of
from workflow.notifications.keys import event_key
from workflow.notifications.operations import notify
from workflow.selfscoring import mail
from workflow.selfscoring.models import CollectiveSelfScore, SelfScoreState
from workflow.selfscoring.queries import cycle_of_today
from workflow.units.models import Unit

DONE = (SelfScoreState.SUBMITTED, SelfScoreState.RECOGNISED)


def reminder_day(cal: WorkingCalendar, year: int, month: int) -> date:
    """The first of the month's last two working days."""
    return cal.last_working_days(date(year, month, calendar.monthrange(year, month)[1]))


@job("selfscoring.remind", order=36)
def remind(now: datetime) -> dict[str, int]:
    """Remind the collectives of the months not self-scored, and their recognisers of the months waiting."""
    counts = {"collectives": 0, "recognisers": 0}
    cycle = cycle_of_today(formats.local(now).date())
    if cycle is None:
        return counts
    rules = {code: track["self_scoring"] for code, track in tracks_of(cycle.rules).items() if track.get("self_scoring")}
    if not rules:
        return counts
    cal = WorkingCalendar(calendar_rules(cycle))
    today = cal.local_date(now)
    if today.year != cycle.year or today < reminder_day(cal, today.year, today.month):
        return counts
    counts["collectives"] = _remind_collectives(cycle, rules, today.month, now)
    counts["recognisers"] = _remind_recognisers(cycle, rules, today.month, now)
    return counts


def _remind_collectives(cycle: Cycle, rules: dict[str, dict[str, Any]], month: int, now: datetime) -> int:
    subjects = db.session.scalars(
        select(Subject).join(Track, Subject.track_id == Track.id).join(Unit, Subject.unit_id == Unit.id)
        .where(Track.code.in_(rules), Subject.kind == SubjectKind.COLLECTIVE, Subject.active.is_(True))
        .options(joinedload(Subject.unit), joinedload(Subject.track)).order_by(Unit.name, Subject.id)).all()
    done: dict[int, set[int]] = defaultdict(set)
    for subject_id, number in db.session.execute(
            select(CollectiveSelfScore.subject_id, CollectiveSelfScore.month)
            .where(CollectiveSelfScore.cycle_id == cycle.id, CollectiveSelfScore.state.in_(DONE))):
        done[subject_id].add(number)
    missing = {s.id: [m for m in range(1, month + 1) if m not in done[s.id]] for s in subjects}
    heads = heads_by_unit({s.unit_id for s in subjects if missing[s.id]})
    queued = 0
    for subject in subjects:
        if not missing[subject.id]:
            continue
        rule = rules[subject.track.code]
        context = {"unit": subject.unit, "cycle": cycle, "month": month, "missing": missing[subject.id],
                   "required": rule.get("required_months", 12), "citation": rule["citation"],
                   "path": f"/self-scoring/{cycle.year}?unit_id={subject.unit_id}&month={missing[subject.id][0]}"}
        for person in heads[subject.unit_id]:
            queued += notify(person, "self_score_reminder", event_key("self_score_reminder", cycle, month, subject, recipient=person),
                             "self_score_reminder", context, when=now, cycle=cycle.id)
    return queued


def _remind_recognisers(cycle: Cycle, rules: dict[str, dict[str, Any]], month: int, now: datetime) -> int:
    waiting = db.session.scalars(
        select(CollectiveSelfScore).join(Subject, CollectiveSelfScore.subject_id == Subject.id).join(Track, Subject.track_id == Track.id)
        .where(CollectiveSelfScore.cycle_id == cycle.id, CollectiveSelfScore.state == SelfScoreState.SUBMITTED, Track.code.in_(rules),
               Subject.active.is_(True))
        .options(joinedload(CollectiveSelfScore.subject).joinedload(Subject.unit))
        .order_by(CollectiveSelfScore.submitted_at, CollectiveSelfScore.id)).all()
    by_person: dict[int, list[CollectiveSelfScore]] = defaultdict(list)
    people: dict[int, Person] = {}
    above: dict[int | None, list[Person]] = {}  # the recognisers, by the collective's parent unit
    for row in waiting:
        parent = row.subject.unit.parent_id
        if parent not in above:
            above[parent] = mail.recognisers(row)
        for person in above[parent]:
            people[person.id] = person
            by_person[person.id].append(row)
    queued = 0
    for person_id, rows in by_person.items():
        person = people[person_id]
        listed = [{"unit": row.subject.unit.name, "month": row.month, "submitted_at": row.submitted_at} for row in rows]
        queued += notify(person, "self_score_waiting", event_key("self_score_waiting", cycle, month, recipient=person), "self_score_waiting",
                         {"cycle": cycle, "month": month, "rows": listed, "path": "/self-scoring/waiting"}, when=now, cycle=cycle.id)
    return queued
