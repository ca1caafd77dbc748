"""Words for the kinds of message the outbox holds, as an administrator reads them (the outbox
list, its filter, a message's page and the audit log). A kind is the code a message is filed
under; the reminders of a report carry their number of days in it."""

from __future__ import annotations

import re

from flask_babel import gettext


def kind_labels() -> dict[str, str]:
    """The kinds that do not depend on a number of days."""
    return {
        "registration_returned": gettext("Registration returned to the head"),
        "registration_assigned": gettext("Targets officially assigned"),
        "report_window_open": gettext("Reminder: the report window is open"),
        "report_due_today": gettext("Reminder: the report is due today"),
        "report_accepted": gettext("Report accepted"),
        "report_returned": gettext("Report returned to the head"),
        "report_reopened": gettext("Report reopened"),
        "report_escalation": gettext("Late reports, to the staff officer"),
        "direction_given": gettext("Direction on a request for support"),
        "council_reminder": gettext("Reminder to a council member"),
        "scorecard_reopened": gettext("Scorecard reopened"),
        "council_result": gettext("Evaluation result published"),
        "objection_decided": gettext("Answer to an objection"),
        "leaders_recheck": gettext("Leaders to decide again after their collective's decision, to the council's secretary"),
        "rating_case_opened": gettext("A citizen not satisfied, to the head of the unit"),
        "rating_case_reminder": gettext("Reminder: an unsatisfied rating to answer"),
        "rating_case_escalated": gettext("Unsatisfied rating not answered in time, escalated"),
        "vote_follow_up": gettext("Reminder: a vote result awaits a decision"),
        "monthly_self_reminder": gettext("Reminder: the month's self-assessment"),
        "monthly_assess_reminder": gettext("Reminder: the team's months to assess"),
        "monthly_escalation": gettext("Months not assessed in time, to the head of agency"),
        "monthly_year_decided": gettext("Level of the year decided"),
        "monthly_year_objection": gettext("Objection of a civil servant to the level of the year"),
        "monthly_year_objection_answered": gettext("Answer to an objection to the level of the year"),
        "self_score_submitted": gettext("A collective's month of self-scoring submitted, to those who recognise it"),
        "self_score_recognised": gettext("A collective's month of self-scoring recognised"),
        "self_score_returned": gettext("A collective's month of self-scoring returned"),
        "self_score_reminder": gettext("Reminder: the collective's months of self-scoring"),
        "self_score_waiting": gettext("Reminder: months of self-scoring to recognise"),
        "opinion_request": gettext("Request for an opinion of a superior or subordinate"),
        "opinion_reminder": gettext("Reminder: an opinion still awaited"),
        "test_message": gettext("Test message"),
    }


_DUE_IN = re.compile(r"report_due_in_(\d+)")
_OVERDUE = re.compile(r"report_overdue_(\d+)")


def kind_label(kind: str) -> str:
    """The kind in words; a kind the application does not know is shown as sent, under a name
    that says so (the outbox keeps messages of every release)."""
    if kind in (known := kind_labels()):
        return known[kind]
    if match := _DUE_IN.fullmatch(kind):
        return gettext("Reminder: the report is due in %(days)s day(s)", days=int(match.group(1)))
    if match := _OVERDUE.fullmatch(kind):
        return gettext("Reminder: the report is %(days)s day(s) late", days=int(match.group(1)))
    return gettext("Other message")
