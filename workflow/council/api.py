"""API: the advisory council and the committee's classification (/api/v1/council).

Everything the pages do: seats and settings, conflicts, scorecards (GET, PUT with If-Match,
submit, reopen, the engine's preview), progress and reminders, proposals and what-if, the
session and its steps, decisions, objections, results, the chair's figures, discipline records,
self-assessments and the exports. Before a member submits their scorecard for a head, nothing
here shows them another member's score for that head (when the cycle hides scores).
"""

from __future__ import annotations

from typing import Any

from flask import Response, send_file
from flask_babel import gettext
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from workflow import policy
from workflow.accounts.models import Person
from workflow.core.api import API_PREFIX, with_etag
from workflow.core.concurrency import claimed_version
from workflow.core.errors import NotFound, ValidationFailed
from workflow.core.pagination import page_payload, page_schema, paginate
from workflow.core.web import get_or_404
from workflow.council import collectives, operations, presenters, proposals, queries, quota, results
from workflow.council.models import (
    CouncilMember,
    DisciplineRecord,
    Objection,
    Scorecard,
)
from workflow.council.rules import council_rules, council_tracks, rubric_for, rubric_of
from workflow.council.schemas import (
    AcceptedCountSchema,
    AppointSchema,
    ConflictCreateSchema,
    ConflictSchema,
    CollectiveWaiverCreateSchema,
    CollectiveWaiverSchema,
    CouncilSessionSchema,
    LeaderRecheckSchema,
    DecisionCreateSchema,
    DecisionRowSchema,
    DecisionSchema,
    DisciplineCreateSchema,
    DisciplineSchema,
    ExpectedVersionSchema,
    ListArgs,
    ProposalListArgs,
    MemberSchema,
    ObjectionCreateSchema,
    ObjectionSchema,
    ObjectionStepSchema,
    PreviewSchema,
    ProgressRowSchema,
    ProposalRowSchema,
    QuotaExceptionCreateSchema,
    QuotaExceptionSchema,
    QuotaScopeSchema,
    RatersSchema,
    ReasonSchema,
    ReminderResultSchema,
    ResultSchema,
    ScorecardInputSchema,
    ScorecardSchema,
    SelfAssessmentInputSchema,
    SelfAssessmentSchema,
    SessionCreateSchema,
    SessionStepSchema,
    SessionUpdateSchema,
    SettingsSchema,
    SettingsUpdateSchema,
    SlotSchema,
    WhatIfResultSchema,
    WhatIfSchema,
)
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.scoring.rubric import RubricError
from workflow.targets.models import Registration

blp = Blueprint("council_api", __name__, url_prefix=f"{API_PREFIX}/council", description="The advisory council and the committee's classification.")


def _cycle(cycle_id: int, action: str = "council.view") -> Cycle:
    cycle = get_or_404(Cycle, cycle_id)
    policy.require(current_user, action, cycle)
    return cycle


def _slice(items: list[Any], args: dict[str, Any]) -> dict[str, Any]:
    from workflow.core.pagination import Page

    page, per_page = args["page"], args["per_page"]
    return page_payload(Page(items[(page - 1) * per_page: page * per_page], page, per_page, len(items)))


# --- seats, settings, conflicts --------------------------------------------------------------

@blp.get("/cycles/<int:cycle_id>/members")
@blp.response(200, MemberSchema(many=True))
def list_members(cycle_id: int):
    return queries.members(_cycle(cycle_id).id)


@blp.post("/cycles/<int:cycle_id>/members")
@blp.arguments(AppointSchema)
@blp.response(201, MemberSchema)
def appoint(data, cycle_id: int):
    cycle = _cycle(cycle_id)
    person = get_or_404(Person, data["person_id"])
    member = operations.appoint_member(cycle, person, data["position"], actor=current_user)
    db.session.flush()
    return member


