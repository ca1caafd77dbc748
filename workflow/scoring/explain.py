"""The words for the engine's notes and checks, in the reader's language.

The engine explains itself with codes and figures (`Note`, `Check`, `LevelTrace`) so that its
results can be stored and compared; this module turns them into sentences for the council's and
the committee's pages. Level names come from the rubric, not from the catalogue.

`explain_level` is the one sentence that says why a head's level is below what the points alone
give (which condition, the quota, discipline, or the committee's own decision, with the
figures); the result page, the proposal and decision lists, the evaluation sheet (PDF) and the
API all read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import has_app_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from workflow.core import formats
from workflow.scoring.engine import Check, Facts, FailedCondition, LevelTrace, Note
from workflow.scoring.engine.evidence import triggered
from workflow.scoring.rubric import EvidenceRule, Rubric

MESSAGES = {
    "override": _l("%(figure)s changed by %(by)s from %(original)s to %(value)s. Reason: %(reason)s"),
    "quality.assessed": _l("Quality assessed at %(percent)s%%."),
    "quality.no_product": _l("Reported done but the product was not delivered: quality %(percent)s%%."),
    "quantity.not_reported": _l("No year-end figure was reported: quantity 0%%."),
    "quantity.progress": _l("From %(baseline)s towards %(target)s, reached %(actual)s: %(progress)s%% of the way."),
    "quantity.keep_level": _l("The target keeps the level %(target)s; reached %(actual)s: %(progress)s%%."),
    "quantity.share": _l("Reached %(actual)s of the %(target)s assigned: %(progress)s%%."),
    "quantity.wrong_way": _l("The figure moved away from the target: quantity 0%%."),
    "quantity.capped": _l("Quantity counted at most %(cap)s%%."),
    "quantity.exceeded": _l("Exceeded: %(progress)s%%, above %(above)s%%."),
    "task.done": _l("Task done: quantity 100%%."),
    "task.not_done": _l("Task not done: quantity %(percent)s%%."),
    "task.exceeded": _l("Judged beyond what was required (exceeded)."),
    "timeliness.late": _l("Delivered %(days)s days late: timeliness %(percent)s%%."),
    "combine.product": _l("Quantity %(quantity)s%% × quality %(quality)s%% × timeliness %(timeliness)s%% = %(percent)s%%."),
    "combine.weighted": _l("Weighted quantity %(quantity)s%%, quality %(quality)s%%, timeliness %(timeliness)s%% = %(percent)s%%."),
    "combine.minimum": _l("The lowest of quantity %(quantity)s%%, quality %(quality)s%%, timeliness %(timeliness)s%% = %(percent)s%%."),
    "combine.mean": _l("The mean of quantity %(quantity)s%%, quality %(quality)s%% and timeliness %(timeliness)s%% = %(percent)s%%."),
    "factors.assigned": _l("Quality and timeliness count on the %(share)s%% of what was assigned that was done: quality %(quality)s%%, timeliness %(timeliness)s%%."),
    "deduction.quality": _l("Major errors: %(errors)s. %(deduction)s%% of the quality deducted: %(before)s%% → %(percent)s%%."),
    "deduction.timeliness": _l("Delays: %(delays)s. %(deduction)s%% of the timeliness deducted: %(before)s%% → %(percent)s%%."),
    "evidence.line": _l("Computed from: %(origin)s."),
    "evidence.deduction": _l("%(points)s points deducted for %(fact)s (%(count)s): %(origin)s."),
    "periods.mean": _l("The year's task-result points are the mean of %(count)s periods worked: %(points)s of %(max)s."),
    "periods.none_worked": _l("No period worked in the year: no task-result points."),
    "periods.skipped": _l("Periods not worked, left out: %(periods)s."),
    "quota.exception": _l("An exception to the quota applies in %(scope)s: up to %(percent)s%%, by decision %(decision)s."),
    "history.repeat_not_completed": _l("Proposed as %(level)s for the second year running: for the decision maker to consider."),
    "result.capped": _l("Result counted at most %(cap)s%%."),
    "delay.late_delivery": _l("Delivered late: counted as one delay."),
    "deduction": _l("Major errors: %(errors)s; delays: %(delays)s. %(deduction)s%% of the result deducted, leaving %(percent)s%%."),
    "points.no_targets": _l("No targets: no task-result points."),
    "points.weighted": _l("Weighted result %(percent)s%% of %(max)s points = %(points)s points."),
    "points.capped": _l("Task-result points counted at most %(max)s."),
    # Nghị định 335/2025's rule for a leader of công chức (heads are bounded by their collectives instead).
    "subordinates.all_passed": _l("Every official led completed their tasks (%(count)s people)."),
    "subordinates.failing": _l(
        "Officials led rated not completed: %(count)s. The %(share)s%% of the %(applies_to)s that "
        "depends on those led (%(part)s points) counts at %(factor)s%%: %(deduction)s points deducted."
    ),
    "panel.unrated": _l("No council member has scored this head."),
    "panel.disagreement": _l("The members' scores differ (%(measure)s %(value)s, more than %(threshold)s): discuss before proposing."),
    "panel.too_few": _l("Members who scored this head: %(count)s; at least %(min)s expected."),
    "quota.within": _l(
        "%(qualifying)s heads qualify for %(level)s in %(scope)s; the quota allows %(allowance)s (%(percent)s%% of %(base)s): all keep it."
    ),
    "quota.kept": _l(
        "Ranked %(rank)s of %(qualifying)s heads who qualify for %(level)s in %(scope)s; the quota allows %(allowance)s "
        "(%(percent)s%% of %(base)s): kept."
    ),
    "quota.demoted": _l(
        "Ranked %(rank)s of %(qualifying)s heads who qualify for %(level)s in %(scope)s; the quota allows %(allowance)s "
        "(%(percent)s%% of %(base)s): proposed as %(fallback)s."
    ),
    "quota.tie": _l(
        "Tied at %(score)s with other heads (%(tied)s) for the places left in the quota for %(level)s in %(scope)s "
        "(%(seats)s): the committee chooses between %(level)s and %(fallback)s."
    ),
}

CHECKS = {
    "min_points": (_l("%(actual)s points, at least %(required)s needed."), _l("%(actual)s points, %(required)s or more.")),
    "min_on_time_percent": (
        _l("%(actual)s%% of targets done on time, at least %(required)s%% needed."),
        _l("%(actual)s%% of targets done on time (at least %(required)s%%)."),
    ),
    "min_exceeded_percent": (
        _l("%(actual)s%% of targets exceeded, at least %(required)s%% needed."),
        _l("%(actual)s%% of targets exceeded (at least %(required)s%%)."),
    ),
    "min_done_percent": (
        _l("%(actual)s%% of targets done, at least %(required)s%% needed."),
        _l("%(actual)s%% of targets done (at least %(required)s%%)."),
    ),
    "max_late_percent": (
        _l("%(actual)s%% of targets behind schedule, at most %(required)s%% allowed."),
        _l("%(actual)s%% of targets behind schedule (at most %(required)s%%)."),
    ),
    "refuse_if_disciplined": (_l("Disciplined in the year: this level is not open."), _l("Not disciplined in the year.")),
}
# A fact the rubric maps onto the levels ("fact:<kind>"): above or below a threshold, or present.
FACT_CHECKS = {
    "threshold": (_l("%(fact)s: %(actual)s, beyond %(required)s: this level is not open."), _l("%(fact)s: %(actual)s (limit %(required)s).")),
    "present": (_l("%(fact)s: this level is not open."), _l("No %(fact)s.")),
}

FIGURES = {
    "quantity_percent": _l("Quantity (%)"),
    "quality_percent": _l("Quality (%)"),
    "timeliness_percent": _l("Timeliness (%)"),
    "errors": _l("Major errors"),
    "delays": _l("Delays"),
    "result_percent": _l("Result (%)"),
}

WORDS = {
    "range": _l("range"),
    "stdev": _l("standard deviation"),
    "task_points": _l("task-result points"),
    "total": _l("total"),
}


def _number(value: Decimal | int) -> str:
    return formats.number(value)


def _level_name(code: Any, rubric: Rubric | None) -> str:
    if rubric is None or code is None:
        return str(code)
    try:
        return rubric.level(code).name.get(str(get_locale()) if has_app_context() else "vi")
    except KeyError:
        return str(code)


def _params(params: dict[str, Any], rubric: Rubric | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key in ("level", "fallback"):
            out[key] = _level_name(value, rubric)
        elif key == "figure":
            out[key] = str(FIGURES.get(value, value))
        elif key in ("measure", "applies_to"):
            out[key] = str(WORDS.get(value, value))
        elif key == "scope":
            out[key] = " / ".join(value) if value else str(_l("all heads"))
        elif isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            out[key] = _number(value)
        else:
            out[key] = "" if value is None else str(value)
    return out


def describe(note: Note, rubric: Rubric | None = None) -> str:
    """A note as a sentence; level names from the rubric when it is given."""
    message = MESSAGES.get(note.code)
    if message is None:
        return note.code
    return str(message) % _params(dict(note.params), rubric)


def _fact_rule(condition: str, rubric: Rubric | None) -> EvidenceRule | None:
    kind = condition.removeprefix("fact:")
    return next((r for r in rubric.evidence if r.fact == kind), None) if rubric is not None else None


def fact_label(condition: str, rubric: Rubric | None) -> str:
    """The rubric's name of the fact a level condition "fact:<kind>" reads."""
    rule = _fact_rule(condition, rubric)
    if rule is None:
        return condition.removeprefix("fact:")
    return rule.name.get(str(get_locale()) if has_app_context() else "vi")


