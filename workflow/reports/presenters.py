"""What pages, the API, versions and the workbook show of a report besides its columns: one
line per target in force with its plan for the quarter, the entry, progress and status; the
snapshot frozen into each version; the state shown in the monitoring matrix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from workflow.core.models import utcnow
from workflow.reports import progress
from workflow.reports.models import QuarterlyReport, ReportEntry, ReportState
from workflow.reports.queries import window_of
from workflow.reports.rules import report_rules
from workflow.targets.models import Target, TargetKind
from workflow.targets.operations import targets_in_force
from workflow.targets.revisions import json_value


@dataclass
class Line:
    """One target of a report: what was planned for the quarter and what the head says."""

    target: Target
    entry: ReportEntry | None
    plan: Decimal | None  # quantitative: planned cumulative value at quarter end
    milestone: str  # task: the milestone planned for the quarter
    vs_plan: Decimal | None
    vs_target: Decimal | None
    status: progress.Status | None
    # How vs_plan and vs_target are worded: the way from the baseline, or a share of the goal.
    plan_from_baseline: bool = False
    target_from_baseline: bool = False

    @property
    def target_id(self) -> int:
        return self.target.id


def line(target: Target, entry: ReportEntry | None, quarter: int, quarter_ends_on: Any, bands: dict[str, Any]) -> Line:
    if target.kind == TargetKind.QUANTITATIVE:
        p = progress.quantitative(
            entry.actual if entry else None, baseline=target.baseline, target_value=target.target_value, plan=target.quarter_plan,
            quarter=quarter, direction=target.direction, bands=bands,
        )
        return Line(target, entry, p.plan, "", p.vs_plan, p.vs_target, p.status, p.plan_from_baseline, p.target_from_baseline)
    planned = any(m.strip() for m in target.milestones[:quarter])
    status = progress.task_status(
        entry.milestone_status.value if entry and entry.milestone_status else None,
        quarter_ends_on=quarter_ends_on, due_date=target.due_date, milestone_planned=planned,
    )
    return Line(target, entry, None, target.milestones[quarter - 1], None, None, status)


def targets_of(report: QuarterlyReport) -> list[Target]:
    return targets_in_force(report.registration)


def lines(report: QuarterlyReport) -> list[Line]:
    bands = report_rules(report.registration.cycle)
    ends = window_of(report.registration, report.quarter).quarter_ends_on
    return [line(t, report.entry_for(t.id), report.quarter, ends, bands) for t in targets_in_force(report.registration)]


def snapshot(report: QuarterlyReport) -> dict[str, Any]:
    """The report as it is now, JSON-safe, for a version."""
    from workflow.reports.queries import evidence_of

    return {
        "quarter": report.quarter,
        "state": report.state.value,
        "due_on": report.due_on.isoformat(),
        "submitted_at": report.submitted_at.isoformat() if report.submitted_at else None,
        "first_submitted_at": report.first_submitted_at.isoformat() if report.first_submitted_at else None,
        "days_late": report.days_late,
        "returned_reason": report.returned_reason,
        "entries": [
            {
                "target_id": ln.target.id,
                "title": ln.target.title,
                "kind": TargetKind(ln.target.kind).value,
                "measure": ln.target.measure,
                "plan": json_value(ln.plan),
                "milestone": ln.milestone,
                "target_value": json_value(ln.target.target_value),
                "actual": json_value(ln.entry.actual) if ln.entry else None,
                "milestone_status": ln.entry.milestone_status.value if ln.entry and ln.entry.milestone_status else None,
                "product_delivered": ln.entry.product_delivered if ln.entry else "",
                "delivered_on": json_value(ln.entry.delivered_on) if ln.entry else None,
                "narrative": ln.entry.narrative if ln.entry else "",
                "confidence": ln.entry.confidence if ln.entry else None,
                "progress_vs_plan": json_value(ln.vs_plan),
                "progress_vs_target": json_value(ln.vs_target),
                "status": ln.status.value if ln.status else None,
            }
            for ln in lines(report)
        ],
        "evidence": [
            {"id": e.id, "target_id": e.target_id, "filename": e.filename, "content_type": e.content_type, "size": e.size, "sha256": e.sha256}
            for e in evidence_of(report)
        ],
    }


def display_state(state: ReportState | None, *, due_at: datetime | None, opens_at: datetime | None, ever_submitted: bool, now: datetime | None = None) -> str:
    """The state a matrix cell shows: not_open, draft, late, submitted, returned, accepted."""
    now = now or utcnow()
    if state is None:
        if opens_at is not None and now < opens_at:
            return "not_open"
        state = ReportState.DRAFT
    if state == ReportState.DRAFT and not ever_submitted and due_at is not None and now > due_at:
        return "late"
    return state.value
