"""Working days and report windows, computed from a cycle's snapshot of the `calendar` rules.

Every instant returned is an aware datetime in the configured zone (Asia/Ho_Chi_Minh); dates are
local dates. A due date that falls on a weekend, a public holiday or a listed extra holiday moves
to the next working day; a listed compensatory working day (ngày làm bù) counts as working even
on a Saturday.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from workflow.calendar.rules import WEEKDAYS, defaults, parse_day

# No stretch of days off in Viet Nam comes near this; a longer one means broken rules.
MAX_DAYS_OFF_IN_A_ROW = 60


def calendar_rules(cycle: Any) -> dict[str, Any]:
    """The cycle's snapshot of the section (the defaults for a cycle created before it existed)."""
    rules = getattr(cycle, "rules", None) or {}
    return rules.get("calendar") or defaults()


class WorkingCalendar:
    """Answers questions about days under one set of `calendar` rules (as dumped: JSON-safe)."""

    def __init__(self, rules: dict[str, Any]) -> None:
        self.rules = rules
        self.zone = ZoneInfo(rules["time_zone"])
        self.reminder_time = time.fromisoformat(rules["reminder_time"])
        self.due_time = time.fromisoformat(rules["due_time"])
        self.weekend = {WEEKDAYS.index(d) for d in rules["weekend"]}
        self.extra_holidays = {parse_day(d) for d in rules["extra_holidays"]}
        self.working_days = {parse_day(d) for d in rules["working_days"]}
        self._public: dict[int, holidays.HolidayBase] = {}

    def public_holidays(self, year: int) -> holidays.HolidayBase | dict[date, str]:
        if not self.rules["use_public_holidays"]:
            return {}
        if year not in self._public:
            self._public[year] = holidays.country_holidays("VN", years=year)
        return self._public[year]

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day.weekday() in self.weekend or day in self.extra_holidays:
            return False
        return day not in self.public_holidays(day.year)

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        for offset in range(MAX_DAYS_OFF_IN_A_ROW + 1):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {MAX_DAYS_OFF_IN_A_ROW} days after {day}: check the calendar rules")

    def previous_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the last working day before it."""
        for offset in range(MAX_DAYS_OFF_IN_A_ROW + 1):
            candidate = day - timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {MAX_DAYS_OFF_IN_A_ROW} days before {day}: check the calendar rules")

    def last_working_days(self, end: date, count: int = 2) -> date:
        """The first of the last `count` working days up to `end` (a month's last day, say)."""
        day = self.previous_working_day(end)
        for _ in range(count - 1):
            day = self.previous_working_day(day - timedelta(days=1))
        return day

    def reminder_schedule(self, window: Window, offsets: Mapping[str, int], *, on_opening: str | None = None) -> list[tuple[str, datetime]]:
        """(kind, when) of each reminder about `window`, earliest first.

        Each offset counts calendar days from the due date (-7: a week before, 0: the due day,
        3: three days late). A reminder that would fall on a day off goes out on the working day
        before it when it announces the deadline, and on the working day after it when the
        report is late, so nobody is written to at the weekend. `on_opening` names the reminder
        sent the day the window opens. Each goes out at the configured reminder time.
        """
        schedule = [(on_opening, self.reminder_at(self.next_working_day(window.opens_on)))] if on_opening else []
        for kind, days in offsets.items():
            day = window.due_on + timedelta(days=days)
            day = self.previous_working_day(day) if days <= 0 else self.next_working_day(day)
            schedule.append((kind, self.reminder_at(day)))
        return sorted(schedule, key=lambda item: item[1])

    @staticmethod
    def latest_reminder(schedule: list[tuple[str, datetime]], now: datetime) -> str | None:
        """The last reminder whose time has come as of `now`: the one to send. After downtime the
        earlier ones are stale, and sending only this one is what catching up means."""
        due = [kind for kind, when in schedule if when <= now]
        return due[-1] if due else None

    def at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, self.zone)

    def reminder_at(self, day: date) -> datetime:
        """When a reminder about `day` is sent: the configured time of day, local."""
        return self.at(day, self.reminder_time)

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    @cached_property
    def window_rules(self) -> dict[int, dict[str, int]]:
        return {w["quarter"]: w for w in self.rules["windows"]}

    def window(self, year: int, quarter: int) -> Window:
        rule = self.window_rules[quarter]
        last_month = quarter * 3
        quarter_end = date(year, last_month, stdlib_calendar.monthrange(year, last_month)[1])
        opens_on = quarter_end + timedelta(days=rule["opens_offset_days"])
        due_year, due_month = divmod(last_month - 1 + rule["due_month_offset"], 12)
        due_year += year
        due_month += 1
        day = min(rule["due_day"], stdlib_calendar.monthrange(due_year, due_month)[1])
        nominal = date(due_year, due_month, day)
        due_on = self.next_working_day(nominal)
        return Window(
            year=year,
            quarter=quarter,
            quarter_starts_on=date(year, last_month - 2, 1),
            quarter_ends_on=quarter_end,
            opens_on=opens_on,
            opens_at=self.at(opens_on, time(0, 0)),
            nominal_due_on=nominal,
            due_on=due_on,
            due_at=self.at(due_on, self.due_time),
        )


@dataclass(frozen=True)
class Window:
    """One quarter's report window (kỳ báo cáo quý)."""

    year: int
    quarter: int
    quarter_starts_on: date
    quarter_ends_on: date
    opens_on: date
    opens_at: datetime
    nominal_due_on: date  # the date the rules give, before moving off a non-working day
    due_on: date  # the working day the report is due
    due_at: datetime  # late after this instant

    @property
    def moved(self) -> bool:
        return self.due_on != self.nominal_due_on

    def is_open(self, now: datetime) -> bool:
        return now >= self.opens_at

    def is_overdue(self, now: datetime) -> bool:
        return now > self.due_at


def is_working_day(day: date, rules: dict[str, Any]) -> bool:
    return WorkingCalendar(rules).is_working_day(day)


def next_working_day(day: date, rules: dict[str, Any]) -> date:
    return WorkingCalendar(rules).next_working_day(day)


def report_windows(cycle: Any) -> list[Window]:
    """The four report windows of `cycle` (its year's quarters), from its rules snapshot."""
    cal = WorkingCalendar(calendar_rules(cycle))
    return [cal.window(cycle.year, q) for q in (1, 2, 3, 4)]


def window_for(cycle: Any, quarter: int) -> Window:
    return WorkingCalendar(calendar_rules(cycle)).window(cycle.year, quarter)