@blp.delete("/members/<int:member_id>")
@blp.response(204)
def remove(member_id: int):
    operations.remove_member(get_or_404(CouncilMember, member_id), actor=current_user)


@blp.get("/cycles/<int:cycle_id>/settings")
@blp.response(200, SettingsSchema)
def get_settings(cycle_id: int):
    cycle = _cycle(cycle_id)
    return with_etag(council_rules(cycle), cycle)


@blp.patch("/cycles/<int:cycle_id>/settings")
@blp.arguments(SettingsUpdateSchema)
@blp.response(200, SettingsSchema)
def update_settings(data, cycle_id: int):
    cycle = _cycle(cycle_id)
    policy.require(current_user, "council.settings.edit", cycle)
    version = claimed_version(cycle, data.pop("version"))
    operations.update_settings(cycle, data, actor=current_user, version=version)
    db.session.flush()
    return with_etag(council_rules(cycle), cycle)


@blp.get("/members/<int:member_id>/conflicts")
@blp.response(200, ConflictSchema(many=True))
def list_conflicts(member_id: int):
    member = get_or_404(CouncilMember, member_id)
    policy.require(current_user, "council.member.declare_conflict", member)
    return queries.conflicts_of(member)


@blp.post("/members/<int:member_id>/conflicts")
@blp.arguments(ConflictCreateSchema)
@blp.response(201, ConflictSchema)
def declare_conflict(data, member_id: int):
    member = get_or_404(CouncilMember, member_id)
    registration = get_or_404(Registration, data["registration_id"])
    declaration = operations.declare_conflict(member, registration, data["reason"], actor=current_user)
    db.session.flush()
    return declaration


# --- scorecards ------------------------------------------------------------------------------

@blp.get("/cycles/<int:cycle_id>/my-scorecards")
@blp.arguments(ListArgs, location="query")
@blp.response(200, page_schema(SlotSchema))
def my_scorecards(args, cycle_id: int):
    """The heads of the cycle with the state of your scorecard for each (or why you are recused)."""
    cycle = _cycle(cycle_id, "council.member.scorecards")
    member = queries.member_of(current_user, cycle.id)
    heads = queries.heads(cycle.id)
    slots = queries.slots(cycle.id, [member], heads)
    cards = {c.registration_id: c.id for c in db.session.scalars(select(Scorecard).where(Scorecard.member_id == member.id))}
    return _slice([_slot(slots[(member.id, h.id)], cards.get(h.id)) for h in heads], args)


def _slot(slot: queries.Slot, card_id: int | None) -> dict[str, Any]:
    return {"registration_id": slot.registration.id, "head": slot.registration.head.full_name, "unit": slot.registration.unit.name,
            "member_id": slot.member.id, "state": slot.state, "recusal": slot.recusal.value if slot.recusal else None, "scorecard_id": card_id}


@blp.post("/cycles/<int:cycle_id>/heads/<int:registration_id>/scorecard")
@blp.response(200, ScorecardSchema)
def open_scorecard(cycle_id: int, registration_id: int):
    """Your scorecard for the head, created the first time."""
    cycle = _cycle(cycle_id, "council.member.scorecards")
    registration = queries.of_cycle(cycle.id, Registration, registration_id)
    member = queries.member_of(current_user, cycle.id)
    card = operations.open_scorecard(member, registration, actor=current_user)
    db.session.flush()
    return with_etag(card, card)


def _own_card(card_id: int) -> Scorecard:
    card = get_or_404(Scorecard, card_id)
    if card.member.person_id != current_user.id:
        # Another member's card is never shown through this endpoint (hidden scores).
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    return card


@blp.get("/scorecards/<int:card_id>")
@blp.response(200, ScorecardSchema)
def get_scorecard(card_id: int):
    card = _own_card(card_id)
    return with_etag(card, card)


