"""Collectives first (tập thể trước, cá nhân sau): the levels decided for collectives, as facts
about the leaders of those collectives — an evidence source of the framework.

For each person's plan of a cycle (a head, a commune's key leader …) it gives:

- `collective.level_rank`: the rank of the level decided for the collective of the leader's own
  unit (0: the highest level of the collectives' rubric, 1: the next …), its origin naming the
  collective and the level. A rubric bounds the leader by it ("chi bộ không xuất sắc thì bí thư
  chi bộ, lãnh đạo phụ trách không thể xuất sắc", the Hòa Bình article in the seeds, 003);
- `units.not_completed_share`: the share (%) of the collectives of the units directly under the
  leader's unit that were decided "not completed" (Quy định 366-QĐ/TW, Điều 11 k4 điểm 4.2), once
  at least one of them is decided.

Only decisions count: a collective not decided yet says nothing (the council's list then shows
the leader's plan without the bound). Three statements whatever the number of plans.

The order itself (reads only; `operations` enforces it): the committee decides a leader once the
collectives they lead are decided — their own unit's and those of the units directly under it,
as 366 reads them above — unless it recorded a waiver for a collective (`waiting_for`); a
collective decided after its leaders were frozen or decided sends them back to the committee
(`LeaderRecheck`, `open_rechecks`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload

from workflow.council.models import CollectiveWaiver, Decision, LeaderRecheck
from workflow.council.rules import rubric_of
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework import sources
from workflow.framework.models import Subject, SubjectKind, Track
from workflow.scoring.engine import Evidence
from workflow.targets.models import Registration
from workflow.units.models import Unit

COLLECTIVES = "collectives"
NOT_COMPLETED = "not_completed"


def _collectives_of(cycle: Cycle) -> tuple[list[Any], dict[int, tuple[str, str]]]:
    """The collectives decided in the cycle — (unit id, its parent's id, unit name, level) — and
    those the 12-month rule leaves unclassified — unit id → (unit name, the sentence): these count
    as "not at the top level" for their leaders. One statement."""
    from workflow.selfscoring.models import CollectiveSelfScore, SelfScoreState
    from workflow.selfscoring.standing import Standing, rule_of

    latest = (select(Decision.registration_id, func.max(Decision.number).label("number"))
              .where(Decision.cycle_id == cycle.id).group_by(Decision.registration_id).subquery())
    recognised = (select(CollectiveSelfScore.subject_id, func.count().label("n"))
                  .where(CollectiveSelfScore.cycle_id == cycle.id, CollectiveSelfScore.state == SelfScoreState.RECOGNISED)
                  .group_by(CollectiveSelfScore.subject_id).subquery())
    rows = db.session.execute(
        select(Registration.unit_id, Unit.parent_id, Unit.name, Decision.level, func.coalesce(recognised.c.n, 0), Registration.state)
        .outerjoin(latest, latest.c.registration_id == Registration.id)
        .outerjoin(Decision, (Decision.registration_id == latest.c.registration_id) & (Decision.number == latest.c.number))
        .outerjoin(recognised, recognised.c.subject_id == Registration.subject_id)
        .join(Track, Registration.track_id == Track.id).join(Unit, Registration.unit_id == Unit.id)
        .where(Registration.cycle_id == cycle.id, Track.code == COLLECTIVES)
    ).all()
    decided = [(unit_id, parent_id, name, level) for unit_id, parent_id, name, level, _, _ in rows if level is not None]
    rule = rule_of(cycle.rules)
    unclassified: dict[int, tuple[str, str]] = {}
    if rule is not None:
        for unit_id, _, name, level, n, state in rows:
            standing = Standing(int(n), int(rule["required_months"]), rule["citation"])
            if level is None and state == "assigned" and not standing.classified:
                unclassified[unit_id] = (name, standing.sentence_vi())
    return decided, unclassified


@sources.source("collectives")
def collective_evidence(cycle_id: int, registration_ids: Sequence[int] | None) -> dict[int, list[Evidence]]:
    cycle = db.session.get(Cycle, cycle_id)
    assert cycle is not None
    decided, unclassified = _collectives_of(cycle)
    if not decided and not unclassified:
        return {}
    rubric = rubric_of(cycle, COLLECTIVES)
    names = {level.code: level.name.vi for level in rubric.levels}
    own = {unit_id: (name, level) for unit_id, _, name, level in decided}
    under: dict[int, list[str]] = {}
    for _, parent_id, _, level in decided:
        if parent_id is not None:
            under.setdefault(parent_id, []).append(level)
    subject = aliased(Subject)
    stmt = (select(Registration.id, Registration.unit_id).join(subject, Registration.subject_id == subject.id)
            .where(Registration.cycle_id == cycle_id, subject.kind == SubjectKind.PERSON))
    if registration_ids is not None:
        stmt = stmt.where(Registration.id.in_(registration_ids))
    found: dict[int, list[Evidence]] = {}
    for registration_id, unit_id in db.session.execute(stmt):
        facts = []
        if unit_id in unclassified and unit_id not in own:
            # Not classified ranks below every level: "chi bộ không xuất sắc thì bí thư chi bộ, lãnh
            # đạo phụ trách không thể xuất sắc" bounds the leader as the rubric says.
            name, sentence = unclassified[unit_id]
            facts.append(Evidence("collective.level_rank", Decimal(len(rubric.level_codes)), f"{name}: {sentence}",
                                  ref=f"collective:{unit_id}"))
        if unit_id in own:
            name, level = own[unit_id]
            rank = rubric.level_codes.index(level) if level in rubric.level_codes else len(rubric.level_codes)
            facts.append(Evidence("collective.level_rank", Decimal(rank), f"{name}: {names.get(level, level)}", ref=f"collective:{unit_id}"))
        if unit_id in under:
            levels = under[unit_id]
            share = (Decimal(100) * sum(1 for lv in levels if lv == NOT_COMPLETED) / len(levels)).quantize(Decimal("0.01"))
            facts.append(Evidence("units.not_completed_share", share,
                                  f"{sum(1 for lv in levels if lv == NOT_COMPLETED)}/{len(levels)} đơn vị trực thuộc không hoàn thành nhiệm vụ",
                                  ref=f"collectives_under:{unit_id}"))
        if facts:
            found[registration_id] = facts
    return found


# --- the order: collectives before their leaders ----------------------------------------------


def _collective_plans(cycle_id: int) -> list[Any]:
    """(registration id, unit id, parent unit id, unit name) of every collective assigned in the cycle."""
    return db.session.execute(
        select(Registration.id, Registration.unit_id, Unit.parent_id, Unit.name)
        .join(Track, Registration.track_id == Track.id).join(Unit, Registration.unit_id == Unit.id)
        .where(Registration.cycle_id == cycle_id, Track.code == COLLECTIVES, Registration.state == "assigned")
        .order_by(Unit.name, Registration.id)).all()


def _leader_plans(cycle_id: int, unit_ids: set[int], registration_ids: Sequence[int] | None = None) -> list[Any]:
    """(registration id, unit id) of the persons' plans the council scores in units `unit_ids`."""
    from workflow.council.rules import council_tracks

    cycle = db.session.get(Cycle, cycle_id)
    codes = [c for c in council_tracks(cycle) if c != COLLECTIVES]
    if not unit_ids or not codes:
        return []
    subject = aliased(Subject)
    stmt = (select(Registration.id, Registration.unit_id).join(Track, Registration.track_id == Track.id)
            .join(subject, Registration.subject_id == subject.id)
            .where(Registration.cycle_id == cycle_id, Registration.state == "assigned", Track.code.in_(codes),
                   subject.kind == SubjectKind.PERSON, Registration.unit_id.in_(unit_ids)))
    if registration_ids is not None:
        stmt = stmt.where(Registration.id.in_(registration_ids))
    return db.session.execute(stmt).all()


def _led_by(collective: Any) -> tuple[int, ...]:
    """The units whose leaders a collective bounds: its own, and the one directly above it."""
    return (collective.unit_id,) if collective.parent_id is None else (collective.unit_id, collective.parent_id)


def waiting_for(cycle_id: int, registration_ids: Sequence[int] | None = None) -> dict[int, list[str]]:
    """Leader's plan → the names of the collectives they lead that are neither decided nor waived
    by the committee (the committee cannot decide the leader yet). Five statements."""
    by_unit: dict[int, list[str]] = {}
    for c in undecided_collectives(cycle_id):
        for unit_id in _led_by(c):
            by_unit.setdefault(unit_id, []).append(c.name)
    found: dict[int, list[str]] = {}
    for registration_id, unit_id in _leader_plans(cycle_id, set(by_unit), registration_ids):
        found[registration_id] = by_unit[unit_id]
    return found


def leaders_of(collective: Registration) -> list[int]:
    """The persons' plans whose leaders the collective bounds (its unit's and the unit above's)."""
    unit = db.session.get(Unit, collective.unit_id)
    assert unit is not None
    return [r.id for r in _leader_plans(collective.cycle_id, {u for u in (unit.id, unit.parent_id) if u is not None})]


def undecided_collectives(cycle_id: int) -> list[Any]:
    """(registration id, unit id, parent unit id, unit name) of the collectives neither decided nor
    waived nor left unclassified by the 12-month rule (settled: there is nothing to decide).
    Five statements."""
    from workflow.selfscoring.standing import not_classified

    decided = set(db.session.scalars(select(Decision.registration_id).where(Decision.cycle_id == cycle_id).distinct()))
    waived = set(db.session.scalars(select(CollectiveWaiver.collective_id).where(CollectiveWaiver.cycle_id == cycle_id)))
    cycle = db.session.get(Cycle, cycle_id)
    settled = decided | waived | set(not_classified(cycle) if cycle is not None else {})
    return [c for c in _collective_plans(cycle_id) if c.id not in settled]


def waivers(cycle_id: int) -> list[CollectiveWaiver]:
    return list(db.session.scalars(
        select(CollectiveWaiver).where(CollectiveWaiver.cycle_id == cycle_id).order_by(CollectiveWaiver.created_at)
        .options(joinedload(CollectiveWaiver.collective).joinedload(Registration.unit), joinedload(CollectiveWaiver.recorded_by))))


def open_rechecks(cycle_id: int, registration_ids: Sequence[int] | None = None) -> dict[int, LeaderRecheck]:
    """Leader's plan → the latest recheck waiting for the committee's new decision."""
    stmt = (select(LeaderRecheck).where(LeaderRecheck.cycle_id == cycle_id, LeaderRecheck.cleared_at.is_(None))
            .options(joinedload(LeaderRecheck.collective_decision).joinedload(Decision.registration).joinedload(Registration.unit))
            .order_by(LeaderRecheck.created_at, LeaderRecheck.id))
    if registration_ids is not None:
        stmt = stmt.where(LeaderRecheck.registration_id.in_(registration_ids))
    return {r.registration_id: r for r in db.session.scalars(stmt)}


# --- the committee's side-by-side report -----------------------------------------------------


def side_by_side(cycle: Cycle, session: Any) -> list[dict[str, Any]]:
    """Each unit whose collective has a plan in the cycle, with the collective's level beside
    the levels of its leaders (decided, else the frozen proposal), and whether a leader stands
    above the collective or the collective was decided after the leaders' list was finalised
    (their proposals were computed without it: the committee looks at them again, and decides
    again those it had decided: `LeaderRecheck`), and whether the committee decided the leaders
    before the collective (a waiver). Six statements."""
    from workflow.accounts.models import Person
    from workflow.council import queries

    frozen = queries.frozen_proposals(session) if session is not None and session.round else {}
    decided = queries.latest_decisions(cycle.id)
    rows = db.session.execute(
        select(Registration.id, Registration.unit_id, Unit.name, Track.code, Track.name_vi, Person.full_name)
        .join(Track, Registration.track_id == Track.id).join(Unit, Registration.unit_id == Unit.id)
        .join(Person, Registration.head_id == Person.id)
        .where(Registration.cycle_id == cycle.id, Registration.state == "assigned")
        .order_by(Unit.group_id, Unit.name, Track.position, Registration.id)).all()
    collectives = {r.unit_id: r for r in rows if r.code == COLLECTIVES}
    rubric = rubric_of(cycle, COLLECTIVES)
    ranks = {code: i for i, code in enumerate(rubric.level_codes)}

    def level_of(registration_id: int) -> tuple[str | None, bool]:
        if registration_id in decided:
            return decided[registration_id].level, True
        proposal = frozen.get(registration_id)
        return (proposal.level if proposal else None), False

    finalised_at = session.finalised_at if session is not None else None
    rechecks = open_rechecks(cycle.id)
    waived = {w.collective_id for w in waivers(cycle.id)}
    out = []
    for unit_id, collective in collectives.items():
        level, is_decision = level_of(collective.id)
        late = is_decision and finalised_at is not None and decided[collective.id].decided_at > finalised_at
        leaders = []
        for r in rows:
            if r.unit_id != unit_id or r.code == COLLECTIVES:
                continue
            leader_level, leader_decided = level_of(r.id)
            above = (level is not None and leader_level is not None and leader_level in ranks and level in ranks
                     and ranks[leader_level] < ranks[level])
            leaders.append({"registration_id": r.id, "name": r.full_name, "track": r.name_vi, "level": leader_level,
                            "decided": leader_decided, "above": above,
                            "recheck": r.id in rechecks or (late and not leader_decided)})
        out.append({"registration_id": collective.id, "unit": collective.name, "level": level, "decided": is_decision,
                    "decided_late": late, "waived": collective.id in waived, "leaders": leaders})
    return out
