"""The periods of a cycle in a track, computed from the cycle's rules (pure: no database).

A quarter is due when its report window says (`[calendar] windows`); a month on the track's
`due_working_day`-th working day of the next month (Nghị định 335/2025/NĐ-CP leaves the day to
the agency); the year when the fourth quarter's report is due.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from workflow.calendar import WorkingCalendar, calendar_rules
from workflow.framework.models import PeriodKind


@dataclass(frozen=True)
class Span:
    kind: PeriodKind
    number: int
    starts_on: date
    ends_on: date
    due_on: date


def _month_end(year: int, month: int) -> date:
    return date(year, month, stdlib_calendar.monthrange(year, month)[1])


def nth_working_day(cal: WorkingCalendar, year: int, month: int, n: int) -> date:
    day = cal.next_working_day(date(year, month, 1))
    for _ in range(n - 1):
        day = cal.next_working_day(day + timedelta(days=1))
    return day


def spans(cycle: Any, track_rule: dict[str, Any]) -> list[Span]:
    """The periods of `cycle` for a track with the rule `track_rule` (its `[tracks]` entry)."""
    cal = WorkingCalendar(calendar_rules(cycle))
    year = cycle.year
    kind = PeriodKind(track_rule.get("periods", PeriodKind.QUARTER.value))
    if kind == PeriodKind.MONTH:
        result = []
        for month in range(1, 13):
            next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
            result.append(Span(kind, month, date(year, month, 1), _month_end(year, month),
                               nth_working_day(cal, next_year, next_month, track_rule.get("due_working_day", 5))))
        return result
    if kind == PeriodKind.QUARTER:
        return [Span(kind, q, w.quarter_starts_on, w.quarter_ends_on, w.due_on)
                for q, w in ((q, cal.window(year, q)) for q in (1, 2, 3, 4))]
    return [Span(kind, 1, cycle.starts_on, cycle.ends_on, cal.window(year, 4).due_on)]