@blp.put("/scorecards/<int:card_id>")
@blp.arguments(ScorecardInputSchema)
@blp.response(200, ScorecardSchema)
def save_scorecard(data, card_id: int):
    card = _own_card(card_id)
    version = claimed_version(card, data.pop("version"))
    operations.save_scorecard(card, data, actor=current_user, version=version)
    db.session.flush()
    return with_etag(card, card)


@blp.post("/scorecards/<int:card_id>/preview")
@blp.arguments(ScorecardInputSchema)
@blp.response(200, PreviewSchema)
def preview_scorecard(data, card_id: int):
    """The engine's figures for these inputs (nothing saved): every target's line, the total
    and the level it implies."""
    card = _own_card(card_id)
    data.pop("version", None)
    evaluation, complete = operations.preview(card, data, actor=current_user)
    return presenters.evaluation_payload(evaluation, rubric_for(card.registration), complete=complete)


@blp.post("/scorecards/<int:card_id>/submit")
@blp.arguments(ExpectedVersionSchema)
@blp.response(200, ScorecardSchema)
def submit_scorecard(data, card_id: int):
    card = _own_card(card_id)
    version = claimed_version(card, data["version"])
    operations.submit_scorecard(card, actor=current_user, version=version)
    db.session.flush()
    return with_etag(card, card)


@blp.post("/scorecards/<int:card_id>/reopen")
@blp.arguments(ReasonSchema)
@blp.response(200, SlotSchema)
def reopen_scorecard(data, card_id: int):
    """The secretary reopens a submitted card (its scores are not shown here)."""
    card = get_or_404(Scorecard, card_id)
    policy.require(current_user, "council.secretary.reopen", card)
    version = claimed_version(card, data["version"])
    operations.reopen_scorecard(card, actor=current_user, version=version, reason=data["reason"])
    db.session.flush()
    return {"registration_id": card.registration_id, "head": card.registration.head.full_name, "unit": card.registration.unit.name,
            "member_id": card.member_id, "state": card.state.value, "recusal": None, "scorecard_id": card.id}


# --- progress and reminders ------------------------------------------------------------------

@blp.get("/cycles/<int:cycle_id>/progress")
@blp.arguments(ListArgs, location="query")
@blp.response(200, page_schema(ProgressRowSchema))
def progress(args, cycle_id: int):
    """Who has scored whom: for each head, each member's card state (no scores)."""
    cycle = _cycle(cycle_id, "council.secretary.progress")
    members = queries.members(cycle.id)
    heads = queries.heads(cycle.id)
    payload = _slice(heads, args)
    page = payload["items"]
    slots = queries.slots(cycle.id, members, page)
    cards = {(m, r): c for c, m, r in db.session.execute(
        select(Scorecard.id, Scorecard.member_id, Scorecard.registration_id).where(Scorecard.registration_id.in_([h.id for h in page] or [-1])))}
    payload["items"] = [{"registration_id": h.id, "head": h.head.full_name, "unit": h.unit.name,
                         "cells": [_slot(slots[(m.id, h.id)], cards.get((m.id, h.id))) for m in members]} for h in page]
    return payload


@blp.post("/members/<int:member_id>/remind")
@blp.response(200, ReminderResultSchema)
def remind(member_id: int):
    return {"queued": operations.remind_member(get_or_404(CouncilMember, member_id), actor=current_user)}


# --- proposals -------------------------------------------------------------------------------

def _track(cycle: Cycle, code: str) -> str:
    if code not in council_tracks(cycle):
        raise ValidationFailed({"track": [gettext("The council does not score this track in this cycle.")]})
    return code


