"""The reporting calendar: working days in Viet Nam and the four report windows of a cycle.

`rules.py` declares the `calendar` rules section (time zone, windows, holidays, compensatory
working days); `days.py` answers whether a day is a working day and computes each quarter's
window from a cycle's snapshot of those rules. Nothing here sends anything: the reports package
and its scheduled jobs read the windows to decide what is due.
"""

from flask import Flask

from workflow.calendar import rules  # noqa: F401  (registers the rules section on import)
from workflow.calendar.days import (
    Window,
    WorkingCalendar,
    calendar_rules,
    is_working_day,
    next_working_day,
    report_windows,
    window_for,
)

__all__ = [
    "Window",
    "WorkingCalendar",
    "calendar_rules",
    "is_working_day",
    "next_working_day",
    "report_windows",
    "window_for",
]


def init_app(app: Flask) -> None:
    """Nothing to mount: the package only contributes its rules section."""
