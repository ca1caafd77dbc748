"""The steps of a collective's month of self-scoring, declared in one table.

draft → submitted (the collective's head) → recognised (công nhận: the head of the parent unit,
or the standing committee for a unit with no parent) or returned with a reason → submitted
again. Saving the self-score is not a step (the state stays): it is `operations.save`.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from workflow.core.transitions import Transition, Workflow
from workflow.selfscoring.models import CollectiveSelfScore, SelfScoreState

S = SelfScoreState


def scored(row: CollectiveSelfScore) -> str | None:
    if row.points is None:
        return gettext("Enter the month's self-score first.")
    return None


SELF_SCORE = Workflow(
    "collective_self_score",
    SelfScoreState,
    [
        Transition("submit", (S.DRAFT, S.RETURNED), S.SUBMITTED, "selfscoring.score", _l("Submit for recognition"), guards=(scored,),
                   style="success"),
        Transition("recognise", (S.SUBMITTED,), S.RECOGNISED, "selfscoring.recognise", _l("Recognise the month"), style="success"),
        Transition("return", (S.SUBMITTED,), S.RETURNED, "selfscoring.recognise", _l("Return to the collective"), reason_required=True,
                   style="outline-danger"),
    ],
    labels={
        S.DRAFT: _l("Draft"),
        S.SUBMITTED: _l("Awaiting recognition"),
        S.RECOGNISED: _l("Recognised"),
        S.RETURNED: _l("Returned to the collective"),
    },
)
STATE_TONES = {S.DRAFT: "secondary", S.SUBMITTED: "info", S.RETURNED: "warning", S.RECOGNISED: "success"}
