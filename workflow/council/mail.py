"""The e-mail the council's and the committee's steps cause: a reminder to a member of the
heads left to score, a scorecard reopened, the decisions published (to every head), an
objection answered. Keys make each event reach each person once; a reminder at most once per
member and day."""

from __future__ import annotations

from datetime import date
from typing import Any

from workflow.council.models import (
    CouncilMember,
    CouncilSession,
    Decision,
    Objection,
    Scorecard,
)
from workflow.notifications.keys import event_key
from workflow.notifications.operations import notify
from workflow.targets.models import Registration

REMINDER = "council_reminder"
REOPENED = "scorecard_reopened"
PUBLISHED = "council_result"
OBJECTION = "objection_decided"
RECHECK = "leaders_recheck"


def reminder(member: CouncilMember, left: list[Registration], day: date) -> bool:
    person = member.person
    key = event_key(REMINDER, member.cycle_id, member.id, day.isoformat(), recipient=person)
    context: dict[str, Any] = {"cycle": member.cycle, "left": left[:30], "count": len(left), "path": f"/council/{member.cycle_id}/mine"}
    return notify(person, REMINDER, key, REMINDER, context, cycle=member.cycle_id)


def scorecard_reopened(card: Scorecard, number: int) -> bool:
    person = card.member.person
    registration = card.registration
    key = event_key(REOPENED, card.id, number, recipient=person)
    context = {"cycle": registration.cycle, "registration": registration, "reason": card.reopen_reason,
               "path": f"/council/{card.cycle_id}/score/{registration.id}"}
    return notify(person, REOPENED, key, REOPENED, context, cycle=card.cycle_id)


def results_published(session: CouncilSession) -> int:
    """Tell every head whose registration has a decision; returns how many were queued."""
    from workflow.council.queries import latest_decisions
    from workflow.reports.mail import current_head

    told = 0
    for decision in latest_decisions(session.cycle_id).values():
        registration = decision.registration
        head = current_head(registration.unit_id, registration.head_id)
        if head is None:
            continue
        key = event_key(PUBLISHED, session.id, registration.id, recipient=head)
        context = {"cycle": session.cycle, "registration": registration, "deadline": session.objection_deadline,
                   "level_name": _level_name(session.cycle, decision.level), "path": f"/council/results/{registration.id}"}
        told += notify(head, PUBLISHED, key, PUBLISHED, context, cycle=session.cycle_id)
    return told


def objection_decided(objection: Objection, decision: Decision | None) -> bool:
    from workflow.reports.mail import current_head

    registration = objection.registration
    head = current_head(registration.unit_id, objection.filed_by_id) or objection.filed_by
    key = event_key(OBJECTION, objection.id, recipient=head)
    context = {"cycle": registration.cycle, "registration": registration, "objection": objection, "decision": decision,
               "level_name": _level_name(registration.cycle, decision.level) if decision else None, "path": f"/council/results/{registration.id}"}
    return notify(head, OBJECTION, key, OBJECTION, context, cycle=objection.cycle_id)


def leaders_to_recheck(session: CouncilSession, decision: Decision, rechecks: list[Any]) -> bool:
    """Tell the council's secretary, who prepares the committee's papers, which leaders wait for a
    new decision since the decision on their collective (one message per collective decision)."""
    from workflow.council.models import Position
    from workflow.council.queries import officer

    secretary = officer(session.cycle_id, Position.SECRETARY)
    if secretary is None or not rechecks:
        return False
    person = secretary.person
    collective = decision.registration
    key = event_key(RECHECK, decision.id, recipient=person)
    context = {"cycle": session.cycle, "collective": collective, "level_name": _level_name(session.cycle, decision.level),
               "leaders": [(r.registration, _level_name(session.cycle, r.recomputed_level) if r.recomputed_level else None) for r in rechecks],
               "path": f"/council/{session.cycle_id}/decisions"}
    return notify(person, RECHECK, key, RECHECK, context, cycle=session.cycle_id)


def _level_name(cycle: Any, code: str) -> Any:
    """The level's name in both languages; the template picks the recipient's."""
    from workflow.council.rules import rubric_of

    return rubric_of(cycle).level(code).name
