"""The year of the tracks the direct manager assesses — the civil servant's (Nghị định 335/2025/
NĐ-CP), from the approved months to the level the head of agency decides; and the deputies' and
public employees' (no monthly plans: the manager assesses the year's task results, with the
counts of targets the levels' conditions look at — 366's on-time and exceeded shares).

- Task results (at most 70 points, Điều 12 k3): the months' points by the rubric's `[periods]`
  rule — the mean of the months worked (`scoring.year_points_of`).
- General criteria (at most 30, Điều 12 k2): scored once, at the year's end, by the direct
  manager (`YearResult.general`).
- Evidence: citizens' ratings (`workflow.ratings.evidence.for_subjects`) and the cases of Điều 20
  k4 b–d that the head of agency records (`YearResult.case`), mapped by the rubric's
  `[[evidence]]` entries — never decided here.
- The level, the quota (Điều 20 k5: xuất sắc not above 20% of those rated tốt, per agency and
  group of similar tasks, within the track) and the second year at the lowest level: the engine's
  `propose`, for every servant of the agency at once, since the quota counts them together.

The agency is the servant's unit (the unit whose head approves their months); the group of
similar tasks is their position (`Person.position_id`, from the directory), else the whole unit.
A servant the manager has not yet scored is "unrated" and takes no place in the quota.

Everything is computed on reading; a decision freezes the figures it was taken on
(`YearResult.total`, `task_points`, `trace`), so that the sentence of a decided year never moves.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import get_locale
from sqlalchemy import Integer, Select, String, and_, cast, func, null, select
from sqlalchemy.orm import aliased, joinedload

from workflow import policy
from workflow.accounts.models import Person
from workflow.core import formats
from workflow.core.database import plain_rows
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework.models import Period, PeriodKind, Subject, Track
from workflow.framework.rules import tracks_of
from workflow.monthly.models import MonthlyPlan, MonthState, YearCase, YearResult
from workflow.monthly.scoring import TRACK, rubric_of
from workflow.ratings.evidence import for_subjects
from workflow.scoring.engine import (
    ZERO,
    Candidate,
    Evidence,
    EvidenceDeduction,
    Facts,
    Proposal,
    Proposals,
    Total,
    WhatIf,
    YearPoints,
    evidence_deductions,
    final_total,
    general_points_of,
    propose,
    quota_counts,
    total,
    what_if,
    year_from_points,
    year_points_from_sum,
)
from workflow.scoring.engine.levels import QUOTA_MOVES, level_trace
from workflow.scoring import frozen
from workflow.scoring.explain import LevelExplanation, describe, explain_level
from workflow.scoring.rubric import Rubric

# Each case of Điều 20 k4 as the fact the 335 preset's [[evidence]] names.
CASE_FACTS = {
    YearCase.DEGRADATION: "discipline.degradation",
    YearCase.DUTY_DISCIPLINE: "discipline.duty_reprimand_or_more",
    YearCase.CORRUPTION_IN_AGENCY: "discipline.corruption_in_agency",
}
NO_FACTS = Facts(0, 0, 0, 0, 0)
CHUNK = 20_000  # servants read at a time


def case_evidence(result_id: int | None, case: YearCase | None, reference: str) -> tuple[Evidence, ...]:
    """The case of Điều 20 k4 the head of agency recorded on a year row, as the facts it gives."""
    if result_id is None or case is None:
        return ()
    ref = f"monthly_year:{result_id}"
    facts = [Evidence(CASE_FACTS[case], Decimal(1), reference, ref=ref)]
    if case == YearCase.DUTY_DISCIPLINE:
        facts.insert(0, Evidence("discipline.any", Decimal(1), reference, ref=ref))
    return tuple(facts)


class _Objects:
    """What a page about some of a panel's rows needs and the year's figures do not — the
    subjects and year rows as ORM objects, the approved months one by one — read for every row of
    the panel at once, the first time a page asks: the year of a civil service is computed from
    one row per servant."""

    def __init__(self, cycle: Cycle, ids: Sequence[int], with_result: set[int]) -> None:
        self.cycle, self.ids, self.with_result = cycle, ids, with_result
        self._subjects: dict[int, Subject] | None = None
        self._results: dict[int, YearResult] | None = None
        self._months: dict[int, list[tuple[int, Decimal]]] | None = None
        self._names: dict[int, str] = {}

    def subject(self, subject_id: int) -> Subject:
        if self._subjects is None:
            self._subjects = _by_chunks(_subjects_by_id, self.ids)
        return self._subjects[subject_id]

    def result(self, subject_id: int) -> YearResult | None:
        if subject_id not in self.with_result:
            return None
        if self._results is None:
            self._results = _by_chunks(lambda part: results_of(self.cycle.id, part), sorted(self.with_result))
        return self._results.get(subject_id)

    def months(self, subject_id: int) -> tuple[tuple[str, Decimal], ...]:
        """The subject's approved months: (the month's name, its points), in order."""
        if self._months is None:
            self._months = _by_chunks(lambda part: _month_points(self.cycle.id, part), self.ids)
        names = self._names
        for n, _ in self._months.get(subject_id, ()):
            if n not in names:
                names[n] = formats.month(n, self.cycle.year)  # translated once a month, not once a servant's month
        return tuple((names[n], points) for n, points in self._months.get(subject_id, ()))


@dataclass
class YearRow:
    """One servant's year as the engine sees it: the figures the proposals are made of, and the
    engine's whole account of them (`year`, `total`) when a page asks."""

    subject_id: int
    unit_id: int
    points: Decimal  # the task results' points (from the approved months, or as the manager gave them)
    general: Mapping[str, Decimal] | None  # the general criteria as scored; None until the direct manager scored them
    deductions: tuple[EvidenceDeduction, ...]  # what the evidence takes from the total
    facts: Facts
    rubric: Rubric = field(repr=False, compare=False)
    objects: _Objects = field(repr=False, compare=False)
    tasks: Mapping[str, Any] | None = None  # the year's task results as the manager gave them (a track of no months)

    @property
    def subject(self) -> Subject:
        return self.objects.subject(self.subject_id)

    @property
    def result(self) -> YearResult | None:
        return self.objects.result(self.subject_id)

    @functools.cached_property
    def year(self) -> YearPoints:
        """The task results with their months, by the rubric's [periods] rule."""
        if self.tasks is not None:
            return _assessed_tasks(self.tasks, self.rubric)
        return year_from_points(self.objects.months(self.subject_id), self.rubric)

    @functools.cached_property
    def total(self) -> Total | None:
        """The total with its parts and notes; None until the general criteria are scored."""
        if self.general is None:
            return None
        return total(self.general, self.points, (), self.rubric, self.deductions)

    @property
    def assessed(self) -> bool:
        return self.general is not None