@blp.get("/cycles/<int:cycle_id>/proposals")
@blp.arguments(ProposalListArgs, location="query")
@blp.response(200, page_schema(ProposalRowSchema))
def list_proposals(args, cycle_id: int):
    """The proposals as computed now, a page of heads. Rows of heads whose scores you may not
    see yet come with `hidden` and no figures."""
    cycle = _cycle(cycle_id, "council.proposals.view")
    panel = proposals.compute(cycle, track=_track(cycle, args["track"]))
    payload = _slice(panel.heads, args)
    heads = payload["items"]
    rows = presenters.proposal_rows(panel, heads, queries.hidden_heads(current_user, cycle, [h.registration_id for h in heads]))
    presenters.attach_names(rows, heads)
    payload["items"] = rows
    return payload


@blp.post("/cycles/<int:cycle_id>/what-if")
@blp.arguments(WhatIfSchema)
@blp.response(200, WhatIfResultSchema)
def what_if(data, cycle_id: int):
    """Which heads would change level with other rules; nothing is saved."""
    cycle = _cycle(cycle_id, "council.what_if")
    panel = proposals.compute(cycle, track=_track(cycle, data["track"]))
    try:
        result = panel.what_if(data["changes"])
    except RubricError as exc:
        raise ValidationFailed({"changes": exc.problems}) from None
    names = {h.registration_id: h for h in panel.heads}
    return {
        "changes": [{"registration_id": c.head, "head": names[c.head].unit_name, "before": c.before, "after": c.after,
                     "before_status": c.before_status.value, "after_status": c.after_status.value} for c in result.changes],
        "counts": {k: list(v) for k, v in result.counts.items()},
    }


@blp.get("/cycles/<int:cycle_id>/raters")
@blp.response(200, RatersSchema)
def raters(cycle_id: int):
    cycle = _cycle(cycle_id, "council.chair.raters")
    return presenters.raters(cycle, proposals.compute(cycle))


# --- the session -----------------------------------------------------------------------------

def _session_body(session: Any) -> Any:
    status = queries.quorum_status(session)
    body = {c: getattr(session, c) for c in ("id", "cycle_id", "held_on", "place", "notes", "state", "round", "finalised_at", "published_at",
                                             "objection_deadline", "version")}
    body["attendee_ids"] = [m.id for m in session.attendees]
    body["quorum"] = {"present": status.present, "total": status.total, "needed": status.needed, "fraction": status.fraction, "met": status.met}
    return with_etag(body, session)


@blp.get("/cycles/<int:cycle_id>/session")
@blp.response(200, CouncilSessionSchema)
def get_session(cycle_id: int):
    session = queries.session_or_404(_cycle(cycle_id).id)
    return _session_body(session)


@blp.post("/cycles/<int:cycle_id>/session")
@blp.arguments(SessionCreateSchema)
@blp.response(201, CouncilSessionSchema)
def create_session(data, cycle_id: int):
    session = operations.open_session(_cycle(cycle_id), actor=current_user, held_on=data["held_on"], place=data["place"])
    db.session.flush()
    return _session_body(session)


@blp.put("/cycles/<int:cycle_id>/session")
@blp.arguments(SessionUpdateSchema)
@blp.response(200, CouncilSessionSchema)
def update_session(data, cycle_id: int):
    session = queries.session_or_404(_cycle(cycle_id).id)
    policy.require(current_user, "council.secretary.session", session)
    version = claimed_version(session, data.get("version"))
    operations.update_session(session, actor=current_user, version=version, held_on=data["held_on"], place=data.get("place", ""),
                              notes=data.get("notes", ""), attendee_ids=data.get("attendee_ids", []))
    db.session.flush()
    return _session_body(session)


@blp.post("/cycles/<int:cycle_id>/session/steps")
@blp.arguments(SessionStepSchema)
@blp.response(200, CouncilSessionSchema)
def session_step(data, cycle_id: int):
    """finalise (the chair), reopen (the chair, with a reason) or publish (the committee)."""
    session = queries.session_or_404(_cycle(cycle_id).id)
    version = claimed_version(session, data["version"])
    if data["step"] == "finalise":
        operations.finalise_session(session, actor=current_user, version=version)
    elif data["step"] == "reopen":
        operations.reopen_session(session, actor=current_user, version=version, reason=data["reason"])
    else:
        operations.publish(session, actor=current_user, version=version)
    db.session.flush()
    return _session_body(session)


