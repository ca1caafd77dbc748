"""A head's result as the result page, the API and the printed evaluation sheet show it: who may
open it, the view-model of the result (level, breakdown, panel score, decision, objections) and
the committee's list of decided heads. Reads only; nothing here changes state or commits."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale, gettext
from sqlalchemy import select

from workflow import policy
from workflow.core import formats
from workflow.core.errors import NotFound, PermissionDenied
from workflow.core.web import get_or_404
from workflow.council import operations, presenters, proposals, queries
from workflow.council.collectives import COLLECTIVES, open_rechecks
from workflow.council.models import DisciplineRecord, LeaderRecheck, Objection, ScorecardState
from workflow.council.rules import council_tracks, rubric_of
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.targets.models import Registration


def result_registration(registration_id: int, person: Any) -> tuple[Registration, bool]:
    """The registration, and whether `person` may see which member gave which score (the
    committee, administrators, the council's chair and secretary). The page is theirs and the
    head's; each sees it once they may see the head's scores (`council.scores.view`): the head
    once published, the chair and the secretary, who score too, once their own card is in."""
    registration = get_or_404(Registration, registration_id)
    policy.require(person, "council.result.view", registration)
    if not policy.can(person, "council.scores.view", registration):
        if registration.unit_id in person.head_unit_ids:
            raise NotFound(gettext("Your result is not published yet."))
        raise PermissionDenied(gettext("Hidden until you submit your own scorecard for this head."))
    return registration, policy.can(person, "council.member_scores.view", registration)


def decision_rows(cycle: Cycle, session: Any, person: Any) -> tuple[list[Any], dict[int, Any]]:
    """The heads of the frozen proposal list whose scores `person` may see, and the list."""
    frozen = queries.frozen_proposals(session) if session and session.round else {}
    hidden = queries.hidden_heads(person, cycle, frozen)
    heads = [h for track in council_tracks(cycle) for h in proposals.heads_of(cycle.id, track)]
    return [h for h in heads if h.registration_id in frozen and h.registration_id not in hidden], frozen


def result_context(registration: Registration, officials: bool) -> dict[str, Any]:
    from workflow.selfscoring.standing import not_classified

    """What the result page, the API and the printed sheet show. A head sees their level, the
    breakdown of every target (figures and the council's changed figures with their reasons),
    the panel score with its spread and number of scores, the proposal and the decision with its
    reason; never which member gave which score. Officials also see each member's total."""
    cycle = registration.cycle
    context = queries.card_context(registration)
    rubric = context.rubric
    session = queries.session_of(cycle.id)
    proposal = queries.proposal_for(session, registration.id)
    decision = queries.latest_decision(registration.id)
    cards = [c for c in queries.cards_for_head(registration.id) if c.state == ScorecardState.SUBMITTED]
    # The breakdown shows the system's figures with every change a member made (each with its
    # reason), as the median member's card computed them.
    median_card = sorted(cards, key=lambda c: (c.total, c.id))[(len(cards) - 1) // 2] if cards else None
    judgements = median_card.judgements if median_card else {}
    general = median_card.general if median_card else {}
    evaluation = operations.compute(general, judgements, context, fill_missing=True)
    dossier = presenters.dossier(registration, context)
    all_overrides = [
        {"card": c, "target_id": int(t), **o} for c in cards for t, j in c.judgements.items() for o in j.get("overrides", [])
    ]
    titles = {t.id: t.title for t in dossier.targets}
    recheck = open_rechecks(cycle.id, [registration.id]).get(registration.id)
    discipline = db.session.scalar(select(DisciplineRecord).where(DisciplineRecord.registration_id == registration.id))
    row = presenters.frozen_row(proposal, rubric, decision, presenters.discipline_note(discipline.reference, discipline.reason) if discipline else "") if proposal else None
    return {
        "registration": registration, "cycle": cycle, "rubric": rubric, "session": session, "proposal": proposal,
        "proposal_row": row, "level_explanation": row["level_explanation"] if row else None, "decision": decision,
        "history": queries.decision_history(registration.id), "lines": presenters.breakdown(dossier.targets, dossier.facts, evaluation, rubric, judgements),
        "evaluation": evaluation, "dossier": dossier, "cards": cards if officials else [], "overrides": all_overrides, "titles": titles,
        "objections": db.session.scalars(select(Objection).where(Objection.registration_id == registration.id).order_by(Objection.filed_at)).all(),
        "window": queries.objection_window(session), "officials": officials, "level_names": presenters.level_names(rubric),
        "level_tone": presenters.level_toner(rubric), "discipline": discipline,
        "discipline_refusal": queries.discipline_refusal(registration),
        "discipline_categories": presenters.DISCIPLINE_CATEGORIES, "discipline_forms": presenters.DISCIPLINE_FORMS,
        # A collective decided after this leader: the result waits for the committee's new decision.
        "recheck_note": recheck_note(recheck, rubric, registration.cycle) if recheck is not None else None,
        # The 12-month rule: a collective without the months of self-scoring recognised has no level.
        "not_classified": not_classified(cycle, [registration.id]).get(registration.id) if registration.track.code == COLLECTIVES else None,
    }


def recheck_note(recheck: LeaderRecheck, rubric: Any, cycle: Cycle) -> str:
    """The sentence that says why a leader waits for a new decision, in the officials' words."""
    names = presenters.level_names(rubric)
    collective = recheck.collective_decision.registration
    collective_level = presenters.level_names(rubric_of(cycle, COLLECTIVES)).get(recheck.collective_level, recheck.collective_level)
    before = recheck.decided_level or recheck.proposed_level
    return gettext(
        "To be decided again: the collective %(unit)s was decided %(level)s on %(at)s, after this leader was scored or decided "
        "(%(before)s). Recomputed with the collective's level, the council's proposal is %(recomputed)s.",
        unit=collective.unit.name, level=collective_level, at=formats.day_time(recheck.created_at),
        before=names.get(before, before) if before else "—",
        recomputed=names.get(recheck.recomputed_level, recheck.recomputed_level) if recheck.recomputed_level else gettext("not settled (a tie at the quota's cut)"))


def sheet_pdf(registration: Registration, officials: bool) -> bytes:
    """The evaluation sheet, in Vietnamese whatever the reader's language: it is filed."""
    from workflow.council.sheet import evaluation_sheet

    with force_locale("vi"):
        return evaluation_sheet(result_context(registration, officials))
