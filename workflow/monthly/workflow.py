"""The states and steps of a civil servant's month, declared in one table.

draft → proposed (the servant proposes the month's products) → agreed (the direct manager
approves, or assigns them directly from draft); proposed → draft (returned, with a reason);
agreed → self_assessed (the servant records what was delivered); agreed or self_assessed →
assessed (the manager scores; from agreed the month is flagged as assessed without a
self-assessment); assessed → approved (the head of agency) or returned (with a reason) →
assessed again. Saving lines or figures is not a step: it is `operations.save_*`.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from workflow.core.transitions import Transition, Workflow
from workflow.monthly.models import MonthlyPlan, MonthState, ObjectionState

S = MonthState


def has_lines(plan: MonthlyPlan) -> str | None:
    if not plan.lines:
        return gettext("The month has no products yet.")
    return None


def every_line_reported(plan: MonthlyPlan) -> str | None:
    missing = [ln for ln in plan.lines if ln.delivered_quantity is None]
    if missing:
        return gettext("%(count)s products still lack the quantity delivered.", count=len(missing))
    return None


MONTH = Workflow(
    "monthly_plan",
    MonthState,
    [
        Transition("propose", (S.DRAFT,), S.PROPOSED, "monthly.plan.propose", _l("Propose to the manager"), guards=(has_lines,)),
        Transition("assign", (S.DRAFT, S.PROPOSED), S.AGREED, "monthly.plan.assign", _l("Assign the month's products"), guards=(has_lines,),
                   style="success"),
        Transition("return_plan", (S.PROPOSED,), S.DRAFT, "monthly.plan.assign", _l("Return the proposal"), reason_required=True,
                   style="outline-danger"),
        Transition("self_assess", (S.AGREED,), S.SELF_ASSESSED, "monthly.self_assess", _l("Submit the self-assessment"),
                   guards=(every_line_reported,), style="success"),
        Transition("assess", (S.AGREED, S.SELF_ASSESSED, S.RETURNED, S.ASSESSED), S.ASSESSED, "monthly.assess", _l("Save the assessment"),
                   style="success"),
        Transition("approve", (S.ASSESSED,), S.APPROVED, "monthly.approve", _l("Approve the month"), style="success"),
        Transition("return", (S.ASSESSED,), S.RETURNED, "monthly.approve", _l("Return to the manager"), reason_required=True,
                   style="outline-danger"),
    ],
    labels={
        S.DRAFT: _l("Plan in preparation"),
        S.PROPOSED: _l("Proposed, awaiting the manager"),
        S.AGREED: _l("Products assigned"),
        S.SELF_ASSESSED: _l("Self-assessed"),
        S.ASSESSED: _l("Assessed by the manager"),
        S.RETURNED: _l("Returned to the manager"),
        S.APPROVED: _l("Approved"),
    },
)
STATE_TONES = {S.DRAFT: "secondary", S.PROPOSED: "info", S.AGREED: "primary", S.SELF_ASSESSED: "info", S.ASSESSED: "warning",
               S.RETURNED: "danger", S.APPROVED: "success"}
# The states in which the plan's lines may still change, and who may change them then.
PLANNING = (S.DRAFT, S.PROPOSED)
ASSESSING = (S.AGREED, S.SELF_ASSESSED, S.RETURNED, S.ASSESSED)

# A servant's objection to the level of their year: filed → upheld (another level) or rejected,
# by the head of agency, with the answer.
O = ObjectionState
YEAR_OBJECTION: Workflow[ObjectionState] = Workflow(
    "year_objection",
    ObjectionState,
    [
        Transition("uphold", (O.FILED,), O.UPHELD, "monthly.year.objection.decide", _l("Uphold: change the level"), reason_required=True,
                   style="success"),
        Transition("reject", (O.FILED,), O.REJECTED, "monthly.year.objection.decide", _l("Reject: the level stands"),
                   reason_required=True, style="outline-danger"),
    ],
    labels={O.FILED: _l("Waiting for the head of agency"), O.UPHELD: _l("Upheld"), O.REJECTED: _l("Rejected")},
)
OBJECTION_TONES = {O.FILED: "warning", O.UPHELD: "success", O.REJECTED: "secondary"}
OBJECTION_ICONS = {O.FILED: "bi-hourglass-split", O.UPHELD: "bi-check2", O.REJECTED: "bi-x"}