@dataclass
class YearPanel:
    """The year of every servant of an agency (or of the units asked about), with the proposals."""

    cycle: Cycle
    rubric: Rubric
    rows: list[YearRow]
    candidates: list[Candidate]
    proposals: Proposals
    track: str = TRACK
    by_months: bool = True  # the task results come from the approved months (else the manager's)

    def row(self, subject_id: int) -> YearRow:
        return self.rows[self.proposals.position(subject_id)]

    def proposal(self, subject_id: int) -> Proposal:
        return self.proposals.for_head(subject_id)

    def explanation(self, subject_id: int) -> LevelExplanation | None:
        """The level sentence: the decision's, frozen, once taken; else the proposal's now."""
        row = self.row(subject_id)
        if row.result is not None and row.result.decided:
            return frozen_explanation(row.result, self.rubric)
        proposal = self.proposal(subject_id)
        if proposal.classification is None or proposal.panel.score is None:
            return None
        quota = next((n for n in proposal.quota.notes if n.code in QUOTA_MOVES), None)
        trace = level_trace(proposal.panel.score, proposal.classification.checks, quota, self.rubric)
        return explain_level(trace, self.rubric, facts=row.facts, level=proposal.level, decider="head")

    def what_if(self, changes: Mapping[str, Any]) -> WhatIf:
        return what_if(self.candidates, self.rubric, changes, current=self.proposals)

    def quota_now(self, decided: Mapping[int, str | None] | None = None) -> list[Any]:
        """The quota counted on the levels as they would stand: each servant's decision (or the
        one in `decided`), else nothing — per agency and group, as the engine counts it."""
        decided = decided or {}
        levels = []
        for row, candidate in zip(self.rows, self.candidates, strict=True):
            result = row.result
            level = decided.get(row.subject_id, result.level if result is not None else None)
            levels.append((candidate.agency, candidate.group, level))
        return quota_counts(levels, self.rubric)


