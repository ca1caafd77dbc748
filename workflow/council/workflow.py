"""The states and steps of the council's objects, each declared in one table.

Scorecard: draft → submitted (the member; locks it) → reopened (the secretary, with a reason)
→ submitted again. Saving a draft is not a step (`operations.save_scorecard`). Cards change
only while the cycle is in scoring and the session's proposal list is not final.

Session: open → finalised (the chair; refused without quorum) → published (the committee,
once every head has a decision and, where its decisions put more heads at the quota's level
than the quota allows, it has recorded the exception: `quota.py`). The chair may reopen a
finalised list, with a reason, while the committee has not decided anything on it: decisions
are taken on a frozen list, and a list that moved under them would make them meaningless.

Objection: filed → upheld (a new decision version is recorded) or rejected (the decision
stands), by the committee, with the outcome written.

Self-assessment: draft → submitted (the head).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workflow.core import audit
from workflow.core.transitions import Transition, Workflow
from workflow.council import queries, quota
from workflow.council.models import (
    CouncilSession,
    Objection,
    ObjectionState,
    Scorecard,
    ScorecardState,
    SelfAssessmentState,
    SessionState,
)
from workflow.council.rules import council_tracks, rubric_of
from workflow.cycles.models import Cycle, CycleState
from workflow.cycles.workflow import guard as cycle_guard
from workflow.cycles.workflow import on_enter
from workflow.extensions import db
from workflow.framework.rules import HEADS
from workflow.scoring.rubric import rubric_from_rules


def _cycle_scoring(cycle) -> str | None:
    if cycle.state != CycleState.SCORING:
        return gettext("The council scores while the cycle is in the scoring phase.")
    return None


def card_changeable(card: Scorecard) -> str | None:
    """Why the card cannot change now (cycle not in scoring, list final), or None."""
    reason = _cycle_scoring(card.registration.cycle)
    if reason:
        return reason
    session = queries.session_of(card.cycle_id)
    if session is not None and session.state != SessionState.OPEN:
        return gettext("The proposal list is final; the chair must reopen it before scores change.")
    return None


def _quorum(session: CouncilSession) -> str | None:
    status = queries.quorum_status(session)
    if not status.met:
        return gettext(
            "No quorum: %(present)s of %(total)s members attend; at least %(needed)s are needed (%(fraction)s).",
            present=status.present, total=status.total, needed=status.needed, fraction=status.fraction,
        )
    return None


def _session_cycle_scoring(session: CouncilSession) -> str | None:
    return _cycle_scoring(session.cycle)


def _no_decisions(session: CouncilSession) -> str | None:
    if queries.decision_count(session.cycle_id):
        return gettext("The committee has already decided on this list; it can no longer be reopened.")
    return None


def _every_head_decided(session: CouncilSession) -> str | None:
    missing = queries.undecided_count(session)
    if missing:
        return gettext("%(count)s heads have no decision yet.", count=missing)
    return None


def _quota_kept_or_excepted(session: CouncilSession) -> str | None:
    return quota.publish_refusal(session)


def _no_leader_to_recheck(session: CouncilSession) -> str | None:
    """A leader whose collective was decided after them waits for the committee's new decision."""
    from workflow.council.collectives import open_rechecks

    waiting = len(open_rechecks(session.cycle_id))
    if waiting:
        return gettext("%(count)s leaders wait for a new decision after the decision on their collective.", count=waiting)
    return None


C = ScorecardState
SCORECARD: Workflow[ScorecardState] = Workflow(
    "scorecard",
    ScorecardState,
    [
        Transition("submit", (C.DRAFT, C.REOPENED), C.SUBMITTED, "council.member.score", _l("Submit the scorecard"),
                   guards=(card_changeable,), style="success"),
        Transition("reopen", (C.SUBMITTED,), C.REOPENED, "council.secretary.reopen", _l("Reopen the scorecard"),
                   guards=(card_changeable,), reason_required=True, style="outline-warning"),
    ],
    labels={C.DRAFT: _l("Draft"), C.SUBMITTED: _l("Scorecard submitted"), C.REOPENED: _l("Reopened")},
)
CARD_TONES = {C.DRAFT: "secondary", C.SUBMITTED: "success", C.REOPENED: "warning"}

