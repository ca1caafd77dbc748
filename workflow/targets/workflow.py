"""The states and steps of a registration, of a staff proposal and of an amendment, each
declared in one table. Guards refuse a step with a reason the person can read."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from workflow.core import formats
from workflow.core.transitions import Transition, Workflow
from workflow.targets.models import AmendmentState, ProposalState, Registration, RegistrationState
from workflow.targets.warnings import registration_rules, weight_total

S = RegistrationState


def has_targets(registration: Registration) -> str | None:
    if not any(not t.dropped for t in registration.targets):
        return gettext("Add at least one target or task first.")
    return None


def weights_add_up(registration: Registration) -> str | None:
    expected = Decimal(registration_rules(registration.cycle)["weight_total"])
    total = weight_total(registration.targets)
    if total != expected:
        return gettext(
            "The weights add up to %(total)s; they must add up to %(expected)s.",
            total=_plain(total),
            expected=_plain(expected),
        )
    return None


def no_open_proposals(registration: Registration) -> str | None:
    from workflow.targets.queries import open_proposal_count

    count = open_proposal_count(registration)
    if count:
        return gettext("%(count)s proposals are still open: accept or reject them first.", count=count)
    return None


def _plain(value: Decimal) -> str:
    """100.00 → 100, 99.50 → 99,5 (`workflow.core.formats`)."""
    return formats.number(value)


REGISTRATION = Workflow(
    "registration",
    RegistrationState,
    [
        # Weights that do not add up are an error on the weights, not a closed step: submitting
        # says so beside them (`operations.take_step`).
        Transition("submit", (S.DRAFT, S.RETURNED), S.SUBMITTED, "registration.submit", _l("Submit for review"),
                   guards=(has_targets,)),
        Transition("forward", (S.SUBMITTED,), S.REVIEWED, "registration.review", _l("Forward to the committee"),
                   guards=(has_targets,)),
        Transition("return", (S.SUBMITTED, S.REVIEWED), S.RETURNED, "registration.return", _l("Return to the head"),
                   reason_required=True, style="outline-danger"),
        Transition("assign", (S.REVIEWED,), S.ASSIGNED, "registration.assign", _l("Assign officially"),
                   guards=(has_targets, weights_add_up, no_open_proposals), style="success"),
    ],
    labels={
        S.DRAFT: _l("Draft"),
        S.SUBMITTED: _l("Awaiting review"),
        S.REVIEWED: _l("Awaiting the committee"),
        S.RETURNED: _l("Returned to the head"),
        S.ASSIGNED: _l("Officially assigned"),
    },
)

# Bootstrap colour of each state's badge; the label always goes with it.
STATE_TONES = {
    S.DRAFT: "secondary",
    S.SUBMITTED: "info",
    S.REVIEWED: "primary",
    S.RETURNED: "warning",
    S.ASSIGNED: "success",
}

P = ProposalState
PROPOSAL = Workflow(
    "proposal",
    ProposalState,
    [
        Transition("accept", (P.OPEN,), P.ACCEPTED, "proposal.decide", _l("Accept"), style="success"),
        Transition("reject", (P.OPEN,), P.REJECTED, "proposal.decide", _l("Reject"), reason_required=True, style="outline-danger"),
        Transition("withdraw", (P.OPEN,), P.WITHDRAWN, "proposal.withdraw", _l("Withdraw"), style="outline-secondary"),
    ],
    labels={P.OPEN: _l("Open"), P.ACCEPTED: _l("Accepted"), P.REJECTED: _l("Rejected"), P.WITHDRAWN: _l("Withdrawn")},
)
PROPOSAL_TONES = {P.OPEN: "info", P.ACCEPTED: "success", P.REJECTED: "danger", P.WITHDRAWN: "secondary"}

A = AmendmentState
AMENDMENT = Workflow(
    "amendment",
    AmendmentState,
    [
        Transition("approve", (A.REQUESTED,), A.APPROVED, "amendment.decide", _l("Approve the amendment"), style="success"),
        Transition("reject", (A.REQUESTED,), A.REJECTED, "amendment.decide", _l("Reject the amendment"),
                   reason_required=True, style="outline-danger"),
    ],
    labels={A.REQUESTED: _l("Requested"), A.APPROVED: _l("Approved"), A.REJECTED: _l("Rejected")},
)
AMENDMENT_TONES = {A.REQUESTED: "warning", A.APPROVED: "success", A.REJECTED: "danger"}