def frozen_explanation(result: YearResult, rubric: Rubric) -> LevelExplanation | None:
    data = result.trace or {}
    if result.total is None or not data.get("checks"):
        return None
    quota = frozen.note_of(data["quota"]) if data.get("quota") else None
    facts = Facts.from_json(data["facts"]) if data.get("facts") else None
    trace = level_trace(Decimal(result.total), frozen.checks_of(data["checks"]), quota, rubric)
    reason = result.reason if result.level != result.proposed_level else ""
    return explain_level(trace, rubric, facts=facts, level=result.level, reason=reason, decider="head")


def freeze(panel: YearPanel, subject_id: int) -> dict[str, Any]:
    """What a decision keeps of the engine's figures: the checks, the quota's note, the facts."""
    proposal = panel.proposal(subject_id)
    quota = next((n for n in proposal.quota.notes if n.code in QUOTA_MOVES), None)
    return {
        "checks": frozen.checks_to_json(proposal.classification.checks if proposal.classification else ()),
        "quota": {"code": quota.code, "params": frozen.params_to_json(quota.params)} if quota else None,
        "facts": panel.row(subject_id).facts.to_json(),
        "months": [[label, str(points)] for label, points in panel.row(subject_id).year.periods],
    }


# --- what a reader is shown ---------------------------------------------------------------------

def level_name(rubric: Rubric, code: str | None) -> str:
    level = next((lv for lv in rubric.levels if lv.code == code), None)
    return level.name.get(str(get_locale() or "vi")) if level is not None else ""


def view_of(panel: YearPanel, subject_id: int, actor: Any) -> dict[str, Any]:
    """One servant's year as the pages and the API show it to `actor`: the proposal and its
    sentence only to those the policy lets see them; the decision to the servant once taken."""
    row = panel.row(subject_id)
    result = row.result
    proposal_visible = policy.can(actor, "monthly.year.proposal.view", row.subject)
    decided_visible = result is not None and result.decided and policy.can(actor, "monthly.year.result.view", result)
    visible = proposal_visible or decided_visible
    proposal = panel.proposal(subject_id)
    explanation = panel.explanation(subject_id) if visible else None
    figures = row.total
    if decided_visible and not proposal_visible:
        figures = None
    return {
        "subject": row.subject, "result": result, "year": row.year, "visible": visible, "proposal_visible": proposal_visible,
        "total": figures if proposal_visible else None,
        "decided_total": result.total if decided_visible else None,
        "proposed_level": proposal.level if proposal_visible else None,
        "options": list(proposal.quota.options) if proposal_visible else [],
        "option_names": ", ".join(level_name(panel.rubric, code) for code in proposal.quota.options) if proposal_visible else "",
        "flags": [describe(n, panel.rubric) for n in proposal.notes if n.code != "panel.unrated"] if proposal_visible else [],
        "explanation": explanation.sentence if explanation else None,
        "notes": [describe(n, panel.rubric) for n in row.total.notes] if proposal_visible and row.total else [],
        "level": result.level if decided_visible else None,
    }



