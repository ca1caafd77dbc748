"""Reminders of the monthly round through the outbox: servants on the last two working days of
the month, direct managers from the assessment's due day, each once however often the job runs,
in their language, queued many at once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from conftest import is_postgres
from monthly_support import agency, bulk_team, planned, self_assessed  # noqa: F401  (fixture)
from workflow.extensions import db
from workflow.monthly import operations
from workflow.monthly.jobs import NAMES_LIMIT, remind
from workflow.monthly.models import MonthlyPlan, MonthState
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


def test_each_in_their_language_the_names_sorted_and_cut_at_fifty_in_a_few_statements(agency, count_statements):
    """However many are due, a run costs the same few statements (one INSERT … SELECT per
    language and kind); each copy carries its person's name, count and link, in their language;
    the manager's names are sorted, HTML-escaped, the first NAMES_LIMIT of them, with the total."""
    agency.leader.full_name = "Trưởng phòng <Công chức> & Viên chức"
    agency.lan.locale = "en"
    planned(agency, "lan")
    bulk_team(agency, agency.leader, NAMES_LIMIT + 5, MonthState.AGREED)
    bulk_team(agency, agency.hoa, 3, MonthState.AGREED, active=False)  # left the service: not reminded
    db.session.flush()
    with count_statements() as first:
        assert remind(datetime(2026, 3, 30, 2, tzinfo=UTC)) == {"servants": NAMES_LIMIT + 6, "managers": 0, "escalated": 0}
    bulk_team(agency, agency.hoa, 40, MonthState.AGREED, first=100)
    with count_statements() as again:  # the next day, forty more servants due: only they are reminded
        assert remind(datetime(2026, 3, 31, 2, tzinfo=UTC)) == {"servants": 40, "managers": 0, "escalated": 0}
    assert again.count == first.count
    messages = {(n.kind, n.recipient_id): n for n in db.session.scalars(select(Notification))}
    to_lan = messages["monthly_self_reminder", agency.lan.id]
    assert to_lan.locale == "en" and to_lan.subject == "Your self-assessment of 03/2026 is due"
    assert "Dear Phạm Thị Lan," in to_lan.body_text and "each of its 2 products" in to_lan.body_text
    plan_id = db.session.scalar(select(MonthlyPlan.id).where(MonthlyPlan.subject_id == agency.subjects["lan"].id))
    assert to_lan.body_text.count(f"/monthly/months/{plan_id}\n") == 1
    to_servant = next(n for (kind, _), n in messages.items() if kind == "monthly_self_reminder" and n.recipient_id != agency.lan.id)
    assert to_servant.locale == "vi" and to_servant.subject == "Đến hạn tự đánh giá tháng 03/2026"

    assert remind(datetime(2026, 4, 7, 2, tzinfo=UTC))["managers"] == 2  # the leader (55 and Lan), Hòa (43, of whom 3 left)
    assert remind(datetime(2026, 4, 7, 9, tzinfo=UTC))["managers"] == 0
    leader = db.session.scalars(select(Notification).where(Notification.kind == "monthly_assess_reminder",
                                                           Notification.recipient_id == agency.leader.id)).one()
    names = sorted([f"Công chức {i:03d}" for i in range(NAMES_LIMIT + 5)] + ["Phạm Thị Lan"])
    assert f"- {names[0]}\n- {names[1]}\n" in leader.body_text
    assert names[NAMES_LIMIT - 1] in leader.body_text and names[NAMES_LIMIT] not in leader.body_text
    assert f"{NAMES_LIMIT + 6}" in leader.subject
    assert "Trưởng phòng &lt;Công chức&gt; &amp; Viên chức" in leader.body_html and ", ".join(names[:3]) in leader.body_html
    assert "Trưởng phòng <Công chức> & Viên chức" in leader.body_text


@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL plans the dispatcher's claim on the outbox's statistics")
def test_a_bulk_of_reminders_has_the_outboxs_statistics_taken_again(agency, monkeypatch):
    """Just after a month's reminders (340,000 at the scale of a civil service) the statistics
    still said the outbox was nearly empty, and each claim of the dispatcher sorted every pending
    message (0.6 s a claim) until autovacuum came round."""
    from workflow.notifications import bulk

    monkeypatch.setattr(bulk, "ANALYZE_AFTER", 1)  # a month of a civil service's reminders, in small

    def counted() -> float:
        return db.session.scalar(text("SELECT reltuples FROM pg_class WHERE oid = 'notification'::regclass"))

    planned(agency, "lan")
    planned(agency, "duc")
    assert remind(datetime(2026, 3, 30, 9, tzinfo=UTC))["servants"] == 2
    # The table's row count as the planner knows it: the rows this transaction wrote included
    # (without ANALYZE it stays what it was: -1 for a table never analysed).
    assert counted() == db.session.scalar(select(func.count()).select_from(Notification))
