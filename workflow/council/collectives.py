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
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from workflow.council.models import Decision
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


def _decided_collectives(cycle_id: int) -> list[Any]:
    """(unit id, its parent's id, unit name, level) of every collective decided in the cycle."""
    latest = (select(Decision.registration_id, func.max(Decision.number).label("number"))
              .where(Decision.cycle_id == cycle_id).group_by(Decision.registration_id).subquery())
    return db.session.execute(
        select(Registration.unit_id, Unit.parent_id, Unit.name, Decision.level)
        .join(latest, latest.c.registration_id == Registration.id)
        .join(Decision, (Decision.registration_id == latest.c.registration_id) & (Decision.number == latest.c.number))
        .join(Track, Registration.track_id == Track.id).join(Unit, Registration.unit_id == Unit.id)
        .where(Registration.cycle_id == cycle_id, Track.code == COLLECTIVES)
    ).all()


@sources.source("collectives")
def collective_evidence(cycle_id: int, registration_ids: Sequence[int] | None) -> dict[int, list[Evidence]]:
    decided = _decided_collectives(cycle_id)
    if not decided:
        return {}
    cycle = db.session.get(Cycle, cycle_id)
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