def payload(panel: YearPanel, subject_id: int, actor: Any) -> dict[str, Any]:
    """The API's view of one servant's year (`MonthlyYearSchema`)."""
    shown = view_of(panel, subject_id, actor)
    result, figures = shown["result"], shown["total"]
    subject = shown["subject"]
    out: dict[str, Any] = {
        "subject_id": subject.id, "cycle_id": panel.cycle.id, "name": subject.person.full_name if subject.person else "",
        "unit": subject.unit.name, "months": [[label, str(points)] for label, points in shown["year"].periods],
        "task_points": shown["year"].points, "level": shown["level"], "explanation": shown["explanation"],
        "version": result.version if result is not None else None,
    }
    if shown["proposal_visible"]:
        out.update({
            "general": dict(result.general) if result is not None and result.assessed_at else None,
            "general_points": figures.general_points if figures else None, "deduction": figures.evidence_deduction if figures else None,
            "total": figures.total if figures else None, "proposed_level": shown["proposed_level"],
            "case": result.case.value if result is not None and result.case else None,
            "case_reference": result.case_reference if result is not None else None,
            "tasks": dict(result.tasks) if result is not None and result.tasks else None,
        })
    elif shown["level"] is not None:
        out["total"] = shown["decided_total"]
    if shown["level"] is not None and result is not None:
        out.update({"reason": result.reason, "decided_at": result.decided_at})
    return out


# --- reading ---------------------------------------------------------------------------------------

def _subject_ids(unit_ids: Sequence[int] | None, track: str) -> Select[Any]:
    """The active subjects of the track in the units (all when None), as a statement."""
    stmt = _of_track(select(Subject.id), track)
    return stmt.where(Subject.unit_id.in_(unit_ids)) if unit_ids is not None else stmt


def _of_track(stmt: Select[Any], track: str) -> Select[Any]:
    """The statement narrowed to the active subjects of the track."""
    return stmt.join(Track, Subject.track_id == Track.id).where(Track.code == track, Subject.active.is_(True))


def _subjects_by_id(ids: Sequence[int]) -> dict[int, Subject]:
    return {s.id: s for s in db.session.scalars(
        select(Subject).where(Subject.id.in_(ids)).options(joinedload(Subject.person), joinedload(Subject.unit)))}


def _year_rows(cycle: Cycle, unit_ids: Sequence[int] | None, track: str, by_months: bool) -> Iterator[tuple[Any, ...]]:
    """Each active subject of the track in the units (all when None), in the pages' order, as the
    driver gives the row: its ids and group, the sum (in hundredths: exact on every database,
    SQLite keeping points as binary floats) and the count of its approved months' points, its
    year row's figures (the general criteria as their JSON text) and last year's decided level —
    one statement, with no object per servant or month."""
    in_units = Subject.unit_id.in_(unit_ids) if unit_ids is not None else None
    month_sum: Any = null()
    month_count: Any = null()
    months = None
    if by_months:
        months = (select(MonthlyPlan.subject_id, func.sum(cast(func.round(MonthlyPlan.points * 100), Integer)).label("total"),
                         func.count().label("count"))
                  .join(Period, MonthlyPlan.period_id == Period.id)
                  .where(Period.cycle_id == cycle.id, Period.kind == PeriodKind.MONTH, MonthlyPlan.state == MonthState.APPROVED,
                         MonthlyPlan.points.is_not(None))
                  .group_by(MonthlyPlan.subject_id))
        if in_units is not None:
            months = months.where(MonthlyPlan.subject_id.in_(select(Subject.id).where(in_units)))
        months = months.subquery()
        month_sum, month_count = months.c.total, months.c.count
    before, before_subject = aliased(YearResult), aliased(Subject)
    previous = (select(before.level).join(before_subject, before.subject_id == before_subject.id).join(Cycle, before.cycle_id == Cycle.id)
                .where(Cycle.year == cycle.year - 1, before_subject.track_id == Subject.track_id,
                       before_subject.person_id == Subject.person_id, before.level.is_not(None))
                .order_by(before.id).limit(1).scalar_subquery())
    stmt = (_of_track(select(Subject.id, Subject.unit_id, Person.position_id, month_sum, month_count, YearResult.id,
                             cast(YearResult.general, String), YearResult.assessed_at.is_not(None), YearResult.assessed_by_id,
                             YearResult.case, YearResult.case_reference, cast(YearResult.tasks, String), previous), track)
            .join(Person, Subject.person_id == Person.id)
            .outerjoin(YearResult, and_(YearResult.subject_id == Subject.id, YearResult.cycle_id == cycle.id))
            .order_by(Subject.unit_id, Person.full_name, Subject.id))
    if months is not None:
        stmt = stmt.outerjoin(months, months.c.subject_id == Subject.id)
    if in_units is not None:
        # An agency's page: the statement as compiled once (the units a parameter).
        return iter(db.session.execute(stmt.where(in_units)))
    # A whole track: the rows as the driver gives them (at hundreds of thousands, SQLAlchemy's
    # row objects cost more than the statement).
    return plain_rows(stmt)


