"""The 12-month rule at the year's end: whether each collective had enough months of its
self-scoring recognised to be classified at all.

Hướng dẫn số 12 and Quy định số 31 of the Hòa Bình provincial standing committee (2018): "tổ
chức Đảng nào không tự chấm điểm được, không được cấp ủy công nhận suốt 12 tháng … thì không có
xếp loại". The rule is `[tracks.collectives.self_scoring]` of the cycle's rules; without it every
collective is classified as before. The council's proposals (`council.proposals`), the
committee's decision (`council.operations.decide`), the collectives-first order and the leaders'
facts (`council.collectives`) read `not_classified`. Two statements whatever the number of plans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework.models import Track
from workflow.framework.rules import tracks_of
from workflow.selfscoring.models import CollectiveSelfScore, SelfScoreState
from workflow.targets.models import Registration

COLLECTIVES = "collectives"


def rule_of(rules: dict[str, Any] | None, track: str = COLLECTIVES) -> dict[str, Any] | None:
    """The self-scoring rule of a track in these rules (a cycle's snapshot), or None."""
    return tracks_of(rules or {}).get(track, {}).get("self_scoring") or None


@dataclass(frozen=True)
class Standing:
    """How many months of a collective's self-scoring the committee above recognised in the year."""

    recognised: int
    required: int
    citation: str

    @property
    def classified(self) -> bool:
        return self.recognised >= self.required

    def sentence(self) -> str:
        """The one sentence the lists, the result and the exports show for a collective not classified."""
        return gettext(
            "Not classified: the organisation's self-scoring was recognised by the committee above for %(recognised)s/%(required)s "
            "months (%(citation)s).", recognised=self.recognised, required=self.required, citation=self.citation)

    def sentence_vi(self) -> str:
        """The sentence in Vietnamese, for the evidence's origin and the printed documents."""
        with force_locale("vi"):
            return self.sentence()


def standings(cycle: Cycle, registration_ids: Sequence[int] | None = None) -> dict[int, Standing]:
    """Each assigned plan of the collectives track (or of those named) → its standing, when the
    cycle's rules have the self-scoring rule; {} otherwise."""
    rule = rule_of(cycle.rules)
    if rule is None:
        return {}
    recognised = (select(CollectiveSelfScore.subject_id, func.count().label("n"))
                  .where(CollectiveSelfScore.cycle_id == cycle.id, CollectiveSelfScore.state == SelfScoreState.RECOGNISED)
                  .group_by(CollectiveSelfScore.subject_id).subquery())
    stmt = (select(Registration.id, func.coalesce(recognised.c.n, 0))
            .join(Track, Registration.track_id == Track.id)
            .outerjoin(recognised, recognised.c.subject_id == Registration.subject_id)
            .where(Registration.cycle_id == cycle.id, Track.code == COLLECTIVES, Registration.state == "assigned"))
    if registration_ids is not None:
        stmt = stmt.where(Registration.id.in_(registration_ids))
    required, citation = int(rule["required_months"]), rule["citation"]
    return {registration_id: Standing(int(n), required, citation) for registration_id, n in db.session.execute(stmt)}


def not_classified(cycle: Cycle, registration_ids: Sequence[int] | None = None) -> dict[int, Standing]:
    """The collectives' plans that get no classification this year, with their figures."""
    return {r: s for r, s in standings(cycle, registration_ids).items() if not s.classified}


def recognised_months(subject_id: int, cycle_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(CollectiveSelfScore).where(
        CollectiveSelfScore.subject_id == subject_id, CollectiveSelfScore.cycle_id == cycle_id,
        CollectiveSelfScore.state == SelfScoreState.RECOGNISED)) or 0


def not_classified_named(cycle: Cycle) -> list[tuple[int, str, Standing]]:
    """(plan id, unit name, standing) of the collectives not classified, by unit name, for the
    council's and the committee's pages."""
    from workflow.units.models import Unit

    found = not_classified(cycle)
    if not found:
        return []
    rows = db.session.execute(select(Registration.id, Unit.name).join(Unit, Registration.unit_id == Unit.id)
                              .where(Registration.id.in_(found)).order_by(Unit.name, Registration.id))
    return [(registration_id, name, found[registration_id]) for registration_id, name in rows]