# --- decisions -------------------------------------------------------------------------------

@blp.get("/cycles/<int:cycle_id>/decisions")
@blp.arguments(ListArgs, location="query")
@blp.response(200, page_schema(DecisionRowSchema))
def list_decisions(args, cycle_id: int):
    """The frozen proposal list with the decision in force for each head."""
    cycle = _cycle(cycle_id, "council.decisions.view")
    heads, frozen = results.decision_rows(cycle, queries.session_of(cycle.id), current_user)
    payload = _slice(heads, args)
    page = payload["items"]
    decided = queries.latest_decisions(cycle.id)
    names = dict(db.session.execute(select(Person.id, Person.full_name).where(Person.id.in_({h.head_id for h in page} or {-1}))).all())
    rubric = rubric_of(cycle)
    discipline = presenters.discipline_notes(cycle.id)

    def item(h: Any) -> dict[str, Any]:
        proposal, decision = frozen[h.registration_id], decided.get(h.registration_id)
        why = presenters.frozen_explanation(proposal, rubric, decision, discipline.get(h.registration_id, ""))
        return {"registration_id": h.registration_id, "head": names.get(h.head_id, ""), "unit": h.unit_name, "proposal_id": proposal.id,
                "panel_score": proposal.panel_score, "proposed_level": proposal.level, "options": proposal.options, "flags": proposal.flags,
                "decision": decision, "level_explanation": presenters.explanation_payload(why)}

    payload["items"] = [item(h) for h in page]
    return payload


@blp.post("/cycles/<int:cycle_id>/decisions/<int:registration_id>")
@blp.arguments(DecisionCreateSchema)
@blp.response(201, DecisionSchema)
def decide(data, cycle_id: int, registration_id: int):
    """A new decision version for the head: the proposal's level (level empty) or another, with
    a reason."""
    cycle = _cycle(cycle_id, "council.committee.decide")
    proposal = queries.proposal_for(queries.session_of(cycle.id), registration_id)
    if proposal is None:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    decision = operations.decide(proposal, actor=current_user, level=data["level"], reason=data["reason"])
    db.session.flush()
    return decision


@blp.post("/cycles/<int:cycle_id>/decisions/accept-all")
@blp.response(200, AcceptedCountSchema)
def accept_all(cycle_id: int):
    cycle = _cycle(cycle_id, "council.committee.decide")
    session = queries.session_or_404(cycle.id)
    return {"count": operations.accept_all(session, actor=current_user)}


@blp.get("/cycles/<int:cycle_id>/quota")
@blp.response(200, QuotaScopeSchema(many=True))
def quota_scopes(cycle_id: int):
    """The quota as the committee's decisions stand, scope by scope (a head not decided yet counts
    at the level proposed), with the exception recorded where the decisions exceed it."""
    cycle = _cycle(cycle_id, "council.what_if")
    session = queries.session_of(cycle.id)
    return quota.scopes(session) if session is not None and session.round else []


@blp.post("/cycles/<int:cycle_id>/quota/exceptions")
@blp.arguments(QuotaExceptionCreateSchema)
@blp.response(201, QuotaExceptionSchema)
def record_quota_exception(data, cycle_id: int):
    """The committee records why, and on which legal basis, it decides more heads at the quota's
    level in a scope than the quota allows; publishing is refused until it has."""
    cycle = _cycle(cycle_id, "council.committee.decide")
    exception = operations.record_quota_exception(queries.session_or_404(cycle.id), data["group_id"], actor=current_user,
                                                  reason=data["reason"], legal_basis=data["legal_basis"], track=data["track"])
    db.session.flush()
    return exception