def _month_points(cycle_id: int, subject_ids: Sequence[int]) -> dict[int, list[tuple[int, Decimal]]]:
    # As the driver gives the rows, the points as text: exact on every database (SQLite keeps
    # them as binary floats).
    rows = plain_rows(
        select(MonthlyPlan.subject_id, Period.number, cast(MonthlyPlan.points, String)).join(Period, MonthlyPlan.period_id == Period.id)
        .where(Period.cycle_id == cycle_id, Period.kind == PeriodKind.MONTH, MonthlyPlan.state == MonthState.APPROVED,
               MonthlyPlan.points.is_not(None), MonthlyPlan.subject_id.in_(subject_ids))
        .order_by(MonthlyPlan.subject_id, Period.number))
    out: dict[int, list[tuple[int, Decimal]]] = {}
    for subject_id, number, points in rows:
        out.setdefault(subject_id, []).append((number, Decimal(points)))
    return out


class _Parsed(dict):
    """A text's parsed value, parsed the first time the text is met."""

    def __init__(self, parse: Callable[[str], Any]) -> None:
        super().__init__()
        self.parse = parse

    def __missing__(self, text: str) -> Any:
        value = self[text] = self.parse(text)
        return value


def _json(value: Any) -> dict[str, Any]:
    # PostgreSQL's driver gives JSONB as a dict; SQLite's gives the text.
    return (json.loads(value) if isinstance(value, str) else value) or {}


def _by_chunks(read: Callable[[Sequence[int]], dict[int, Any]], ids: Sequence[int]) -> dict[int, Any]:
    """`read` over the ids CHUNK at a time, merged: one IN list of every servant of a civil
    service would pass PostgreSQL's limit of parameters to a statement."""
    out: dict[int, Any] = {}
    for start in range(0, len(ids), CHUNK):
        out.update(read(ids[start:start + CHUNK]))
    return out


def results_of(cycle_id: int, subject_ids: Sequence[int]) -> dict[int, YearResult]:
    return {r.subject_id: r for r in db.session.scalars(
        select(YearResult).where(YearResult.cycle_id == cycle_id, YearResult.subject_id.in_(subject_ids)))}


def decided_result(cycle_id: int, subject_id: int) -> YearResult | None:
    """The subject's year in the cycle once the head of agency decided its level, else None."""
    result = results_of(cycle_id, [subject_id]).get(subject_id)
    return result if result is not None and result.decided else None


def manager_tracks(cycle: Cycle) -> dict[str, dict[str, Any]]:
    """The tracks of the cycle the direct manager assesses (self → manager → head of agency)."""
    return {code: track for code, track in tracks_of(cycle.rules or {}).items() if track.get("assessment") == "manager"}


def monthly(cycle: Cycle, track: str) -> bool:
    """Whether the track's year is made of monthly plans (else the manager assesses the year's
    task results at its end)."""
    return tracks_of(cycle.rules or {}).get(track, {}).get("periods") == PeriodKind.MONTH.value


def task_facts(tasks: Mapping[str, Any]) -> tuple[int, int, int, int]:
    """The counts of targets the direct manager gave with the year's task results: targets,
    done, on time, exceeded (made consistent: on time ≤ done ≤ targets)."""
    targets = max(int(tasks.get("targets") or 0), 0)
    done = min(int(tasks.get("done") or 0), targets)
    on_time = min(int(tasks.get("on_time") or 0), done)
    return targets, done, on_time, min(int(tasks.get("exceeded") or 0), targets)


def _assessed_tasks(tasks: Mapping[str, Any], rubric: Rubric) -> YearPoints:
    points = tasks.get("points")
    value = Decimal(points) if points is not None else Decimal(0)
    return YearPoints(value, rubric.tasks.max_points, (), (), (), ())


