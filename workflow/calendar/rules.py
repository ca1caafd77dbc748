"""The `calendar` section of the rules file: when report windows open and fall due, at what
time of day reminders go out, and which days are not working days.

Viet Nam's public holidays come from the `holidays` library (Tết by the lunar calendar, Hùng
Kings' day, 30/4, 1/5, 2/9 …). Each year the government also moves days off around them and
names Saturdays to be worked in exchange (ngày làm bù); those decisions are listed here by date,
because no library can know them in advance.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load, validates, validates_schema

from workflow import rules
from workflow.core.schemas import BaseSchema, between

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class TimeOfDay(fields.Field):
    """"HH:MM" in the rules file, a `datetime.time` once loaded."""

    default_error_messages = {"invalid": _l("Must be a time of day (HH:MM).")}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> time:
        if isinstance(value, time):  # a TOML time literal
            return value.replace(second=0, microsecond=0)
        if not isinstance(value, str) or len(value) != 5:
            raise self.make_error("invalid")
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise self.make_error("invalid") from None

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.strftime("%H:%M")


class WindowRuleSchema(BaseSchema):
    quarter = fields.Integer(required=True, validate=between(1, 4))
    # Days counted from the quarter's last day: 1 opens the window the day after the quarter
    # ends; -9 opens it ten days before the end.
    opens_offset_days = fields.Integer(load_default=1, validate=between(-60, 60))
    # The report is due on `due_day` of the month `due_month_offset` months after the quarter's
    # last month (1: the month after). A day past the month's end means its last day.
    due_month_offset = fields.Integer(load_default=1, validate=between(0, 3))
    due_day = fields.Integer(load_default=10, validate=between(1, 31))


def _default_windows() -> list[dict[str, int]]:
    return [{"quarter": q, "opens_offset_days": 1, "due_month_offset": 1, "due_day": 10} for q in (1, 2, 3, 4)]


class CalendarRulesSchema(BaseSchema):
    time_zone = fields.String(load_default="Asia/Ho_Chi_Minh")
    # Reminders and the opening of a window are sent at this local time of day.
    reminder_time = TimeOfDay(load_default=time(8, 0))
    # A report is late after this local time on its (working-day) due date.
    due_time = TimeOfDay(load_default=time(17, 0))
    weekend = fields.List(fields.String(), load_default=lambda: ["saturday", "sunday"])
    use_public_holidays = fields.Boolean(load_default=True)
    extra_holidays = fields.List(fields.Date(), load_default=list)
    working_days = fields.List(fields.Date(), load_default=list)
    windows = fields.List(fields.Nested(WindowRuleSchema), load_default=_default_windows)

    @validates("time_zone")
    def _known_zone(self, value: str, **kwargs: Any) -> None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(gettext("Unknown time zone.")) from None

    @validates("weekend")
    def _weekdays(self, value: list[str], **kwargs: Any) -> None:
        unknown = [d for d in value if d not in WEEKDAYS]
        if unknown:
            raise ValidationError(gettext("Must be one of: %(choices)s.", choices=", ".join(WEEKDAYS)))

    @validates_schema
    def _one_window_per_quarter(self, data: dict[str, Any], **kwargs: Any) -> None:
        quarters = sorted(w["quarter"] for w in data.get("windows", []))
        if quarters != [1, 2, 3, 4]:
            raise ValidationError(gettext("Give exactly one window for each quarter 1–4."), "windows")
        both = set(data.get("extra_holidays", [])) & set(data.get("working_days", []))
        if both:
            day = min(both).isoformat()
            raise ValidationError(gettext("%(day)s is listed both as a holiday and as a working day.", day=day), "working_days")

    @post_load
    def _sorted(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["windows"] = sorted(data["windows"], key=lambda w: w["quarter"])
        data["extra_holidays"] = sorted(set(data["extra_holidays"]))
        data["working_days"] = sorted(set(data["working_days"]))
        return data


def defaults() -> dict[str, Any]:
    """The section as it is when the rules file says nothing: for cycles snapshotted before it."""
    schema = CalendarRulesSchema()
    return schema.dump(schema.load({}))


def parse_day(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


rules.section("calendar", CalendarRulesSchema)
