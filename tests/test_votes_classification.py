"""Secret-ballot classification in a Party cell on the same engine: the members vote each member's
level, with the quorum and majority the rules set (profile `cell` of config/votes.toml), and the
decided levels become facts of the member's evaluation."""

from __future__ import annotations

from datetime import date

import pytest

import factories as f
from workflow.accounts.models import Role
from workflow.core.errors import TransitionRefused
from workflow.extensions import db
from workflow.framework import sources
from workflow.votes import operations, queries
from workflow.votes.results import Totals, classified_level
from workflow.votes.rules import profile

CELL = profile("cell")


@pytest.mark.parametrize(("counts", "level"), [
    ({"excellent": 6, "good": 4}, "excellent"),  # 6 of 10: more than half
    ({"excellent": 5, "good": 5}, "good"),  # 5 of 10 is half, not more: with good, 10 of 10
    ({"excellent": 5, "good": 3, "completed": 2}, "good"),
    ({"excellent": 2, "good": 3, "not_completed": 5}, "not_completed"),  # 5 at "good or better" is half: not enough
    ({"completed": 6, "not_completed": 4}, "completed"),
])
def test_a_level_needs_more_than_half_counting_from_the_top(counts, level):
    assert classified_level(CELL, counts, 10) == level


def test_a_cell_classifies_its_members_by_secret_ballot_and_the_levels_become_facts(english):
    staff = f.person(Role.STAFF)
    cell = f.unit(name="Chi bộ Văn phòng Sở Nội vụ")
    registration = f.assigned_registration(2027)
    members = [registration.head] + [f.person(full_name=f"Đảng viên {i}") for i in range(1, 10)]
    round_ = operations.create_round(actor=staff, title="Xếp loại đảng viên năm 2027", organiser=cell, term="2025–2027",
                                     held_on=date(2027, 12, 15), method="electronic", profile="cell")
    operations.summon(round_, members, actor=staff)
    for member in members[:3]:
        operations.add_candidate(round_, member, actor=staff, post="Đảng viên")
    operations.record_attendance(round_, [m.id for m in members[:6]], actor=staff)  # 6 of 10: less than 2/3
    db.session.flush()
    with pytest.raises(TransitionRefused, match="at least 7 must"):
        operations.take_step(round_, "open", actor=staff)
    operations.record_attendance(round_, [m.id for m in members[:8]], actor=staff)
    operations.take_step(round_, "open", actor=staff)
    codes = operations.issue_codes(round_, actor=staff)
    first, second, third = round_.eligible
    ballots = [("excellent", "good", "completed")] * 5 + [("good", "good", "not_completed")] * 3
    for code, (a, b, c) in zip(codes, ballots):
        operations.cast_ballot(round_, code, {str(first.id): a, str(second.id): b, str(third.id): c})
    operations.take_step(round_, "close", actor=staff)
    operations.take_step(round_, "publish", actor=staff)
    db.session.flush()
    results = {r.candidate_id: r.outcome for r in queries.results_of(round_)}
    # Of 8 valid ballots: 5 excellent (more than half); 8 good; 5 completed and 3 not completed.
    assert results == {first.id: "excellent", second.id: "good", third.id: "completed"}
    facts = sources.evidence_for(registration.cycle_id, [registration.id])[registration.id]
    assert [(e.kind, e.origin) for e in facts] == [("votes.level.excellent", "Xếp loại đảng viên năm 2027 ngày 15/12/2027")]
    totals, _ = queries.tallies(round_)
    assert totals == Totals(summoned=10, attended=8, cast=8, valid=8)