def compute(cycle: Cycle, unit_ids: Sequence[int] | None = None, rubric: Rubric | None = None, track: str = TRACK) -> YearPanel:
    """The year of every subject of a manager-assessed track in the units (all the cycle's when
    None), in a fixed number of statements: the subjects with the sums of their approved months,
    their year rows and last year's levels (`_year_rows`), then their ratings. Each subject's
    figures are the engine's from one row (the year's points from the months' sum and count,
    the total from the general criteria's points); the engine's whole account of a row, and the
    subject and year row as objects, only when a page asks for them (`YearRow`, `_Objects`)."""
    rubric = rubric or rubric_of(cycle, track)
    by_months = monthly(cycle, track)
    read = list(_year_rows(cycle, unit_ids, track, by_months))
    ids = [r[0] for r in read]
    # By the statement selecting the subjects, not their ids: a civil service's would be lists
    # of hundreds of thousands to send and plan.
    ratings = for_subjects(cycle.id, _subject_ids(unit_ids, track))
    objects = _Objects(cycle, ids, {r[0] for r in read if r[5] is not None})
    # Each distinct text of general criteria read once, not once per servant.
    general_of = _Parsed(lambda text: _general(_json(text), rubric))
    no_deductions = evidence_deductions((), rubric)  # most servants' evidence: none
    rows: list[YearRow] = []
    candidates: list[Candidate] = []
    for subject_id, unit_id, position_id, month_sum, month_count, result_id, general_text, assessed, assessed_by, case, reference, tasks_text, previous in read:
        tasks = None
        if by_months:
            points = year_points_from_sum(Decimal(month_sum or 0).scaleb(-2), month_count or 0, rubric)
            if points is None:  # a rule that needs every month, not their sum
                points = year_from_points(objects.months(subject_id), rubric).points
            counts = (0, 0, 0, 0)
        else:
            tasks = _json(tasks_text)
            points = _assessed_tasks(tasks, rubric).points
            counts = task_facts(tasks)
        evidence = tuple(ratings.get(subject_id, ())) + case_evidence(result_id, YearCase(case) if case else None, reference or "")
        targets, done, on_time, exceeded = counts
        facts = NO_FACTS if not evidence and not targets else Facts(
            targets, done, on_time, exceeded, targets - on_time, disciplined=any(e.kind == "discipline.any" for e in evidence), evidence=evidence)
        deductions = evidence_deductions(evidence, rubric) if evidence else no_deductions
        general, general_points = general_of[general_text] if assessed else (None, None)
        row = YearRow(subject_id, unit_id, points, general, deductions, facts, rubric, objects, tasks)
        ratings_of: dict[int, Decimal] = {}
        if general is not None:
            # The figure `total` gives, from its parts; `total` itself where the scores are not
            # all valid (it says which).
            figure = (final_total(general_points, points, ZERO, sum((d.points for d in deductions), ZERO)) if general_points is not None
                      else row.total.total)
            ratings_of = {assessed_by or 0: figure}
        rows.append(row)
        candidates.append(Candidate(head=subject_id, ratings=ratings_of, facts=facts, agency=str(unit_id), group=str(position_id or ""),
                                    track=track, previous_level=previous))
    return YearPanel(cycle, rubric, rows, candidates, propose(candidates, rubric), track, by_months)


def _general(scores: Mapping[str, Any], rubric: Rubric) -> tuple[dict[str, Decimal], Decimal | None]:
    general = {code: Decimal(value) for code, value in scores.items()}
    return general, general_points_of(general, rubric)


def of_subject(subject: Subject, cycle: Cycle) -> YearPanel:
    """The year of one subject, computed with those of their agency in the same track (the quota
    counts them together)."""
    return compute(cycle, [subject.unit_id], track=subject.track.code)


def cycle_of_track(cycle_id: int, track: str = TRACK) -> Cycle | None:
    """The cycle, when the track has periods in it."""
    found = db.session.scalar(select(Period.cycle_id).join(Track, Period.track_id == Track.id)
                              .where(Track.code == track, Period.cycle_id == cycle_id).limit(1))
    return db.session.get(Cycle, found) if found is not None else None