def describe_check(check: Check, rubric: Rubric | None = None) -> str:
    if check.condition.startswith("fact:"):
        failed, passed = FACT_CHECKS["present" if isinstance(check.required, bool) else "threshold"]
        figures = {"fact": fact_label(check.condition, rubric), "actual": "—" if check.actual in (None, True) else _number(check.actual),
                   "required": "" if isinstance(check.required, bool) else _number(check.required)}
        return str(passed if check.passed else failed) % figures
    failed, passed = CHECKS[check.condition]
    if check.actual is None:
        actual = "—"
    elif isinstance(check.actual, bool):
        actual = ""
    else:
        actual = _number(check.actual)
    required = "" if isinstance(check.required, bool) else _number(check.required)
    return str(passed if check.passed else failed) % {"actual": actual, "required": required}


# --- the level sentence ------------------------------------------------------------------------

# One clause per condition that closed a level the points reached: the figure as a count of the
# head's targets and as a share, the threshold, and the levels it closed.
CONDITION_CLAUSES = {
    "min_on_time_percent": _l("%(count)s/%(total)s targets done on time (%(actual)s%%), short of the %(required)s%% required for %(levels)s"),
    "min_exceeded_percent": _l("%(count)s/%(total)s targets exceeded (%(actual)s%%), short of the %(required)s%% required for %(levels)s"),
    "min_done_percent": _l("%(count)s/%(total)s targets done (%(actual)s%%), short of the %(required)s%% required for %(levels)s"),
    "max_late_percent": _l("%(count)s/%(total)s targets behind schedule (%(actual)s%%), more than the %(required)s%% allowed for %(levels)s"),
    "refuse_if_disciplined": _l("disciplined in the year%(reference)s, which rules out %(levels)s"),
}
# A fact the rubric maps onto the levels: its name, where it comes from, and its figure.
FACT_CLAUSES = {
    "present": _l("%(fact)s%(origin)s, which rules out %(levels)s"),
    "above": _l("%(fact)s%(origin)s: %(actual)s, above the %(required)s that rules out %(levels)s"),
    "below": _l("%(fact)s%(origin)s: %(actual)s, below the %(required)s that rules out %(levels)s"),
}
# The count of targets each share condition looks at (`Facts`).
CONDITION_FACTS = {"min_on_time_percent": "on_time", "min_exceeded_percent": "exceeded", "min_done_percent": "done", "max_late_percent": "late"}

