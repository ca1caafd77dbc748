"""The states and steps of a quarterly report and of a request for support, each declared in
one table. Saving a draft is not a step (the state stays); it is `operations.save_entries`.

Report: draft → submitted (head) → accepted or returned (staff, with a reason); returned →
submitted again (head); accepted → returned only by reopening (staff or committee, with a
reason). Submitting also checks every target in force field by field (`operations.submit`);
the guard here gives the one-line reason a disabled button shows.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from workflow.core.transitions import Transition, Workflow
from workflow.reports.models import QuarterlyReport, ReportState, RequestState
from workflow.reports.queries import missing_entries

S = ReportState


def complete(report: QuarterlyReport) -> str | None:
    missing = missing_entries(report)
    if missing:
        return gettext("%(count)s targets still lack what the report must say about them.", count=len(missing))
    return None


REPORT = Workflow(
    "report",
    ReportState,
    [
        Transition("submit", (S.DRAFT, S.RETURNED), S.SUBMITTED, "report.submit", _l("Submit the report"), guards=(complete,), style="success"),
        Transition("accept", (S.SUBMITTED,), S.ACCEPTED, "report.accept", _l("Accept the report"), style="success"),
        Transition("return", (S.SUBMITTED,), S.RETURNED, "report.return", _l("Return to the head"), reason_required=True, style="outline-danger"),
        Transition("reopen", (S.ACCEPTED,), S.RETURNED, "report.reopen", _l("Reopen the report"), reason_required=True, style="outline-warning"),
    ],
    labels={
        S.DRAFT: _l("Draft"),
        S.SUBMITTED: _l("Awaiting acceptance"),
        S.RETURNED: _l("Returned to the head"),
        S.ACCEPTED: _l("Report accepted"),
    },
)

# What the monitoring matrix shows, beyond the stored states: "not open" (no report, window not
# open yet) and "late" (not submitted, past the due date).
DISPLAY_LABELS = {
    "not_open": _l("Not open"),
    "draft": _l("Draft"),
    "late": _l("Late"),
    "submitted": _l("Awaiting acceptance"),
    "returned": _l("Returned"),
    "accepted": _l("Report accepted"),
}
DISPLAY_TONES = {
    "not_open": "light",
    "draft": "secondary",
    "late": "danger",
    "submitted": "info",
    "returned": "warning",
    "accepted": "success",
}
STATE_TONES = {S.DRAFT: "secondary", S.SUBMITTED: "info", S.RETURNED: "warning", S.ACCEPTED: "success"}

R = RequestState
REQUEST = Workflow(
    "support_request",
    RequestState,
    [
        Transition("answer", (R.OPEN, R.ANSWERED), R.ANSWERED, "support.answer", _l("Give a direction"), style="primary"),
        Transition("close", (R.OPEN, R.ANSWERED), R.CLOSED, "support.close", _l("Close the request"), style="outline-secondary"),
    ],
    labels={R.OPEN: _l("Waiting for a direction"), R.ANSWERED: _l("Direction given"), R.CLOSED: _l("Closed")},
)
REQUEST_TONES = {R.OPEN: "warning", R.ANSWERED: "success", R.CLOSED: "secondary"}
