"""API: registrations, their targets, steps, proposals, comments, amendments,
revisions and diffs, under /api/v1.

Edits carry the version they are based on: `If-Match` with the ETag received, or `version`
in the body (or query, for DELETE). Without either the answer is 428; with a stale one, 412.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy import select

from workflow import policy
from workflow.core.api import API_PREFIX, with_etag
from workflow.core.concurrency import claimed_version
from workflow.core.errors import NotFound, ValidationFailed
from workflow.core.pagination import PageArgs, page_payload, page_schema, paginate
from workflow.core.schemas import BaseSchema, Text
from workflow.core.web import get_or_404
from workflow.cycles.models import Cycle
from workflow.cycles.operations import current_cycle
from workflow.extensions import db
from workflow.targets import operations, presenters, queries, revisions
from workflow.targets.models import Amendment, Proposal, Registration, Revision, Target
from workflow.targets.schemas import (
    AmendmentCreateSchema,
    AmendmentDecisionSchema,
    AmendmentSchema,
    ChangeItemSchema,
    CommentCreateSchema,
    CommentSchema,
    DiffArgsSchema,
    DiffSchema,
    ProposalCreateSchema,
    ProposalSchema,
    ProposalStepSchema,
    RegistrationCreateSchema,
    RegistrationFilterSchema,
    RegistrationSchema,
    RegistrationSummarySchema,
    RevisionDetailSchema,
    RevisionSchema,
    TargetPatchSchema,
    TargetSchema,
    TargetWriteSchema,
    TransitionSchema,
)
from workflow.units.models import Unit

blp = Blueprint(
    "registrations_api", __name__, url_prefix=f"{API_PREFIX}/registrations",
    description="Registrations of targets and tasks: register, review, adjust, assign, amend.",
)


def expected_version(obj: Any, data: dict[str, Any] | None = None) -> int | None:
    """The version the client edited: If-Match first, then `version` (checked by the
    operation, after the permission: 428 without either, 412 when stale)."""
    return claimed_version(obj, (data or {}).get("version"))


def _registration(registration_id: int) -> Registration:
    registration = get_or_404(Registration, registration_id)
    policy.require(current_user, "registration.view", registration)
    return registration


def _detail(registration: Registration):
    return with_etag(presenters.detail(registration, current_user), registration)


# --- registrations ---------------------------------------------------------------------------

@blp.get("")
@blp.arguments(RegistrationFilterSchema, location="query")
@blp.response(200, page_schema(RegistrationSummarySchema))
def list_registrations(args):
    page = paginate(queries.registrations(current_user, args), args["page"], args["per_page"], count=queries.registration_count(current_user, args))
    page.items = presenters.summaries(page.items)
    return page_payload(page)


@blp.post("")
@blp.arguments(RegistrationCreateSchema)
@blp.response(201, RegistrationSchema)
def create_registration(data):
    cycle = get_or_404(Cycle, data["cycle_id"]) if data["cycle_id"] else current_cycle()
    if cycle is None:
        raise ValidationFailed({"cycle_id": [gettext("There is no open evaluation cycle.")]})
    unit_id = data["unit_id"] or (min(current_user.head_unit_ids) if current_user.head_unit_ids else None)
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is None:
        raise ValidationFailed({"unit_id": [gettext("Choose the unit you lead.")]})
    registration = operations.create_registration(cycle, unit, actor=current_user)
    db.session.flush()
    return _detail(registration)


@blp.get("/<int:registration_id>")
@blp.response(200, RegistrationSchema)
def get_registration(registration_id: int):
    return _detail(_registration(registration_id))


@blp.post("/<int:registration_id>/transitions")
@blp.arguments(TransitionSchema)
@blp.response(200, RegistrationSchema)
def take_step(data, registration_id: int):
    """Submit, forward to the committee, return to the head (reason) or assign (decision)."""
    registration = _registration(registration_id)
    version = expected_version(registration, data)
    operations.take_step(registration, data["step"], actor=current_user, version=version, reason=data["reason"], decision=data)
    db.session.flush()
    return _detail(registration)


# --- targets ---------------------------------------------------------------------------------

class DropArgs(BaseSchema):
    version = fields.Integer()
    reason = Text(max_length=2000, allow_empty=True, load_default="")


def _values(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("version", "reason")}


@blp.get("/<int:registration_id>/targets")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(TargetSchema))
def list_targets(args, registration_id: int):
    """Every target, dropped ones included (marked `dropped`), in order."""
    registration = _registration(registration_id)
    stmt = select(Target).where(Target.registration_id == registration.id).order_by(Target.position, Target.id)
    return page_payload(paginate(stmt, args["page"], args["per_page"]))


@blp.post("/<int:registration_id>/targets")
@blp.arguments(TargetWriteSchema)
@blp.response(201, TargetSchema)
def create_target(data, registration_id: int):
    """The head adds a target (draft, returned); while under review, the committee's new
    target is a supplementary one (giao bổ sung) and needs a reason."""
    registration = _registration(registration_id)
    target = operations.add_target(registration, _values(data), actor=current_user, reason=data.get("reason", ""))
    db.session.flush()
    return with_etag(target, target)


@blp.get("/<int:registration_id>/targets/<int:target_id>")
@blp.response(200, TargetSchema)
def get_target(registration_id: int, target_id: int):
    target = queries.child_of(_registration(registration_id), Target, target_id)
    return with_etag(target, target)


@blp.patch("/<int:registration_id>/targets/<int:target_id>")
@blp.arguments(TargetPatchSchema(partial=True))
@blp.response(200, TargetSchema)
def update_target(data, registration_id: int, target_id: int):
    target = queries.child_of(_registration(registration_id), Target, target_id)
    version = expected_version(target, data)
    operations.update_target(target, _values(data), actor=current_user, version=version, reason=data.get("reason", ""))
    db.session.flush()
    return with_etag(target, target)


@blp.delete("/<int:registration_id>/targets/<int:target_id>")
@blp.arguments(DropArgs, location="query")
@blp.response(204)
def drop_target(args, registration_id: int, target_id: int):
    target = queries.child_of(_registration(registration_id), Target, target_id)
    version = expected_version(target, args)
    operations.drop_target(target, actor=current_user, version=version, reason=args["reason"])


# --- proposals -------------------------------------------------------------------------------

@blp.get("/<int:registration_id>/proposals")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(ProposalSchema))
def list_proposals(args, registration_id: int):
    registration = _registration(registration_id)
    return page_payload(paginate(queries.proposals(registration), args["page"], args["per_page"]))


@blp.post("/<int:registration_id>/proposals")
@blp.arguments(ProposalCreateSchema)
@blp.response(201, ProposalSchema)
def create_proposal(data, registration_id: int):
    registration = _registration(registration_id)
    proposal = operations.create_proposal(registration, data, actor=current_user, reason=data["reason"])
    db.session.flush()
    return with_etag(proposal, proposal)


@blp.post("/<int:registration_id>/proposals/<int:proposal_id>/decision")
@blp.arguments(ProposalStepSchema)
@blp.response(200, ProposalSchema)
def decide_proposal(data, registration_id: int, proposal_id: int):
    """step: accept, reject (note required) or withdraw (its author)."""
    proposal = queries.child_of(_registration(registration_id), Proposal, proposal_id)
    version = expected_version(proposal, data)
    operations.decide_proposal(proposal, data["step"], actor=current_user, version=version, note=data["note"])
    db.session.flush()
    return with_etag(proposal, proposal)


# --- comments --------------------------------------------------------------------------------

@blp.get("/<int:registration_id>/comments")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(CommentSchema))
def list_comments(args, registration_id: int):
    registration = _registration(registration_id)
    return page_payload(paginate(queries.comments(registration), args["page"], args["per_page"]))


@blp.post("/<int:registration_id>/comments")
@blp.arguments(CommentCreateSchema)
@blp.response(201, CommentSchema)
def create_comment(data, registration_id: int):
    registration = _registration(registration_id)
    comment = operations.add_comment(registration, data["body"], actor=current_user, target_id=data["target_id"])
    db.session.flush()
    return comment


# --- amendments ------------------------------------------------------------------------------

@blp.get("/<int:registration_id>/amendments")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(AmendmentSchema))
def list_amendments(args, registration_id: int):
    registration = _registration(registration_id)
    return page_payload(paginate(queries.amendments(registration), args["page"], args["per_page"]))


@blp.post("/<int:registration_id>/amendments")
@blp.arguments(AmendmentCreateSchema)
@blp.response(201, AmendmentSchema)
def request_amendment(data, registration_id: int):
    registration = _registration(registration_id)
    amendment = operations.request_amendment(registration, data["items"], actor=current_user, reason=data["reason"])
    db.session.flush()
    return with_etag(amendment, amendment)


class AmendmentItemSchema(ChangeItemSchema):
    version = fields.Integer()


@blp.post("/<int:registration_id>/amendments/<int:amendment_id>/items")
@blp.arguments(AmendmentItemSchema)
@blp.response(200, AmendmentSchema)
def add_amendment_item(data, registration_id: int, amendment_id: int):
    """Add one more change to a request not yet decided (its author only)."""
    amendment = queries.child_of(_registration(registration_id), Amendment, amendment_id)
    version = expected_version(amendment, data)
    operations.add_amendment_item(amendment, data, actor=current_user, version=version)
    db.session.flush()
    return with_etag(amendment, amendment)


@blp.post("/<int:registration_id>/amendments/<int:amendment_id>/decision")
@blp.arguments(AmendmentDecisionSchema)
@blp.response(200, AmendmentSchema)
def decide_amendment(data, registration_id: int, amendment_id: int):
    """step: approve (applies the changes) or reject (note required)."""
    amendment = queries.child_of(_registration(registration_id), Amendment, amendment_id)
    version = expected_version(amendment, data)
    operations.decide_amendment(
        amendment, data["step"], actor=current_user, version=version, note=data["note"],
        decision_number=data["decision_number"], decision_date=data["decision_date"],
    )
    db.session.flush()
    return with_etag(amendment, amendment)


# --- history ---------------------------------------------------------------------------------

@blp.get("/<int:registration_id>/revisions")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(RevisionSchema))
def list_revisions(args, registration_id: int):
    registration = _registration(registration_id)
    return page_payload(paginate(queries.revisions(registration), args["page"], args["per_page"]))


@blp.get("/<int:registration_id>/revisions/<int:number>")
@blp.response(200, RevisionDetailSchema)
def get_revision(registration_id: int, number: int):
    registration = _registration(registration_id)
    revision = db.session.scalar(select(Revision).where(Revision.registration_id == registration.id, Revision.number == number))
    if revision is None:
        raise NotFound(gettext("There is no revision %(number)s of this registration.", number=number))
    return revision


@blp.get("/<int:registration_id>/diff")
@blp.arguments(DiffArgsSchema, location="query")
@blp.response(200, DiffSchema)
def get_diff(args, registration_id: int):
    """Two versions side by side; by default as registered against as assigned (or current)."""
    registration = _registration(registration_id)
    default_from, default_to = revisions.default_keys(registration)
    return revisions.diff(revisions.version(registration, args["from_"] or default_from), revisions.version(registration, args["to"] or default_to))