@blp.get("/cycles/<int:cycle_id>/collective-waivers")
@blp.response(200, CollectiveWaiverSchema(many=True))
def collective_waivers(cycle_id: int):
    """The collectives whose leaders the committee decides before them, each with its reason."""
    cycle = _cycle(cycle_id, "council.decisions.view")
    return collectives.waivers(cycle.id)


@blp.post("/cycles/<int:cycle_id>/collective-waivers")
@blp.arguments(CollectiveWaiverCreateSchema)
@blp.response(201, CollectiveWaiverSchema)
def record_collective_waiver(data, cycle_id: int):
    """The committee decides the leaders of a collective before it (collectives come first), and
    records why; until then deciding such a leader is refused (409), naming the collectives."""
    cycle = _cycle(cycle_id, "council.committee.waive")
    waiver = operations.record_collective_waiver(queries.session_or_404(cycle.id), queries.of_cycle(cycle.id, Registration, data["collective_id"]),
                                                 actor=current_user, reason=data["reason"])
    db.session.flush()
    return waiver


@blp.get("/cycles/<int:cycle_id>/rechecks")
@blp.response(200, LeaderRecheckSchema(many=True))
def leader_rechecks(cycle_id: int):
    """The leaders whose collective was decided after them, waiting for the committee's new
    decision, with their results recomputed."""
    cycle = _cycle(cycle_id, "council.decisions.view")
    return list(collectives.open_rechecks(cycle.id).values())


@blp.get("/results/<int:registration_id>/decisions")
@blp.response(200, DecisionSchema(many=True))
def decision_history(registration_id: int):
    _result_registration(registration_id)
    return queries.decision_history(registration_id)


# --- results, objections, discipline, self-assessment ----------------------------------------

def _result_registration(registration_id: int) -> tuple[Registration, bool]:
    return results.result_registration(registration_id, current_user)


@blp.get("/results/<int:registration_id>")
@blp.response(200, ResultSchema)
def result(registration_id: int):
    """A head's result: the level and, when a rule put it below what the points alone give, the
    sentence that says which (`level_explanation`), the panel score, the proposal, the decision
    with its reason, every target's figures. Never which member gave which score; the spread of
    the scores only for the council's officers and the committee."""
    registration, officials = _result_registration(registration_id)
    ctx = results.result_context(registration, officials)
    row, decision, session = ctx["proposal_row"], ctx["decision"], ctx["session"]
    return {
        "registration_id": registration.id, "head": registration.head.full_name, "unit": registration.unit.name, "cycle": registration.cycle.name,
        "published": session is not None and session.state.value == "published",
        "panel_score": row["panel_score"] if row else None, "ratings": row["ratings"] if row else None,
        # The spread is a panel statistic: for the council's officers and the committee, not the head.
        "spread": row["spread"] if row and officials else None,
        "proposed_level": row["level"] if row else None, "level": decision.level if decision else None,
        "level_explanation": ctx["level_explanation"],
        "not_classified": ctx["not_classified"].sentence() if ctx["not_classified"] else None,
        "decision_reason": decision.reason if decision else None, "objection_deadline": session.objection_deadline if session else None,
        "lines": [{"target_id": ln.target.id, "title": ln.target.title, "kind": ln.target.kind.value, "weight": ln.target.weight,
                   "quantity_percent": ln.result.quantity_percent, "quality_percent": ln.result.quality_percent,
                   "timeliness_percent": ln.result.timeliness_percent, "deduction_percent": ln.result.deduction_percent,
                   "result_percent": ln.result.result_percent, "notes": ln.notes} for ln in ctx["lines"]],
        "objections": ctx["objections"],
    }


@blp.post("/results/<int:registration_id>/objections")
@blp.arguments(ObjectionCreateSchema)
@blp.response(201, ObjectionSchema)
def file_objection(data, registration_id: int):
    objection = operations.file_objection(get_or_404(Registration, registration_id), data["text"], actor=current_user)
    db.session.flush()
    return with_etag(objection, objection)