QUOTA_CLAUSES = {
    "quota.demoted": _l("over the %(percent)s%% quota for %(level)s: %(allowance)s places, %(qualifying)s heads qualify (ranked %(rank)s)"),
    "quota.tie": _l("tied at %(score)s points with %(tied)s other heads while the %(percent)s%% quota for %(level)s has %(seats)s places left"),
}

LEVEL_FRAMES = {
    "rules": _l("%(points)s points reach %(points_level)s, but %(reasons)s: %(level)s."),
    "tie": _l("%(points)s points reach %(points_level)s, but %(reasons)s: the standing committee chooses between %(options)s."),
    "committee": _l("%(points)s points reach %(points_level)s; the council proposed %(proposal)s; the standing committee decided %(level)s for this reason: %(reason)s"),
    "rules_committee": _l("%(points)s points reach %(points_level)s, but %(reasons)s; the standing committee decided %(level)s for this reason: %(reason)s"),
}
# The same where the head of the agency decides (a civil servant's year, Nghị định 335 Điều 20
# k4): there is no council, the proposal is the rules' own.
HEAD_FRAMES = {
    **LEVEL_FRAMES,
    "tie": _l("%(points)s points reach %(points_level)s, but %(reasons)s: the head of the agency chooses between %(options)s."),
    "committee": _l("%(points)s points reach %(points_level)s; the rules proposed %(proposal)s; the head of the agency decided %(level)s for this reason: %(reason)s"),
    "rules_committee": _l("%(points)s points reach %(points_level)s, but %(reasons)s; the head of the agency decided %(level)s for this reason: %(reason)s"),
}
# Who decides the level, and the sentences that name them.
DECIDERS = {"committee": LEVEL_FRAMES, "head": HEAD_FRAMES}


