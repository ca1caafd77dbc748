"""The `reports` section of the rules file: status bands, evidence limits, the confidence scale
and the reminder offsets. Snapshotted into each cycle with the rest of the rules.

Reminder offsets live here rather than in `calendar`: the calendar says when windows open and
fall due; which messages a head gets about them is the reports' business (the window-open
notice, the days before the due date, the due day, the days after, the escalation).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from marshmallow import ValidationError, fields, validates, validates_schema

from workflow.core.schemas import BaseSchema, between

# Detected type → (content type, extension). What may be allowed as evidence.
EVIDENCE_TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpg": ("image/jpeg", "jpg"),
    "gif": ("image/gif", "gif"),
    "webp": ("image/webp", "webp"),
    "doc": ("application/msword", "doc"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xls": ("application/vnd.ms-excel", "xls"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "odt": ("application/vnd.oasis.opendocument.text", "odt"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
}
CONFIDENCE_SCALES = (3, 5)


class ReminderRulesSchema(BaseSchema):
    """When heads are reminded, in calendar days around the due date; a reminder that falls on
    a day off moves to the working day before (before the due date) or after (once late)."""

    window_open = fields.Boolean(load_default=True)  # a notice the day the window opens
    before_due = fields.List(fields.Integer(validate=between(1, 60)), load_default=lambda: [7, 2])
    on_due_day = fields.Boolean(load_default=True)
    overdue = fields.List(fields.Integer(validate=between(1, 60)), load_default=lambda: [1, 3])
    # The staff officer who follows a unit is told, once per window, of every report of their
    # units still not submitted this many days after the due date (0: no escalation).
    escalate_after = fields.Integer(load_default=3, validate=between(0, 60))


class ReportRulesSchema(BaseSchema):
    """[reports] in the rules file."""

    on_track_percent = fields.Integer(load_default=95, validate=between(1, 1000))
    at_risk_percent = fields.Integer(load_default=80, validate=between(0, 1000))
    max_file_mb = fields.Integer(load_default=10, validate=between(1, 60))
    max_files_per_report = fields.Integer(load_default=20, validate=between(1, 200))
    max_files_per_target = fields.Integer(load_default=5, validate=between(1, 50))
    allowed_types = fields.List(fields.String(), load_default=lambda: ["pdf", "png", "jpg", "doc", "docx", "xls", "xlsx"])
    confidence_scale = fields.Integer(load_default=5)
    reminders = fields.Nested(ReminderRulesSchema, load_default=lambda: ReminderRulesSchema().load({}))

    @validates("allowed_types")
    def _known_types(self, value: list[str], **kwargs: Any) -> None:
        unknown = [t for t in value if t not in EVIDENCE_TYPES]
        if unknown or not value:
            raise ValidationError(gettext("Must be one of: %(choices)s.", choices=", ".join(EVIDENCE_TYPES)))

    @validates("confidence_scale")
    def _scale(self, value: int, **kwargs: Any) -> None:
        if value not in CONFIDENCE_SCALES:
            raise ValidationError(gettext("Must be one of: %(choices)s.", choices="3, 5"))

    @validates_schema
    def _bands(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("at_risk_percent", 0) >= data.get("on_track_percent", 1):
            raise ValidationError(gettext("The at-risk band must start below the on-track band."), "at_risk_percent")


def defaults() -> dict[str, Any]:
    schema = ReportRulesSchema()
    return schema.dump(schema.load({}))


def report_rules(cycle: Any) -> dict[str, Any]:
    """The cycle's snapshot of the section (the defaults for a cycle made before it existed)."""
    section = (getattr(cycle, "rules", None) or {}).get("reports")
    return section if section is not None else defaults()


def reminder_offsets(rules: dict[str, Any]) -> dict[str, int]:
    """{reminder kind: days from the due date} for `WorkingCalendar.reminder_schedule`."""
    r = rules["reminders"]
    offsets = {f"report_due_in_{d}": -d for d in sorted(set(r["before_due"]), reverse=True)}
    if r["on_due_day"]:
        offsets["report_due_today"] = 0
    offsets.update({f"report_overdue_{d}": d for d in sorted(set(r["overdue"]))})
    return offsets


WINDOW_OPEN = "report_window_open"
ESCALATION = "report_escalation"
