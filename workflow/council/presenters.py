"""What the council's pages, the API and the exports show besides the columns: the dossier of a
head (targets with their changes and reasons, the four quarterly reports, evidence, requests
and directions, the self-assessment), the engine's breakdown line by line, the scoring form's
inputs, and the proposal list's rows with their explanations.

Who may see what is decided by the policy (`council.scores.view` and its SQL counterpart
`queries.scores_seen_by`), asked by the views and the API; this module only builds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict

from workflow.core import formats
from workflow.council.inputs import Evaluation
from workflow.council.models import Decision, DisciplineCategory, DisciplineForm, DisciplineRecord, LevelProposal
from workflow.council.queries import CardContext, self_assessment_of
from workflow.extensions import db
from workflow.reports.facts import TargetFacts
from workflow.reports.models import (
    Evidence,
    QuarterlyReport,
    SupportDirection,
    SupportRequest,
)
from workflow.scoring.engine import FIGURES, QUOTA_MOVES, Facts, Proposal, TargetResult, level_trace
from workflow.scoring import frozen
from workflow.scoring.explain import LevelExplanation, describe, explain_level
from workflow.scoring.rubric import Rubric
from workflow.targets import revisions
from workflow.targets.models import (
    Registration,
    Revision,
    RevisionKind,
    Target,
    TargetKind,
)
from workflow.targets.operations import targets_in_force

# Revisions after the first submission that change what was registered, with their reasons.
CHANGE_KINDS = (RevisionKind.EDITED, RevisionKind.SUPPLEMENTED, RevisionKind.PROPOSAL_ACCEPTED, RevisionKind.AMENDED)


def locale() -> str:
    return str(get_locale() or "vi") if has_request_context() else "vi"


def level_name(rubric: Rubric, code: str | None) -> str:
    if not code:
        return ""
    try:
        return rubric.level(code).name.get(locale())
    except KeyError:
        return code


def level_names(rubric: Rubric) -> dict[str, str]:
    return {level.code: level.name.get(locale()) for level in rubric.levels}


LEVEL_TONES = {0: "success", 1: "primary", 2: "info", 3: "danger"}


def level_tone(rubric: Rubric, code: str | None) -> str:
    if not code or code not in rubric.level_codes:
        return "secondary"
    index = rubric.level_codes.index(code)
    return "danger" if index == len(rubric.levels) - 1 else LEVEL_TONES.get(index, "info")


def level_toner(rubric: Rubric) -> Any:
    """`level_tone` bound to the rubric, as the templates' level badges call it."""
    return lambda code: level_tone(rubric, code)


# --- the dossier -----------------------------------------------------------------------------

@dataclass
class Dossier:
    """Everything the council reads about one head (hồ sơ đánh giá)."""

    registration: Registration
    targets: list[Target]
    facts: dict[int, TargetFacts]
    changes: list[Revision]  # revisions that changed what was registered, with their reasons
    diff: revisions.Diff
    reports: dict[int, QuarterlyReport]
    evidence: dict[int, list[Evidence]]  # by quarter
    requests: list[SupportRequest]
    self_assessment: Any
    charts: list[dict[str, Any]] = field(default_factory=list)


def dossier(registration: Registration, context: CardContext) -> Dossier:
    targets = targets_in_force(registration)
    facts = {f.target_id: f for f in context.facts}
    changes = list(
        db.session.scalars(
            select(Revision).where(Revision.registration_id == registration.id, Revision.kind.in_(CHANGE_KINDS)).options(joinedload(Revision.actor)).order_by(Revision.number)
        )
    )
    before_key, after_key = revisions.default_keys(registration)
    diff = revisions.diff(revisions.version(registration, before_key), revisions.version(registration, "current"))
    reports = {r.quarter: r for r in db.session.scalars(select(QuarterlyReport).where(QuarterlyReport.registration_id == registration.id).options(selectinload(QuarterlyReport.entries)))}
    evidence: dict[int, list[Evidence]] = {q: [] for q in (1, 2, 3, 4)}
    by_report = {r.id: q for q, r in reports.items()}
    if by_report:
        for item in db.session.scalars(select(Evidence).where(Evidence.report_id.in_(by_report), Evidence.removed_at.is_(None)).order_by(Evidence.id)):
            evidence[by_report[item.report_id]].append(item)
    requests = list(
        db.session.scalars(
            select(SupportRequest)
            .where(SupportRequest.report_id.in_(by_report or [-1]))
            .options(joinedload(SupportRequest.created_by), joinedload(SupportRequest.target), joinedload(SupportRequest.report),
                     selectinload(SupportRequest.directions).joinedload(SupportDirection.author))
            .order_by(SupportRequest.created_at)
        )
    )
    charts = []
    for t in targets:
        if t.kind != TargetKind.QUANTITATIVE:
            continue
        actuals = facts[t.id].actuals if t.id in facts else {}
        charts.append({
            "id": t.id,
            "title": t.title,
            "measure": t.measure,
            "labels": [formats.quarter(q) for q in (1, 2, 3, 4)],
            "plan": [float(v) if v is not None else None for v in t.quarter_plan],
            "actual": [float(actuals[q]) if q in actuals else None for q in (1, 2, 3, 4)],
            "target": float(t.target_value) if t.target_value is not None else None,
        })
    return Dossier(registration, targets, facts, changes, diff, reports, evidence, requests, self_assessment_of(registration), charts)


