"""What vote results lead to: follow-ups reminded by the scheduler through the outbox until the
competent body records its decision (a simulated month), and the results as facts of the
evidence source `votes`, which the preset 366-heads rubric reads (as it cites 366-QĐ/TW Điều 11 k4 điểm 4.2: more
than 50% low-confidence ballots → không hoàn thành nhiệm vụ; see config/rubrics/366-heads.toml)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

import factories as f
from vote_support import count_paper, vote_round
from workflow.accounts.models import Role
from workflow.core.models import simulated_time
from workflow.extensions import db
from workflow.framework import sources
from workflow.notifications.models import Notification
from workflow.scoring.engine import Facts, classify
from workflow.scoring.rubric import load_rubric
from workflow.votes import jobs, operations
from workflow.votes.facts import percent_up
from workflow.votes.models import FollowUp

HEADS = load_rubric("config/rubrics/366-heads.toml")


def published(low: int, collected: int = 9, *, head=None, held_on: date = date(2028, 9, 26)):
    """A published round in which one person (`head`, or a new one) got `low` low-confidence ballots."""
    with simulated_time(datetime.combine(held_on, datetime.min.time(), UTC) + timedelta(hours=8)):
        ctx = vote_round(candidates=0, held_on=held_on)
        head = head or f.person((Role.HEAD, f.unit()), full_name="Trần Văn Được")
        candidate = operations.add_candidate(ctx.round, head, actor=ctx.staff, post="Giám đốc Sở")
        operations.take_step(ctx.round, "open", actor=ctx.staff)
        count_paper(ctx, {candidate.id: {"high": collected - low, "low": low}}, collected=collected)
        operations.take_step(ctx.round, "publish", actor=ctx.staff)
        db.session.flush()
    return ctx, candidate


def test_follow_ups_are_reminded_weekly_over_a_month_until_the_decision_is_recorded():
    committee = [f.person(Role.COMMITTEE, full_name="Ủy viên Ban Thường vụ A"), f.person(Role.COMMITTEE, full_name="Ủy viên Ban Thường vụ B")]
    ctx, candidate = published(low=6)  # two thirds of 9: dismissal
    follow_up = db.session.scalars(select(FollowUp)).one()
    assert follow_up.outcome == "dismissal"
    start = datetime(2028, 9, 26, 1, tzinfo=UTC)  # 08:00 in the province (UTC+7), the day of the vote
    sent_by_day = {}
    for day in range(31):  # the scheduler ticks twice a day for a month (08:00 and 18:00)
        for hour in (0, 10):
            sent_by_day[day] = sent_by_day.get(day, 0) + jobs.remind_follow_ups(start + timedelta(days=day, hours=hour))["reminded"]
    # Every 7 days from publication (days 0, 7, 14, 21, 28), once to each member of the committee.
    assert {d: n for d, n in sent_by_day.items() if n} == {0: 2, 7: 2, 14: 2, 21: 2, 28: 2}
    messages = db.session.scalars(select(Notification).where(Notification.kind == "vote_follow_up")).all()
    assert {m.recipient_id for m in messages} == {p.id for p in committee}
    assert "Trần Văn Được" in messages[0].subject and "miễn nhiệm" in messages[0].body_text
    operations.record_follow_up(follow_up, actor=committee[0], decision="215-QĐ/TU", decided_on=date(2028, 10, 30), reason="Theo kết quả lấy phiếu")
    for day in range(31, 60):
        assert jobs.remind_follow_ups(start + timedelta(days=day))["reminded"] == 0


# --- the evidence source -----------------------------------------------------------------------

@pytest.mark.parametrize(("low", "share", "level"), [
    (4, Decimal("44.45"), "excellent"),   # 4/9 = 44.44…%: not more than half
    (5, Decimal("55.56"), "not_completed"),  # 5/9 = 55.55…%: more than half (366 Điều 11 k4 điểm 4.2, as the rubric cites it)
])
def test_the_366_heads_rubric_reads_the_low_confidence_share_from_the_votes_source(low, share, level):
    registration = f.assigned_registration(2027)
    ctx, candidate = published(low=low, head=registration.head, held_on=date(2027, 9, 26))
    found = sources.evidence_for(registration.cycle_id, [registration.id])[registration.id]
    low_share = next(e for e in found if e.kind == "votes.low_share")
    assert low_share.value == share and low_share.origin == "Hội nghị lấy phiếu tín nhiệm giữa nhiệm kỳ ngày 26/09/2027"
    assert classify(Decimal(95), Facts(10, 10, 10, 3, 0, evidence=tuple(found)), HEADS).level == level


def test_a_share_just_above_half_never_reads_as_half_and_exactly_half_never_above():
    from fractions import Fraction

    assert percent_up(Fraction(1, 2)) == Decimal("50.00")
    assert percent_up(Fraction(10001, 20000)) == Decimal("50.01")  # 50.005%: more than half, stays above 50
    assert percent_up(Fraction(2, 3)) == Decimal("66.67")


def test_rounds_of_another_year_and_other_people_give_no_facts(count_statements):
    registration = f.assigned_registration(2027)
    published(low=6, head=registration.head, held_on=date(2026, 9, 26))  # the year before
    published(low=6, held_on=date(2027, 9, 26))  # someone else
    with count_statements() as counter:
        found = sources.evidence_for(registration.cycle_id)
    assert counter.count == len(sources.names())
    assert registration.id not in found
