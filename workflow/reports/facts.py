"""What the year's reports say, for the council: the contract the scoring side reads.

`year_end_facts(registration)` gives, for each target in force, a `TargetFacts`: what the
accepted reports say about it (only accepted reports count: a draft, a submitted report not yet
accepted, or a returned one says nothing yet), plus the lateness of the registration's four
quarterly reports and whether all four were accepted. `year_end_facts_many(registrations)`
does the same for many registrations in a fixed number of statements.

`year_end_actuals(target_ids)` is the reported year-end value of targets (the accepted Q4
actual), which last cycle's warning "does not improve on last cycle's result" uses
(`workflow.targets.warnings.previous_results`).

Conventions:
- quantitative `actual` is the last accepted cumulative value: Q4's if accepted, else the
  latest accepted quarter's (`actual_quarter` says which); `actuals` has every accepted one;
- a task is `done` when its latest accepted report says so; `days_late` compares the date the
  product was delivered with the task's due date (0: on time); a task not delivered counts
  from its due date to the end of the cycle (0 if that date is not past); None for numbers;
- a report's lateness is measured at its first submission (`QuarterFacts.days_late`); a report
  never submitted counts as late from its due date to `as_of` (default: now).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from workflow.calendar import WorkingCalendar, calendar_rules
from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.reports.models import MilestoneStatus, QuarterlyReport, ReportEntry, ReportState
from workflow.targets.models import Direction, Registration, Target, TargetKind

QUARTERS = (1, 2, 3, 4)


@dataclass(frozen=True)
class QuarterFacts:
    """One quarterly report of the registration (or its absence)."""

    quarter: int
    state: ReportState | None  # None: no report was opened
    due_on: date | None
    first_submitted_at: datetime | None
    days_late: int  # 0: on time (or not due yet)
    accepted: bool

    @property
    def late(self) -> bool:
        return self.days_late > 0


@dataclass(frozen=True)
class TargetFacts:
    target_id: int
    kind: TargetKind
    title: str
    weight: Decimal
    # Quantitative targets
    baseline: Decimal | None = None
    target_value: Decimal | None = None
    direction: Direction | None = None
    actual: Decimal | None = None  # the last accepted cumulative value
    actual_quarter: int | None = None  # the quarter it comes from
    actuals: Mapping[int, Decimal] = field(default_factory=dict)  # every accepted value, by quarter
    # Tasks
    due_date: date | None = None
    done: bool = False
    product_delivered: str = ""
    delivered_on: date | None = None
    days_late: int | None = None  # tasks only
    milestones: Mapping[int, MilestoneStatus] = field(default_factory=dict)  # accepted statuses, by quarter
    # The registration's four reports
    reports: tuple[QuarterFacts, ...] = ()
    is_complete: bool = False  # all four quarters accepted

    @property
    def on_time(self) -> bool | None:
        """Tasks: delivered by the due date. None for quantitative targets."""
        if self.kind != TargetKind.TASK:
            return None
        return self.done and not self.days_late

    @property
    def late_reports(self) -> dict[int, int]:
        """{quarter: days late} of the reports that were late."""
        return {q.quarter: q.days_late for q in self.reports if q.late}


def _quarter_facts(registration: Registration, reports: dict[int, QuarterlyReport], as_of: datetime) -> tuple[QuarterFacts, ...]:
    cal = WorkingCalendar(calendar_rules(registration.cycle))
    out = []
    for q in QUARTERS:
        report = reports.get(q)
        due_on = report.due_on if report else cal.window(registration.cycle.year, q).due_on
        if report is not None and report.first_submitted_at is not None:
            late = report.days_late
        elif as_of > cal.at(due_on, cal.due_time):
            late = max(1, (cal.local_date(as_of) - due_on).days)
        else:
            late = 0
        out.append(QuarterFacts(q, report.state if report else None, due_on, report.first_submitted_at if report else None, late,
                                report is not None and report.state == ReportState.ACCEPTED))
    return tuple(out)


def _target_facts(target: Target, accepted: dict[int, ReportEntry], reports: tuple[QuarterFacts, ...], cycle_end: date) -> TargetFacts:
    # Coerced: a target made in this session may still hold the plain strings it was given.
    kind = TargetKind(target.kind)
    common = {
        "target_id": target.id, "kind": kind, "title": target.title, "weight": target.weight,
        "reports": reports, "is_complete": all(q.accepted for q in reports),
    }
    if kind == TargetKind.QUANTITATIVE:
        actuals = {q: e.actual for q, e in sorted(accepted.items()) if e.actual is not None}
        last = max(actuals) if actuals else None
        return TargetFacts(**common, baseline=target.baseline, target_value=target.target_value,
                           direction=Direction(target.direction) if target.direction else None,
                           actual=actuals[last] if last else None, actual_quarter=last, actuals=actuals)
    milestones = {q: MilestoneStatus(e.milestone_status) for q, e in sorted(accepted.items()) if e.milestone_status is not None}
    latest = accepted[max(milestones)] if milestones else None
    done = latest is not None and latest.milestone_status == MilestoneStatus.DONE
    delivered_on = latest.delivered_on if done else None
    due = target.due_date
    if due is None:
        late = 0
    elif done:
        late = max(0, (delivered_on - due).days) if delivered_on else 0
    else:
        late = max(0, (cycle_end - due).days)
    return TargetFacts(**common, due_date=due, done=done, product_delivered=latest.product_delivered if done else "",
                       delivered_on=delivered_on, days_late=late, milestones=milestones)


def year_end_facts_many(registrations: Sequence[Registration], *, as_of: datetime | None = None) -> dict[int, dict[int, TargetFacts]]:
    """{registration id: {target id: TargetFacts}} for the targets in force of each; three
    statements whatever the number of registrations (their cycles must be loaded)."""
    as_of = as_of or utcnow()
    ids = [r.id for r in registrations]
    if not ids:
        return {}
    reports: dict[int, dict[int, QuarterlyReport]] = {i: {} for i in ids}
    for report in db.session.scalars(select(QuarterlyReport).where(QuarterlyReport.registration_id.in_(ids))):
        reports[report.registration_id][report.quarter] = report
    accepted: dict[int, dict[int, ReportEntry]] = {}
    rows = db.session.execute(
        select(ReportEntry, QuarterlyReport.quarter)
        .join(QuarterlyReport, ReportEntry.report_id == QuarterlyReport.id)
        .where(QuarterlyReport.registration_id.in_(ids), QuarterlyReport.state == ReportState.ACCEPTED)
    )
    for entry, quarter in rows:
        accepted.setdefault(entry.target_id, {})[quarter] = entry
    targets: dict[int, list[Target]] = {i: [] for i in ids}
    for target in db.session.scalars(select(Target).where(Target.registration_id.in_(ids), Target.dropped.is_(False)).order_by(Target.position, Target.id)):
        targets[target.registration_id].append(target)
    result = {}
    for registration in registrations:
        quarters = _quarter_facts(registration, reports[registration.id], as_of)
        result[registration.id] = {
            t.id: _target_facts(t, accepted.get(t.id, {}), quarters, registration.cycle.ends_on) for t in targets[registration.id]
        }
    return result


def year_end_facts(registration: Registration, *, as_of: datetime | None = None) -> dict[int, TargetFacts]:
    """{target id: TargetFacts} for every target in force of `registration`."""
    return year_end_facts_many([registration], as_of=as_of)[registration.id]


def year_end_actuals(target_ids: Sequence[int]) -> dict[int, Decimal]:
    """The accepted Q4 actual of each target that has one (one statement)."""
    if not target_ids:
        return {}
    rows = db.session.execute(
        select(ReportEntry.target_id, ReportEntry.actual)
        .join(QuarterlyReport, ReportEntry.report_id == QuarterlyReport.id)
        .where(ReportEntry.target_id.in_(set(target_ids)), QuarterlyReport.quarter == 4,
               QuarterlyReport.state == ReportState.ACCEPTED, ReportEntry.actual.is_not(None))
    )
    return {target_id: actual for target_id, actual in rows}
