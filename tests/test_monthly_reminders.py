"""Reminders of the monthly round through the outbox: servants on the last two working days of
the month, direct managers from the assessment's due day, each once however often the job runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from monthly_support import agency, planned, self_assessed  # noqa: F401  (fixture)
from workflow.extensions import db
from workflow.monthly import operations
from workflow.monthly.jobs import remind
from workflow.notifications.models import Notification


def _run(first: date, last: date) -> list[tuple[date, dict[str, int]]]:
    runs, day = [], first
    while day <= last:
        for hour in (2, 9):  # twice a day: the second run finds nothing new
            runs.append((day, remind(datetime(day.year, day.month, day.day, hour, tzinfo=UTC))))
        day += timedelta(days=1)
    return runs


def test_servants_on_the_last_two_working_days_and_managers_on_the_due_day_once_each(agency):
    planned(agency, "lan")  # assigned, never self-assessed
    self_assessed(planned(agency, "duc"), {1: ("4", date(2026, 3, 18)), 2: ("1", date(2026, 3, 27))})
    hoa = planned(agency, "hoa")
    operations.assess(hoa, [{"line_id": ln.id, "assessed_quantity": Decimal(1)} for ln in hoa.lines], actor=agency.head, version=hoa.version)
    db.session.flush()
    runs = _run(date(2026, 3, 25), date(2026, 4, 12))
    sent = {day: counts for day, counts in runs if any(counts.values())}
    # 31/3/2026 is a Tuesday: the last two working days are 30 and 31 March; the month's
    # assessment is due on its fifth working day of April (1, 2, 3, 6, 7 April).
    # Two working days later (8, 9 April) the head of agency is told that the leader is still late.
    assert sent == {date(2026, 3, 30): {"servants": 1, "managers": 0, "escalated": 0}, date(2026, 4, 7): {"servants": 0, "managers": 1, "escalated": 0},
                    date(2026, 4, 9): {"servants": 0, "managers": 0, "escalated": 1}}
    messages = {(n.kind, n.recipient_id): n for n in db.session.scalars(select(Notification))}
    assert set(messages) == {("monthly_self_reminder", agency.lan.id), ("monthly_assess_reminder", agency.leader.id),
                             ("monthly_escalation", agency.head.id)}
    to_leader = messages["monthly_assess_reminder", agency.leader.id]
    assert "Nguyễn Minh Đức" in to_leader.body_text and "Phạm Thị Lan" in to_leader.body_text
    assert "/monthly/months/" in messages["monthly_self_reminder", agency.lan.id].body_text