S = SessionState
SESSION: Workflow[SessionState] = Workflow(
    "council_session",
    SessionState,
    [
        Transition("finalise", (S.OPEN,), S.FINALISED, "council.chair.finalise", _l("Finalise the proposal list"),
                   guards=(_session_cycle_scoring, _quorum), style="success"),
        Transition("reopen", (S.FINALISED,), S.OPEN, "council.chair.reopen", _l("Reopen the proposal list"),
                   guards=(_no_decisions,), reason_required=True, style="outline-warning"),
        Transition("publish", (S.FINALISED,), S.PUBLISHED, "council.committee.publish", _l("Publish the decisions"),
                   guards=(_every_head_decided, _no_leader_to_recheck, _quota_kept_or_excepted), style="success"),
    ],
    labels={S.OPEN: _l("Open"), S.FINALISED: _l("Proposal list final"), S.PUBLISHED: _l("Decisions published")},
)
SESSION_TONES = {S.OPEN: "info", S.FINALISED: "primary", S.PUBLISHED: "success"}

O = ObjectionState
OBJECTION: Workflow[ObjectionState] = Workflow(
    "objection",
    ObjectionState,
    [
        Transition("uphold", (O.FILED,), O.UPHELD, "council.objection.decide", _l("Uphold: record a new decision"), reason_required=True),
        Transition("reject", (O.FILED,), O.REJECTED, "council.objection.decide", _l("Reject: the decision stands"),
                   reason_required=True, style="outline-danger"),
    ],
    labels={O.FILED: _l("Waiting for the committee"), O.UPHELD: _l("Upheld"), O.REJECTED: _l("Rejected")},
)
OBJECTION_TONES = {O.FILED: "warning", O.UPHELD: "success", O.REJECTED: "secondary"}

A = SelfAssessmentState
SELF_ASSESSMENT: Workflow[SelfAssessmentState] = Workflow(
    "self_assessment",
    SelfAssessmentState,
    [Transition("submit", (A.DRAFT,), A.SUBMITTED, "council.self_assessment.edit", _l("Submit my self-assessment"), style="success")],
    labels={A.DRAFT: _l("Draft"), A.SUBMITTED: _l("Self-assessment submitted")},
)


@cycle_guard("close")
def decisions_published(cycle) -> str | None:
    """A cycle whose heads are evaluated closes once the committee's decisions are published
    and every objection is answered."""
    if not queries.head_count(cycle.id):
        return None
    session = queries.session_of(cycle.id)
    if session is None or session.state != SessionState.PUBLISHED:
        return gettext("The committee's decisions on the heads are not published yet.")
    if db.session.scalar(select(Objection.id).where(Objection.cycle_id == cycle.id, Objection.state == ObjectionState.FILED).limit(1)) is not None:
        return gettext("An objection is still waiting for the committee's answer.")
    return None


@on_enter(CycleState.SCORING)
def snapshot_rubric(cycle: Cycle, actor: Any) -> None:
    """Copy the rubric into the cycle as scoring opens (a new dict, so the JSON column is
    saved). A cycle that already has one keeps it."""
    rules = cycle.rules or {}
    if rules.get("rubric") is None:
        rubric = rubric_from_rules(rules)
        cycle.rules = rules = {**rules, "rubric": rubric.to_snapshot()}
        audit.record("cycle.rubric_snapshot", cycle, actor=actor, summary=cycle.name, data={"rubric_version": rubric.version})
    # The other tracks the council scores (collectives, commune leaders …), each with its own.
    taken = dict(rules.get("track_rubrics") or {})
    for code in council_tracks(cycle):
        if code != HEADS and code not in taken:
            rubric = rubric_of(cycle, code)
            taken[code] = rubric.to_snapshot()
            audit.record("cycle.rubric_snapshot", cycle, actor=actor, summary=f"{cycle.name}: {code}",
                         data={"rubric_version": rubric.version, "track": code})
    if taken != (rules.get("track_rubrics") or {}):
        cycle.rules = {**rules, "track_rubrics": taken}
