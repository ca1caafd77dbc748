"""The council's proposals for a whole cycle: gather every head's submitted scores in a fixed
number of statements, hand them to `workflow.scoring.engine.propose`, and give pages, the API,
the session and the exports one object to read (`Panel`).

The facts the levels' extra conditions look at (targets done, on time, exceeded, late) are the
submitted scorecards' counts averaged and rounded to the nearest whole number (half up), made
consistent (on time ≤ done; late = the targets not on time). Members agree on them unless one
changes a figure; a target counts as done when most members count it done, so one member's
dissent does not move the facts of a panel of seven.
"Disciplined in the year" and the other cases of "không hoàn thành" come from the secretary's
`DisciplineRecord`, as facts the rubric maps per regime (`discipline_facts`).

A collective that did not have the months of self-scoring its track's rule requires recognised
(the 12-month rule, `workflow.selfscoring.standing`) is left out of the engine: it gets no level
and no place in the quota, and the panel lists it apart (`Panel.not_classified`) with its sentence.

The quota's scope: every head of the cycle is classified by the same standing committee, so the
agency is the same for all; the group is the unit's group (`[quota] scope` in the rubric).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import String, cast, func, literal, select
from sqlalchemy.orm import aliased

from workflow.council.models import (
    CouncilSession,
    Decision,
    DisciplineCategory,
    DisciplineRecord,
    Scorecard,
    ScorecardState,
    SessionState,
)
from workflow.council.rules import rubric_of
from workflow.core.database import plain_rows as _plain_rows
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework import sources
from workflow.framework.models import Track
from workflow.framework.rules import HEADS
from workflow.scoring.engine import (
    Candidate,
    Evidence,
    Facts,
    Proposal,
    Proposals,
    QuotaStatus,
    WhatIf,
    propose,
    what_if,
)
from workflow.scoring.rubric import Rubric
from workflow.selfscoring.standing import COLLECTIVES, not_classified
from workflow.targets.models import Registration, RegistrationState
from workflow.units.models import Unit, UnitGroup


@dataclass(frozen=True)
class HeadRow:
    registration_id: int
    unit_id: int
    unit_name: str
    group_name: str
    head_id: int
    group_id: int


@dataclass
class Panel:
    """Everything the engine proposed for the cycle, with the rows it was built from."""

    cycle: Cycle
    rubric: Rubric
    heads: list[HeadRow]
    candidates: list[Candidate]
    proposals: Proposals
    # Collectives without the months of self-scoring their track's rule requires (the 12-month
    # rule, `workflow.selfscoring.standing`): no proposed level, no place in the quota.
    not_classified: list[tuple[HeadRow, Any]] = field(default_factory=list)

    def row(self, registration_id: int) -> HeadRow:
        return self.heads[self.proposals.position(registration_id)]

    def proposal(self, registration_id: int) -> Proposal:
        return self.proposals.for_head(registration_id)

    def ratings(self, registration_id: int) -> Mapping[int, Decimal]:
        return self.candidates[self.proposals.position(registration_id)].ratings

    def what_if(self, changes: Mapping[str, Any]) -> WhatIf:
        return what_if(self.candidates, self.rubric, changes, current=self.proposals)


def flags_of(proposal: Proposal) -> list[str]:
    """Why a head is to be discussed: unrated, disagreement, too_few, tie."""
    panel = proposal.panel
    flags = []
    if panel.ratings == 0:
        flags.append("unrated")
    if panel.disagreement:
        flags.append("disagreement")
    if panel.too_few_ratings:
        flags.append("too_few")
    if proposal.quota.status == QuotaStatus.TIE:
        flags.append("tie")
    return flags


def _consistent(targets: int, done: int, on_time: int, exceeded: int, disciplined: bool, evidence: tuple[Evidence, ...] = ()) -> Facts:
    done = min(done, targets)
    on_time = min(on_time, done)
    return Facts(targets, done, on_time, min(exceeded, targets), targets - on_time, disciplined=disciplined, evidence=evidence)


def heads_of(cycle_id: int, track: str = HEADS) -> list[HeadRow]:
    """The assigned plans of one track of the cycle (the heads', unless another is named), in the
    order the council's lists show them."""
    rows = _plain_rows(
        select(Registration.id, Unit.id, Unit.name, UnitGroup.name, Registration.head_id, UnitGroup.id)
        .join(Unit, Registration.unit_id == Unit.id)
        .join(UnitGroup, Unit.group_id == UnitGroup.id)
        .join(Track, Registration.track_id == Track.id)
        .where(Registration.cycle_id == cycle_id, Registration.state == RegistrationState.ASSIGNED, Track.code == track)
        .order_by(UnitGroup.position, Unit.name, Registration.id)
    )
    return [HeadRow(*row) for row in rows]


def _ratings_sql(dialect: str) -> tuple[Any, Any]:
    """Each head's submitted totals as one text "member:total,…" (the database groups them, so
    10,000 rows come back rather than 70,000), and the rounded means of the counts."""
    pair = cast(Scorecard.member_id, String) + ":" + cast(Scorecard.total, String)
    joined = func.string_agg(pair, literal(",")) if dialect == "postgresql" else func.group_concat(pair, ",")
    return joined, [func.round(func.avg(c)) for c in (Scorecard.n_targets, Scorecard.n_done, Scorecard.n_on_time, Scorecard.n_exceeded)]


def compute(cycle: Cycle, rubric: Rubric | None = None, track: str = HEADS) -> Panel:
    """Proposals for every head of the cycle from the submitted scorecards: four statements.

    At 10,000 heads × 7 members the reading is most of the work besides the engine itself
    (`bench/council.py`): the database groups the scorecards by head, and rows come back as the
    driver gives them. Totals travel as text and are read as binary floats, which is exact here:
    they have two decimals, and the engine turns them into integers of hundredths, refusing
    anything that is not.

    One track at a time (the heads' unless another is named), with that track's rubric: the
    quota counts within the track."""
    return _compute(cycle, rubric or rubric_of(cycle, track), track)


# The facts a record gives (its category; a disciplinary decision also "discipline.any", and,
# for a violation related to duty, "discipline.duty_reprimand_or_more": every form is from
# khiển trách up). "Disciplined in the year" (Facts.disciplined, Nghị định 48/2023) is a
# disciplinary decision of any kind.
DISCIPLINE_FACTS = {
    DisciplineCategory.DISCIPLINE: "discipline.any",
    DisciplineCategory.DEGRADATION: "discipline.degradation",
    DisciplineCategory.CORRUPTION_IN_AGENCY: "discipline.corruption_in_agency",
}
DUTY_RELATED = "discipline.duty_reprimand_or_more"


def discipline_origin(reference: str, reason: str) -> str:
    """A record as the level sentence names it ("15-QĐ/UBKTTU ngày 10/6/2027, khiển trách")."""
    return f"{reference}, {reason}"


@sources.source("discipline")
def discipline_evidence(cycle_id: int, registration_ids: Sequence[int] | None) -> dict[int, list[Evidence]]:
    """The discipline records of the cycle as facts, by plan (one statement)."""
    stmt = select(DisciplineRecord.id, DisciplineRecord.registration_id, DisciplineRecord.category, DisciplineRecord.duty_related,
                  DisciplineRecord.reference, DisciplineRecord.reason).where(DisciplineRecord.cycle_id == cycle_id)
    if registration_ids is not None:
        stmt = stmt.where(DisciplineRecord.registration_id.in_(registration_ids))
    records: dict[int, list[Any]] = {}
    for record in db.session.execute(stmt.order_by(DisciplineRecord.id)):
        records.setdefault(record.registration_id, []).append(record)
    return {registration_id: list(discipline_facts(found)[1]) for registration_id, found in records.items()}


def discipline_facts(records: Any) -> tuple[bool, tuple[Evidence, ...]]:
    """Whether the head was disciplined in the year, and the facts of their records (objects
    or rows with category, duty_related, reference, reason and id)."""
    disciplined = False
    facts: list[Evidence] = []
    for r in records:
        category = DisciplineCategory(r.category)
        origin, ref = discipline_origin(r.reference, r.reason), f"discipline_record:{r.id}"
        facts.append(Evidence(DISCIPLINE_FACTS[category], Decimal(1), origin, ref=ref))
        if category == DisciplineCategory.DISCIPLINE:
            disciplined = True
            if r.duty_related:
                facts.append(Evidence(DUTY_RELATED, Decimal(1), origin, ref=ref))
    return disciplined, tuple(facts)


def previous_levels(cycle: Cycle, track: str = HEADS) -> dict[int, str]:
    """The level in force of each person evaluated in the year before (the decisions the
    committee published for the previous cycle), by person: a second year at the lowest level
    is flagged for the decision maker (`Proposal.repeat_not_completed`), never acted on."""
    later = aliased(Decision)
    rows = db.session.execute(
        select(Registration.head_id, Decision.level)
        .join(Registration, Registration.id == Decision.registration_id)
        .join(Cycle, Cycle.id == Decision.cycle_id)
        .join(CouncilSession, CouncilSession.cycle_id == Cycle.id)
        .join(Track, Registration.track_id == Track.id)
        .where(Cycle.year == cycle.year - 1, CouncilSession.state == SessionState.PUBLISHED, Track.code == track,
               ~select(later.id).where(later.registration_id == Decision.registration_id, later.number > Decision.number).exists())
    )
    return {head: level for head, level in rows}


def _compute(cycle: Cycle, rubric: Rubric, track: str = HEADS) -> Panel:
    # Few objects outlive a row here (rows are read one at a time; heads with the same counts
    # share one `Facts`), so that Python's cyclic garbage collector, which runs by the number of
    # objects that stay, has little to scan; it is never paused (that would be process-wide).
    heads = heads_of(cycle.id, track)
    unclassified = not_classified(cycle) if track == COLLECTIVES else {}
    excluded = [(h, unclassified[h.registration_id]) for h in heads if h.registration_id in unclassified]
    heads = [h for h in heads if h.registration_id not in unclassified]
    wanted = {h.registration_id for h in heads}
    joined, counts = _ratings_sql(db.engine.dialect.name)
    cases = {head: (sources.disciplined(found), found) for head, found in sources.evidence_for(cycle.id).items()}
    ratings: dict[int, dict[int, float]] = {}
    facts: dict[int, Facts] = {}
    shared: dict[tuple[Any, ...], Facts] = {}
    rows = _plain_rows(
        select(Scorecard.registration_id, joined, *counts)
        .where(Scorecard.cycle_id == cycle.id, Scorecard.state == ScorecardState.SUBMITTED)
        .group_by(Scorecard.registration_id)
    )
    for head, text, *n in rows:
        if head not in wanted:  # another track's plan
            continue
        ratings[head] = {int(m): float(t) for m, _, t in (item.partition(":") for item in text.split(","))}
        key = (*(int(x) for x in n), *cases.get(head, (False, ())))
        facts[head] = shared.get(key) or shared.setdefault(key, _consistent(*key))  # type: ignore[arg-type]
    agency = cycle.name
    before = previous_levels(cycle, track)
    candidates = []
    for h in heads:
        head = h.registration_id
        if head not in facts:
            facts[head] = Facts(0, 0, 0, 0, 0, *cases.get(head, (False, ())))
        candidates.append(Candidate(head, ratings.get(head, {}), facts[head], agency=agency, group=h.group_name, track=track,
                                    previous_level=before.get(h.head_id)))
    return Panel(cycle, rubric, heads, candidates, propose(candidates, rubric), excluded)
