"""Home-page panels of the council and the committee: a member's heads left to score; the
secretary's and the chair's progress and what the session waits for; the committee's decisions
to take and publish; a head's published result, objection window and self-assessment. Each
loader runs a fixed number of statements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from workflow.accounts.models import Person, Role
from workflow.council import queries
from workflow.council.models import (
    Objection,
    ObjectionState,
    Position,
    Scorecard,
    SessionState,
)
from workflow.council.presenters import level_names
from workflow.council.rules import rubric_of
from workflow.cycles.models import Cycle, CycleState
from workflow.dashboard import panel
from workflow.extensions import db
from workflow.targets.models import Registration, RegistrationState


def _scoring_cycle() -> Cycle | None:
    return db.session.scalar(select(Cycle).where(Cycle.state == CycleState.SCORING).order_by(Cycle.year.desc()).limit(1))


@panel("council.member", "council/panel_member.html", roles={Role.COUNCIL}, order=20)
def member_panel(person: Person) -> dict[str, Any] | None:
    cycle = _scoring_cycle()
    member = queries.member_of(person, cycle.id) if cycle else None
    if member is None:
        return None
    left = queries.to_score(member)
    session = queries.session_of(cycle.id)
    ctx: dict[str, Any] = {"cycle": cycle, "member": member, "left": left[:6], "count": len(left), "session": session}
    if member.position in (Position.SECRETARY, Position.CHAIR):
        states = db.session.execute(
            select(Scorecard.state, func.count()).where(Scorecard.cycle_id == cycle.id).group_by(Scorecard.state)
        ).all()
        ctx["cards"] = {state.value: n for state, n in states}
        ctx["heads"] = queries.head_count(cycle.id)
        ctx["quorum"] = queries.quorum_status(session) if session else None
    return ctx


@panel("council.committee", "council/panel_committee.html", roles={Role.COMMITTEE}, order=20)
def committee_panel(person: Person) -> dict[str, Any] | None:
    cycle = _scoring_cycle()
    if cycle is None:
        return None
    session = queries.session_of(cycle.id)
    pending = db.session.scalar(select(func.count()).select_from(Objection).where(Objection.cycle_id == cycle.id, Objection.state == ObjectionState.FILED)) or 0
    return {"cycle": cycle, "session": session, "undecided": queries.undecided_count(session) if session and session.round else None,
            "objections": pending}


@panel("council.head", "council/panel_head.html", roles={Role.HEAD}, order=15)
def head_panel(person: Person) -> dict[str, Any] | None:
    if not person.head_unit_ids:
        return None
    rows = db.session.execute(
        select(Registration, Cycle)
        .join(Cycle, Registration.cycle_id == Cycle.id)
        .where(Registration.unit_id.in_(person.head_unit_ids), Registration.state == RegistrationState.ASSIGNED,
               Cycle.state.in_((CycleState.EXECUTION, CycleState.SCORING, CycleState.CLOSED)))
        .order_by(Cycle.year.desc())
        .limit(3)
    ).all()
    items = []
    for registration, cycle in rows:
        session = queries.session_of(cycle.id)
        published = session is not None and session.state == SessionState.PUBLISHED
        decision = queries.latest_decision(registration.id) if published else None
        is_open, deadline = queries.objection_window(session)
        items.append({"registration": registration, "cycle": cycle, "published": published, "decision": decision,
                      "objection_open": is_open, "deadline": deadline,
                      "self_assessment": queries.self_assessment_of(registration) if cycle.state != CycleState.CLOSED else None,
                      "names": level_names(rubric_of(cycle)) if published else {}})
    return {"items": items} if items else None