@blp.get("/cycles/<int:cycle_id>/objections")
@blp.arguments(ListArgs, location="query")
@blp.response(200, page_schema(ObjectionSchema))
def list_objections(args, cycle_id: int):
    cycle = _cycle(cycle_id, "council.decisions.view")
    return page_payload(paginate(select(Objection).where(Objection.cycle_id == cycle.id).order_by(Objection.filed_at), args["page"], args["per_page"]))


@blp.post("/objections/<int:objection_id>/steps")
@blp.arguments(ObjectionStepSchema)
@blp.response(200, ObjectionSchema)
def decide_objection(data, objection_id: int):
    """uphold (with the new level) or reject, with the committee's answer."""
    objection = get_or_404(Objection, objection_id)
    version = claimed_version(objection, data["version"])
    operations.decide_objection(objection, data["step"], actor=current_user, version=version, outcome=data["outcome"], level=data["level"])
    db.session.flush()
    return with_etag(objection, objection)


@blp.post("/registrations/<int:registration_id>/discipline")
@blp.arguments(DisciplineCreateSchema)
@blp.response(201, DisciplineSchema)
def record_discipline(data, registration_id: int):
    record = operations.record_discipline(get_or_404(Registration, registration_id), actor=current_user, **data)
    db.session.flush()
    return record


@blp.delete("/registrations/<int:registration_id>/discipline")
@blp.arguments(ReasonSchema)
@blp.response(204)
def remove_discipline(data, registration_id: int):
    record = db.session.scalar(select(DisciplineRecord).where(DisciplineRecord.registration_id == registration_id))
    if record is None:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    operations.remove_discipline(record, actor=current_user, reason=data["reason"])


@blp.get("/registrations/<int:registration_id>/self-assessment")
@blp.response(200, SelfAssessmentSchema)
def get_self_assessment(registration_id: int):
    registration = get_or_404(Registration, registration_id)
    policy.require(current_user, "council.self_assessment.edit", registration)
    item = queries.self_assessment_of(registration)
    if item is None:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    return with_etag(item, item)


@blp.put("/registrations/<int:registration_id>/self-assessment")
@blp.arguments(SelfAssessmentInputSchema)
@blp.response(200, SelfAssessmentSchema)
def save_self_assessment(data, registration_id: int):
    registration = get_or_404(Registration, registration_id)
    item = queries.self_assessment_of(registration)
    version = claimed_version(item, data.pop("version")) if item is not None else None
    item = operations.save_self_assessment(registration, data, actor=current_user, version=version)
    db.session.flush()
    return with_etag(item, item)


@blp.post("/registrations/<int:registration_id>/self-assessment/submit")
@blp.arguments(ExpectedVersionSchema)
@blp.response(200, SelfAssessmentSchema)
def submit_self_assessment(data, registration_id: int):
    item = queries.self_assessment_of(get_or_404(Registration, registration_id))
    if item is None:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    version = claimed_version(item, data["version"])
    operations.submit_self_assessment(item, actor=current_user, version=version)
    db.session.flush()
    return with_etag(item, item)


# --- exports ---------------------------------------------------------------------------------

@blp.get("/cycles/<int:cycle_id>/export.xlsx")
@blp.response(200, {"format": "binary", "type": "string"}, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
def export(cycle_id: int):
    from workflow.council.export import workbook_file

    cycle = _cycle(cycle_id, "council.export")
    return send_file(workbook_file(cycle), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", as_attachment=True,
                     download_name=f"danh-gia-xep-loai-{cycle.year}.xlsx")


@blp.get("/results/<int:registration_id>/sheet.pdf")
@blp.response(200, {"format": "binary", "type": "string"}, content_type="application/pdf")
def sheet(registration_id: int):
    registration, officials = _result_registration(registration_id)
    return Response(results.sheet_pdf(registration, officials), mimetype="application/pdf")
