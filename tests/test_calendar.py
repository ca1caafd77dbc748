"""The reporting calendar: working days in Viet Nam and the report windows, with real 2027 dates."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

import factories as f
from workflow.calendar import WorkingCalendar, is_working_day, next_working_day, report_windows, window_for
from workflow.calendar.rules import defaults
from workflow.rules import RulesError, load_rules, parse_rules

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def rules(**changes):
    base = load_rules("config/rules/default.toml")["calendar"]
    return {**base, **changes}


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2027, 1, 8), True),  # Friday
        (date(2027, 1, 9), False),  # Saturday
        (date(2027, 1, 10), False),  # Sunday
        (date(2027, 1, 1), False),  # New Year
        (date(2027, 2, 8), False),  # Tết: third day of the lunar new year, a Monday
        (date(2027, 4, 16), False),  # Hùng Kings' day
        (date(2027, 4, 30), False),  # 30/4
        (date(2027, 5, 3), False),  # 1/5 fell on a Saturday: observed on Monday
        (date(2027, 9, 2), False),
        (date(2027, 9, 3), False),
        (date(2027, 9, 6), True),
    ],
)
def test_working_days_of_2027(day, working):
    assert is_working_day(day, rules()) is working


def test_q4_2026_due_on_a_sunday_moves_to_monday():
    q4 = window_for(f.cycle(2026), 4)
    assert q4.nominal_due_on == date(2027, 1, 10)  # a Sunday
    assert q4.due_on == date(2027, 1, 11) and q4.moved
    assert q4.due_at == datetime(2027, 1, 11, 17, 0, tzinfo=HCM)
    assert q4.opens_on == date(2027, 1, 1)


def test_windows_of_2027():
    windows = report_windows(f.cycle(2027))
    assert [(w.quarter, w.opens_on, w.due_on) for w in windows] == [
        (1, date(2027, 4, 1), date(2027, 4, 12)),  # 10/4 is a Saturday
        (2, date(2027, 7, 1), date(2027, 7, 12)),  # 10/7 is a Saturday
        (3, date(2027, 10, 1), date(2027, 10, 11)),  # 10/10 is a Sunday
        (4, date(2028, 1, 1), date(2028, 1, 10)),  # a Monday
    ]
    for w in windows:
        assert w.opens_at.tzinfo is not None and w.opens_at.utcoffset().total_seconds() == 7 * 3600
        assert w.opens_at.time() == time(0, 0)
        assert w.quarter_starts_on.month == w.quarter * 3 - 2


def test_a_due_date_in_tet_moves_past_it():
    # A window due on the 8th of the second month after Q4 2026 falls on Monday 8 Feb 2027, the
    # third day of Tết (which runs 4–10 Feb in the public calendar).
    windows = [{"quarter": q, "opens_offset_days": 1, "due_month_offset": 2 if q == 4 else 1, "due_day": 8} for q in (1, 2, 3, 4)]
    cycle = f.cycle(2026, rules={"version": "t", "calendar": rules(windows=windows)})
    q4 = window_for(cycle, 4)
    assert q4.nominal_due_on == date(2027, 2, 8)
    assert q4.due_on == date(2027, 2, 11)  # Thursday, the first working day after Tết


def test_a_compensatory_working_saturday_counts_as_working():
    saturday = date(2027, 4, 10)
    assert not is_working_day(saturday, rules())
    assert is_working_day(saturday, rules(working_days=["2027-04-10"]))
    # Q1 2027 is due on Saturday 10 April; worked that day, it stays there.
    cycle = f.cycle(2027, rules={"version": "t", "calendar": rules(working_days=["2027-04-10"])})
    assert window_for(cycle, 1).due_on == saturday


def test_extra_holidays_and_switching_the_public_calendar_off():
    assert next_working_day(date(2027, 4, 12), rules(extra_holidays=["2027-04-12", "2027-04-13"])) == date(2027, 4, 14)
    assert is_working_day(date(2027, 2, 8), rules(use_public_holidays=False))
    assert next_working_day(date(2027, 2, 5), rules()) == date(2027, 2, 11)


def test_reminder_time_and_local_dates():
    cal = WorkingCalendar(rules(reminder_time="07:30"))
    at = cal.reminder_at(date(2027, 4, 5))
    assert at == datetime(2027, 4, 5, 7, 30, tzinfo=HCM)
    # 23:30 UTC on the 4th is already the 5th in Hà Nội.
    assert cal.local_date(datetime.fromisoformat("2027-04-04T23:30+00:00")) == date(2027, 4, 5)


def test_window_states():
    q1 = window_for(f.cycle(2027), 1)
    assert not q1.is_open(datetime(2027, 3, 31, 23, 59, tzinfo=HCM))
    assert q1.is_open(datetime(2027, 4, 1, 0, 0, tzinfo=HCM))
    assert not q1.is_overdue(datetime(2027, 4, 12, 17, 0, tzinfo=HCM))
    assert q1.is_overdue(datetime(2027, 4, 12, 17, 1, tzinfo=HCM))


def test_a_due_day_past_the_months_end_means_its_last_day():
    windows = [{"quarter": q, "opens_offset_days": -5, "due_month_offset": 0, "due_day": 31} for q in (1, 2, 3, 4)]
    cycle = f.cycle(2027, rules={"version": "t", "calendar": rules(windows=windows)})
    q2 = window_for(cycle, 2)
    assert q2.nominal_due_on == date(2027, 6, 30) and q2.due_on == date(2027, 6, 30)
    assert q2.opens_on == date(2027, 6, 25)


def test_a_cycle_without_the_section_uses_the_defaults():
    cycle = f.cycle(2027, rules={"version": "old"})
    assert window_for(cycle, 1).due_on == date(2027, 4, 12)
    assert defaults()["time_zone"] == "Asia/Ho_Chi_Minh"


def test_the_rules_file_carries_the_section():
    section = load_rules("config/rules/default.toml")["calendar"]
    assert section["reminder_time"] == "08:00" and [w["quarter"] for w in section["windows"]] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "toml, message",
    [
        ('[calendar]\ntime_zone = "Asia/Hanoi_City"', "calendar.time_zone"),
        ('[calendar]\nreminder_time = "8h"', "calendar.reminder_time"),
        ('[calendar]\nweekend = ["caturday"]', "calendar.weekend"),
        ('[calendar]\nextra_holidays = ["2027-02-30"]', "calendar.extra_holidays"),
        ('[calendar]\nextra_holidays = ["2027-05-08"]\nworking_days = ["2027-05-08"]', "calendar.working_days"),
        ("[[calendar.windows]]\nquarter = 1", "calendar.windows"),
        ("[[calendar.windows]]\nquarter = 5", "calendar.windows.0.quarter"),
    ],
)
def test_bad_calendar_rules_are_refused_with_the_key(toml, message):
    with pytest.raises(RulesError, match=message.replace(".", r"\.")):
        parse_rules('version = "x"\n' + toml, "test.toml")


OFFSETS = {"due_in_7_days": -7, "due_in_2_days": -2, "due_today": 0, "overdue_1": 1, "overdue_3": 3}


def test_reminder_schedule_avoids_days_off():
    cycle = f.cycle(2027)
    cal = WorkingCalendar(rules())
    q1 = window_for(cycle, 1)  # opens Thu 1 April, due Mon 12 April
    schedule = cal.reminder_schedule(q1, {**OFFSETS, "overdue_4": 4}, on_opening="window_open")
    at8 = lambda d: datetime.combine(d, time(8, 0), HCM)  # noqa: E731
    assert schedule == [
        ("window_open", at8(date(2027, 4, 1))),
        ("due_in_7_days", at8(date(2027, 4, 5))),
        ("due_in_2_days", at8(date(2027, 4, 9))),  # Saturday 10 April: the Friday before
        ("due_today", at8(date(2027, 4, 12))),
        ("overdue_1", at8(date(2027, 4, 13))),
        ("overdue_3", at8(date(2027, 4, 15))),
        ("overdue_4", at8(date(2027, 4, 19))),  # Friday 16 April is Hùng Kings' day: the Monday after
    ]


def test_latest_reminder_is_what_a_catch_up_sends():
    cal = WorkingCalendar(rules())
    schedule = cal.reminder_schedule(window_for(f.cycle(2027), 1), OFFSETS, on_opening="window_open")
    assert cal.latest_reminder(schedule, datetime(2027, 3, 31, 23, 0, tzinfo=HCM)) is None
    assert cal.latest_reminder(schedule, datetime(2027, 4, 1, 8, 0, tzinfo=HCM)) == "window_open"
    # Down from 2 to 10 April: only the latest reminder due is sent, not the two missed.
    assert cal.latest_reminder(schedule, datetime(2027, 4, 10, 9, 0, tzinfo=HCM)) == "due_in_2_days"
    assert cal.latest_reminder(schedule, datetime(2027, 12, 1, tzinfo=HCM)) == "overdue_3"