@dataclass(frozen=True)
class LevelExplanation:
    """Why a level is below what the points alone give: the kinds of rule that decided it
    ("condition", "discipline", "evidence", "quota", "tie", "committee") and the sentence that
    says so. A fact the rubric maps onto the levels is named by the rubric, with its origin (the
    disciplinary decision, the vote) and its figure."""

    rules: tuple[str, ...]
    sentence: str


def _names(codes: Sequence[str], rubric: Rubric) -> str:
    names = [_level_name(code, rubric) for code in codes]
    if len(names) < 2:
        return "".join(names)
    return str(_l("%(first)s and %(last)s")) % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _clauses(trace: LevelTrace, rubric: Rubric, facts: Facts | None, discipline: str) -> tuple[list[str], list[str]]:
    rules: list[str] = []
    clauses: list[str] = []
    for failed in trace.failed:
        levels = _names(failed.levels, rubric)
        if failed.condition.startswith("fact:"):
            kind = failed.condition.removeprefix("fact:")
            rules.append("discipline" if kind.startswith("discipline.") else "evidence")
            clauses.append(_fact_clause(failed, kind, rubric, facts, levels))
            continue
        if failed.condition == "refuse_if_disciplined":
            rules.append("discipline")
            clauses.append(str(CONDITION_CLAUSES[failed.condition]) % {"reference": f" ({discipline})" if discipline else "", "levels": levels})
            continue
        rules.append("condition")
        count = getattr(facts, CONDITION_FACTS[failed.condition]) if facts is not None else None
        figures = {
            "count": "—" if count is None else _number(count), "total": "—" if facts is None else _number(facts.targets),
            "actual": "—" if failed.actual is None else _number(Decimal(failed.actual)), "required": _number(Decimal(failed.required)),
            "levels": levels,
        }
        clauses.append(str(CONDITION_CLAUSES[failed.condition]) % figures)
    if trace.quota is not None:
        rules.append("quota" if trace.quota.code == "quota.demoted" else "tie")
        clauses.append(str(QUOTA_CLAUSES[trace.quota.code]) % _params(dict(trace.quota.params), rubric))
    return rules, clauses


def _fact_clause(failed: FailedCondition, kind: str, rubric: Rubric, facts: Facts | None, levels: str) -> str:
    rule = _fact_rule(failed.condition, rubric)
    found = [e for e in (facts.evidence if facts is not None else ()) if e.kind == kind]
    hit = triggered(rule, found) if rule is not None else None
    origin = (hit or (found[0] if found else None))
    figures = {"fact": fact_label(failed.condition, rubric), "origin": f" ({origin.origin})" if origin is not None and origin.origin else "",
               "levels": levels, "actual": "—" if failed.actual in (None, True) else _number(Decimal(failed.actual)),
               "required": "" if isinstance(failed.required, bool) else _number(Decimal(failed.required))}
    if isinstance(failed.required, bool) or rule is None:
        return str(FACT_CLAUSES["present"]) % figures
    return str(FACT_CLAUSES["above" if rule.above is not None else "below"]) % figures


def explain_level(trace: LevelTrace, rubric: Rubric, *, facts: Facts | None, level: str | None, reason: str = "",
                  discipline: str = "", decider: str = "committee") -> LevelExplanation | None:
    """The sentence for a head whose `level` (the committee's decision, or the proposal while
    there is none; None for a tie not yet chosen) is below what the points alone give; None
    when the points decide. `reason` is the decider's when its decision departs from the
    proposal; `discipline` names the disciplinary decision; `decider` who decides (one of
    DECIDERS: the standing committee, or the head of the agency for a civil servant's year)."""
    if not trace.lower(level, rubric):
        return None
    rules, clauses = _clauses(trace, rubric, facts, discipline)
    figures = {"points": _number(trace.score), "points_level": _level_name(trace.points_level, rubric), "level": _level_name(level, rubric),
               "reasons": "; ".join(clauses), "reason": (reason or "").strip(), "proposal": _level_name(trace.proposed, rubric)}
    if level is not None and level != trace.proposed:
        rules.append("committee")
        frame = "rules_committee" if clauses else "committee"
    elif not clauses:
        return None
    elif level is None:
        options = [c for c in (trace.classified, (trace.quota.params.get("fallback") if trace.quota else None)) if c]
        figures["options"] = _names(options, rubric)
        frame = "tie"
    else:
        frame = "rules"
    sentence = str(DECIDERS[decider][frame]) % figures
    if not sentence.endswith((".", "!", "?", "…")):
        sentence += "."
    return LevelExplanation(tuple(dict.fromkeys(rules)), sentence)