# --- the breakdown ---------------------------------------------------------------------------

@dataclass
class Line:
    """One target's line of the breakdown as a page shows it."""

    target: Target
    facts: TargetFacts | None
    result: TargetResult
    points: Decimal
    share: Decimal
    notes: list[str]
    overrides: dict[str, dict[str, Any]]  # figure → {value, reason, by, at, original}


def breakdown(targets: Sequence[Target], facts: Mapping[int, TargetFacts], evaluation: Evaluation, rubric: Rubric,
              judgements: Mapping[str, Any] | None = None) -> list[Line]:
    points = {p.code: p for p in evaluation.task_points.lines}
    results = {r.code: r for r in evaluation.results}
    lines = []
    for t in targets:
        code = str(t.id)
        result = results.get(code)
        if result is None:
            continue
        stored = {o["figure"]: dict(o) for o in ((judgements or {}).get(code) or {}).get("overrides", [])}
        for applied in result.overrides:
            stored.setdefault(applied.figure, {"value": str(applied.overridden), "reason": applied.reason, "by": applied.by})
            stored[applied.figure]["original"] = applied.original
        lines.append(Line(t, facts.get(t.id), result, points[code].points, points[code].share_percent, [describe(n, rubric) for n in result.notes], stored))
    return lines


def evaluation_payload(evaluation: Evaluation, rubric: Rubric, *, complete: bool = True) -> dict[str, Any]:
    """The live figures the scoring page's script shows, as the engine computed them."""
    total = evaluation.total
    return {
        "complete": complete,
        "general_points": str(total.general_points),
        "task_points": str(total.task_points),
        "subordinate_deduction": str(total.subordinate_deduction),
        "total": str(total.total),
        "level": evaluation.classification.level,
        "level_name": level_name(rubric, evaluation.classification.level),
        "failed": [e.sentence for e in (card_explanation(evaluation, rubric),) if e],
        "targets": [
            {
                "target_id": int(r.code), "quantity_percent": str(r.quantity_percent), "quality_percent": str(r.quality_percent),
                "timeliness_percent": str(r.timeliness_percent), "combined_percent": str(r.combined_percent), "errors": r.errors,
                "delays": r.delays, "deduction_percent": str(r.deduction_percent), "result_percent": str(r.result_percent),
                "points": str(p.points), "done": r.done, "on_time": r.on_time, "exceeded": r.exceeded,
                "notes": [describe(n, rubric) for n in r.notes],
            }
            for r, p in zip(evaluation.results, evaluation.task_points.lines, strict=True)
        ],
        "notes": [describe(n, rubric) for n in (*evaluation.task_points.notes, *total.notes)],
    }


# --- the scoring form ------------------------------------------------------------------------

def form_to_data(form: MultiDict[str, str], targets: Sequence[Target], rubric: Rubric) -> dict[str, Any]:
    """The scoring form's inputs as `operations.save_scorecard` reads them. Inputs are named
    general.<criterion>, j.<target>.<field> and o.<target>.<figure>.value / .reason."""
    general = {c.code: form.get(f"general.{c.code}", "").strip() for c in rubric.general}
    judgements: dict[str, Any] = {}
    for t in targets:
        code = str(t.id)
        item: dict[str, Any] = {}
        for name in ("errors", "delays", "quality_percent"):
            value = form.get(f"j.{code}.{name}", "").strip()
            if value:
                item[name] = value
        if form.get(f"j.{code}.exceeded"):
            item["exceeded"] = True
        overrides = []
        for figure in FIGURES:
            value = form.get(f"o.{code}.{figure}.value", "").strip()
            reason = form.get(f"o.{code}.{figure}.reason", "").strip()
            if value or reason:
                overrides.append({"figure": figure, "value": value, "reason": reason})
        if overrides:
            item["overrides"] = overrides
        if item:
            judgements[code] = item
    return {"general": {k: v for k, v in general.items() if v}, "judgements": judgements, "comment": form.get("comment", "")}


