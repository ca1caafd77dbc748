"""The steps of a collective's month of self-scoring, declared in one table.

draft → submitted (the collective's head) → recognised (công nhận: the head of the parent unit,
or the standing committee for a unit with no parent) or returned with a reason → submitted
again. A recognition given in error is withdrawn by whoever recognises, with a reason: the month
goes back to the collective as returned. Both recognising and withdrawing wait for an open year
whose council has not finalised its list: the months recognised are what the list was drawn from
(reopening the list opens them again). Saving the
self-score is not a step (the state stays): it is `operations.save`.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workflow.core.transitions import Transition, Workflow
from workflow.council.models import CouncilSession, SessionState
from workflow.cycles.models import CycleState
from workflow.extensions import db
from workflow.selfscoring.models import CollectiveSelfScore, SelfScoreState

S = SelfScoreState


def scored(row: CollectiveSelfScore) -> str | None:
    if row.points is None:
        return gettext("Enter the month's self-score first.")
    return None


def year_open(row: CollectiveSelfScore) -> str | None:
    """A month may still be recognised or its recognition withdrawn: the cycle is open and its
    council's list not final."""
    if row.cycle.state == CycleState.CLOSED:
        return gettext("The cycle is closed.")
    state = db.session.scalar(select(CouncilSession.state).where(CouncilSession.cycle_id == row.cycle_id))
    if state in (SessionState.FINALISED, SessionState.PUBLISHED):
        return gettext("The council has finalised its list of proposals for %(year)s: the months recognised are settled.", year=row.cycle.year)
    return None


SELF_SCORE = Workflow(
    "collective_self_score",
    SelfScoreState,
    [
        Transition("submit", (S.DRAFT, S.RETURNED), S.SUBMITTED, "selfscoring.score", _l("Submit for recognition"), guards=(scored,),
                   style="success"),
        Transition("recognise", (S.SUBMITTED,), S.RECOGNISED, "selfscoring.recognise", _l("Recognise the month"), guards=(year_open,),
                   style="success"),
        Transition("return", (S.SUBMITTED,), S.RETURNED, "selfscoring.recognise", _l("Return to the collective"), reason_required=True,
                   style="outline-danger"),
        Transition("withdraw", (S.RECOGNISED,), S.RETURNED, "selfscoring.recognise", _l("Withdraw the recognition"), guards=(year_open,),
                   reason_required=True, style="outline-danger"),
    ],
    labels={
        S.DRAFT: _l("Draft"),
        S.SUBMITTED: _l("Awaiting recognition"),
        S.RECOGNISED: _l("Recognised"),
        S.RETURNED: _l("Returned to the collective"),
    },
)
STATE_TONES = {S.DRAFT: "secondary", S.SUBMITTED: "info", S.RETURNED: "warning", S.RECOGNISED: "success"}
