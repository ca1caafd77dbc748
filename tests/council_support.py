"""Building council scenarios for tests through the real operations: a cycle whose heads have
four accepted quarterly reports, a council with a chair, a secretary and members, and scorecards
filled in and submitted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import factories as f
from workflow.accounts.models import Person, Role
from workflow.council import operations
from workflow.council.models import CouncilMember, Position, Scorecard
from workflow.cycles.models import Cycle, CycleState
from workflow.cycles.workflow import entered
from workflow.extensions import db
from workflow.reports import operations as reports
from workflow.targets.models import Registration, TargetKind


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def reported_registration(cycle: Cycle, *, actual: str = "1200", percent: str = "95", task_done: bool = True,
                          delivered_on: date = date(2027, 9, 20), staff: Person | None = None, **kw: Any) -> Registration:
    """An assigned registration (revenue 1000 → 1200 weight 40, a task due 30/9 weight 40, a
    percentage 90 → 95 weight 20) with four reports accepted; the year-end values are `actual`
    and `percent`, the task done on `delivered_on` (or in progress)."""
    cycle.state = CycleState.EXECUTION
    db.session.flush()
    registration = f.complete_registration("assigned", cycle=cycle, **kw)
    report_the_year(registration, f.head_of(registration), actual=actual, percent=percent, task_done=task_done, delivered_on=delivered_on,
                    staff=staff)
    return registration


def report_the_year(registration: Registration, head: Person, *, actual: str = "1200", percent: str = "95", task_done: bool = True,
                    delivered_on: date = date(2027, 9, 20), staff: Person | None = None) -> None:
    """Four quarterly reports of an assigned plan, submitted by `head` and accepted."""
    staff = staff or f.person(Role.STAFF)
    for quarter in (1, 2, 3, 4):
        report = f.report(registration, quarter)
        submitted = at(report.due_on) - timedelta(days=1)
        entries = []
        for t in registration.targets:
            values: dict[str, Any] = {"target_id": t.id, "narrative": f"Quý {quarter}: {t.title}", "confidence": 4}
            if t.kind == TargetKind.TASK:
                done = task_done and delivered_on <= submitted.date()
                values["milestone_status"] = "done" if done else "in_progress"
                if done:
                    values["product_delivered"] = "Biên bản bàn giao mặt bằng"
                    values["delivered_on"] = delivered_on
            else:
                final = Decimal(percent if t.measure == "%" else actual)
                start = t.baseline
                values["actual"] = (start + (final - start) * quarter / 4).quantize(Decimal("0.01"))
            entries.append(values)
        reports.save_entries(report, entries, actor=head, version=report.version, now=submitted)
        db.session.flush()
        reports.submit(report, actor=head, version=report.version, now=submitted)
        db.session.flush()
        reports.take_step(report, "accept", actor=staff, version=report.version, now=submitted + timedelta(days=2))
        db.session.flush()


def open_scoring(cycle: Cycle) -> Cycle:
    cycle.state = CycleState.SCORING
    entered(cycle, None)
    db.session.flush()
    return cycle


def council(cycle: Cycle, members: int = 5, **people: Person) -> dict[str, CouncilMember]:
    """A council: chair, secretary and `members` ordinary members (people made unless given)."""
    admin = f.person(Role.ADMIN)
    seats = {}
    for name, position in [("chair", Position.CHAIR), ("secretary", Position.SECRETARY)] + [(f"m{i}", Position.MEMBER) for i in range(1, members + 1)]:
        person = people.get(name) or f.person(Role.COUNCIL, full_name=f"Thành viên {name}")
        if not person.has_role(Role.COUNCIL):
            from workflow.accounts.models import RoleGrant

            person.roles.append(RoleGrant(role=Role.COUNCIL))
            db.session.flush()
        seats[name] = operations.appoint_member(cycle, person, position, actor=admin)
    db.session.flush()
    return seats


def score(member: CouncilMember, registration: Registration, *, general: tuple[str, str, str] = ("9", "9", "8"),
          judgements: dict[str, Any] | None = None, submit: bool = True) -> Scorecard:
    person = member.person
    card = operations.open_scorecard(member, registration, actor=person)
    db.session.flush()
    data = {"general": dict(zip(("political", "ethics", "discipline"), general, strict=True)), "judgements": judgements or {}}
    operations.save_scorecard(card, data, actor=person, version=card.version)
    db.session.flush()
    if submit:
        operations.submit_scorecard(card, actor=person, version=card.version)
        db.session.flush()
    return card


def finalised(cycle: Cycle, seats: dict[str, CouncilMember]) -> Any:
    """The session recorded with everyone present, and the list finalised by the chair."""
    secretary, chair = seats["secretary"].person, seats["chair"].person
    session = operations.open_session(cycle, actor=secretary, held_on=date(2028, 1, 15), place="Hội trường Tỉnh ủy")
    db.session.flush()
    operations.update_session(session, actor=secretary, version=session.version, held_on=session.held_on, place=session.place, notes="",
                              attendee_ids=[m.id for m in seats.values()])
    db.session.flush()
    operations.finalise_session(session, actor=chair, version=session.version)
    db.session.flush()
    return session


def published(cycle: Cycle, regs: list[Registration], seats: dict[str, CouncilMember], *, committee: Person | None = None) -> Any:
    """Finalised, every proposal accepted (ties decided for the first option) and published."""
    from workflow.council import queries

    committee = committee or f.person(Role.COMMITTEE)
    session = finalised(cycle, seats)
    operations.accept_all(session, actor=committee)
    for proposal in queries.frozen_proposals(session).values():
        if proposal.level is None:
            operations.decide(proposal, actor=committee, level=proposal.options[0] if proposal.options else "not_completed", reason="Ban Thường vụ lựa chọn")
    db.session.flush()
    operations.publish(session, actor=committee, version=session.version)
    db.session.flush()
    return session


def general_adding_up_to(points: int) -> tuple[str, str, str]:
    """General scores (at most 10 each) adding up to `points`."""
    first = min(points, 10)
    second = min(points - first, 10)
    return str(first), str(second), str(points - first - second)


def five_at_the_top(cycle: Cycle, group: Any, *, committee: Person | None = None) -> tuple[list[Registration], Any, Person]:
    """Five heads of one group who all qualify as excellent (93, 92, 91, 90, 90 points): the quota
    allows one place (20% of five), so the list, finalised, proposes the first as excellent and the
    others as good; the committee has accepted every proposal. Returns (registrations, session,
    committee member)."""
    regs = [reported_registration(cycle, actual="1300", unit=f.unit(group=group)) for _ in range(5)]
    open_scoring(cycle)
    seats = council(cycle, members=2)
    for registration, general in zip(regs, (23, 22, 21, 20, 20), strict=True):
        for name in ("m1", "m2", "chair"):
            score(seats[name], registration, general=general_adding_up_to(general))
    session = finalised(cycle, seats)
    committee = committee or f.person(Role.COMMITTEE)
    operations.accept_all(session, actor=committee)
    db.session.flush()
    return regs, session, committee
def awaiting_decisions(cycle: Cycle, members: int = 1) -> tuple[Registration, dict[str, CouncilMember], Any]:
    """One head reported on, scored by every member and on the list the chair finalised: the
    committee's decisions are next. Returns (registration, seats, session)."""
    registration = reported_registration(cycle)
    open_scoring(cycle)
    seats = council(cycle, members=members)
    for i in range(1, members + 1):
        score(seats[f"m{i}"], registration)
    return registration, seats, finalised(cycle, seats)