def form_values(general: Mapping[str, Any], judgements: Mapping[str, Any], comment: str) -> dict[str, Any]:
    """A card's stored inputs as the form's input names → values."""
    values: dict[str, Any] = {f"general.{k}": _shown(v) for k, v in general.items()}
    for code, item in judgements.items():
        for name in ("errors", "delays", "quality_percent"):
            if name in item:
                values[f"j.{code}.{name}"] = _shown(item[name])
        if item.get("exceeded"):
            values[f"j.{code}.exceeded"] = True
        for o in item.get("overrides", []):
            values[f"o.{code}.{o['figure']}.value"] = _shown(o.get("value", ""))
            values[f"o.{code}.{o['figure']}.reason"] = o.get("reason", "")
    values["comment"] = comment
    return values


def _shown(value: Any) -> str:
    """A stored number ("9.5") as the form shows it (9,5)."""
    try:
        return formats.number(Decimal(str(value))) if value not in (None, "") else ""
    except ArithmeticError:
        return str(value)


def form_errors(errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Operation errors (judgements.<t>.<field>, judgements.<t>.overrides.<figure>) → input names."""
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] == "judgements" and len(parts) >= 3:
            name = f"o.{parts[1]}.{parts[3]}.reason" if parts[2] == "overrides" and len(parts) > 3 else f"j.{parts[1]}.{parts[2]}"
        else:
            name = key
        out.setdefault(name, []).extend(messages)
    return out


# --- the level sentence ----------------------------------------------------------------------

# The words of the discipline record's categories and forms (the secretary's form, the result page).
DISCIPLINE_CATEGORIES = {
    DisciplineCategory.DISCIPLINE: _l("Disciplinary decision"),
    DisciplineCategory.DEGRADATION: _l("Conclusion of degradation by a competent body"),
    DisciplineCategory.CORRUPTION_IN_AGENCY: _l("Agency led dealt with for corruption or waste"),
}
DISCIPLINE_FORMS = {
    DisciplineForm.REPRIMAND: _l("Reprimand"),
    DisciplineForm.WARNING: _l("Warning"),
    DisciplineForm.SALARY_DOWNGRADE: _l("Salary downgrade"),
    DisciplineForm.DEMOTION: _l("Demotion"),
    DisciplineForm.DISMISSAL: _l("Dismissal from post"),
    DisciplineForm.FORCED_RESIGNATION: _l("Forced resignation"),
    DisciplineForm.EXPULSION: _l("Expulsion from the Party"),
}


def discipline_note(reference: str, reason: str) -> str:
    """A disciplinary decision as the level sentence names it ("15-QĐ/UBKTTU ngày 10/6/2027, khiển trách")."""
    from workflow.council.proposals import discipline_origin

    return discipline_origin(reference, reason)


def discipline_notes(cycle_id: int) -> dict[int, str]:
    """The disciplinary decision of each head disciplined in the cycle (`discipline_note`)."""
    rows = db.session.execute(select(DisciplineRecord.registration_id, DisciplineRecord.reference, DisciplineRecord.reason)
                              .where(DisciplineRecord.cycle_id == cycle_id))
    return {r.registration_id: discipline_note(r.reference, r.reason) for r in rows}


def live_explanation(proposal: Proposal, facts: Facts, rubric: Rubric, discipline: str = "") -> LevelExplanation | None:
    """The level sentence of a proposal as the engine computes it now."""
    if proposal.classification is None or proposal.panel.score is None:
        return None
    quota = next((n for n in proposal.quota.notes if n.code in QUOTA_MOVES), None)
    trace = level_trace(proposal.panel.score, proposal.classification.checks, quota, rubric)
    return explain_level(trace, rubric, facts=facts, level=proposal.level, discipline=discipline)


def frozen_explanation(row: LevelProposal, rubric: Rubric, decision: Decision | None = None, discipline: str = "") -> LevelExplanation | None:
    """The level sentence of a line of the finalised list, for the committee's decision in
    force when there is one (its reason when it departs from the proposal)."""
    if row.panel_score is None or not row.checks:
        return None
    checks = frozen.checks_of(row.checks)
    quota = next((frozen.note_of(n) for n in row.notes if n["code"] in QUOTA_MOVES), None)
    facts = Facts.from_json(row.facts) if row.facts else None
    trace = level_trace(row.panel_score, checks, quota, rubric)
    level = decision.level if decision is not None else row.level
    reason = decision.reason if decision is not None and not decision.follows_proposal else ""
    return explain_level(trace, rubric, facts=facts, level=level, reason=reason, discipline=discipline)


def card_explanation(evaluation: Evaluation, rubric: Rubric) -> LevelExplanation | None:
    """The level sentence of one member's scorecard (the levels' conditions; no quota yet)."""
    classification = evaluation.classification
    trace = level_trace(evaluation.total.total, classification.checks, None, rubric)
    return explain_level(trace, rubric, facts=evaluation.facts, level=classification.level)


def explanation_payload(explanation: LevelExplanation | None) -> dict[str, Any] | None:
    return {"rules": list(explanation.rules), "sentence": explanation.sentence} if explanation else None


# --- the proposal list -----------------------------------------------------------------------

def proposal_row(proposal: Proposal, rubric: Rubric, facts: Facts, discipline: str = "") -> dict[str, Any]:
    """One line of the live proposal list. Its explanation: the flags for the council (members
    disagree, too few scores, nobody scored), then the level sentence when a rule put the head
    below their points (each condition once), else what the quota did."""
    panel = proposal.panel
    explanation = live_explanation(proposal, facts, rubric, discipline)
    quota_notes = [] if explanation else [describe(n, rubric) for n in proposal.quota.notes]
    from workflow.council.proposals import flags_of

    flags = flags_of(proposal)
    return {
        "panel_score": panel.score, "method": panel.method, "ratings": panel.ratings, "stdev": panel.stdev, "spread": panel.range,
        "classified_level": proposal.classification.level if proposal.classification else None, "level": proposal.level,
        "quota_status": proposal.quota.status.value, "options": list(proposal.quota.options), "flags": flags,
        "explanation": [describe(n, rubric) for n in proposal.notes] + quota_notes + ([explanation.sentence] if explanation else []),
        "level_explanation": explanation_payload(explanation),
    }


def frozen_row(proposal: LevelProposal, rubric: Rubric, decision: Decision | None = None, discipline: str = "") -> dict[str, Any]:
    explanation = frozen_explanation(proposal, rubric, decision, discipline)
    notes = [describe(frozen.note_of(n), rubric) for n in proposal.notes
             if not (explanation and n["code"].startswith("quota."))]
    return {
        "panel_score": proposal.panel_score, "method": proposal.method, "ratings": proposal.ratings, "stdev": proposal.stdev,
        "spread": proposal.spread, "classified_level": proposal.classified_level, "level": proposal.level,
        "quota_status": proposal.quota_status, "options": proposal.options, "flags": proposal.flags,
        "explanation": notes + ([explanation.sentence] if explanation else []), "level_explanation": explanation_payload(explanation),
    }


# --- pages of the whole cycle ----------------------------------------------------------------

def proposal_rows(panel: Any, heads: Sequence[Any], hidden: set[int]) -> list[dict[str, Any]]:
    rows = []
    discipline = discipline_notes(panel.cycle.id) if len(hidden) < len(heads) else {}
    for h in heads:
        base = {"registration_id": h.registration_id, "head": "", "unit": h.unit_name, "group": h.group_name}
        if h.registration_id in hidden:
            rows.append({**base, "hidden": True, "options": [], "flags": [], "explanation": [], "level_explanation": None})
        else:
            facts = panel.candidates[panel.proposals.position(h.registration_id)].facts
            row = proposal_row(panel.proposal(h.registration_id), panel.rubric, facts, discipline.get(h.registration_id, ""))
            rows.append({**base, "hidden": False, **row})
    return rows


def attach_names(rows: list[dict[str, Any]], heads: Sequence[Any]) -> None:
    """Fill the heads' names of a page of rows in one statement."""
    from workflow.accounts.models import Person

    ids = {h.head_id for h in heads}
    names = dict(db.session.execute(select(Person.id, Person.full_name).where(Person.id.in_(ids or [-1]))).all())
    for row, h in zip(rows, heads, strict=True):
        row["head"] = names.get(h.head_id, "")


def raters(cycle: Any, panel: Any) -> dict[str, Any]:
    """The chair's figures: each member's leniency or severity against the panel, and the
    panel's agreement (Krippendorff's alpha; ICC(2,1) on the heads every member scored)."""
    from workflow.council import queries
    from workflow.scoring.raters import agreement_of, leniency

    members = {m.id: m for m in queries.members(cycle.id)}
    rows = [
        {"member_id": item.member, "name": members[item.member].person.full_name if item.member in members else str(item.member),
         "heads": item.heads, "mean_deviation": item.mean_deviation, "mean_absolute_deviation": item.mean_absolute_deviation}
        for item in leniency(panel.candidates, panel.proposals)
    ]
    rows.sort(key=lambda r: r["mean_deviation"], reverse=True)
    agreement = agreement_of(panel.candidates)
    icc = agreement.icc
    return {
        "members": rows, "alpha": agreement.alpha, "icc": icc.single if icc else None, "icc_low": icc.low if icc else None,
        "icc_high": icc.high if icc else None, "icc_average": icc.average if icc else None, "heads": agreement.heads,
        "complete_heads": agreement.complete_heads, "flagged": list(panel.proposals.flagged()),
    }
