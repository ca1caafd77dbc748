"""Read-side queries of reports: a report's evidence, versions and requests; the reports of a
registration; what a person may see; a report's calendar (window, due time, days late) and
what its entries still lack. Each runs a fixed number of statements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from workflow.accounts.models import Person
from workflow.calendar import WorkingCalendar, calendar_rules
from workflow.calendar.days import Window
from workflow.core.errors import NotFound
from workflow.extensions import db
from workflow.reports.models import Evidence, MilestoneStatus, QuarterlyReport, ReportVersion, SupportDirection, SupportRequest
from workflow.targets.models import Registration, TargetKind
from workflow.targets.operations import targets_in_force
from workflow.targets.queries import seen_by


def visible_reports(person: Person) -> Any:
    """SQL condition on QuarterlyReport joined to Registration: `report.view` as a query."""
    return seen_by(person, council_sees=QuarterlyReport.first_submitted_at.is_not(None))


def load_report(report_id: int) -> QuarterlyReport:
    report = db.session.scalar(
        select(QuarterlyReport)
        .where(QuarterlyReport.id == report_id)
        .options(
            joinedload(QuarterlyReport.registration).joinedload(Registration.unit),
            joinedload(QuarterlyReport.registration).joinedload(Registration.cycle),
            joinedload(QuarterlyReport.registration).selectinload(Registration.targets),
            selectinload(QuarterlyReport.entries),
        )
    )
    if report is None:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    return report


def child_of(report: QuarterlyReport, model: type, ident: Any) -> Any:
    """Evidence or a request of `report` by id, or 404 (also when it belongs to another)."""
    obj = db.session.get(model, ident)
    if obj is None or obj.report_id != report.id:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    return obj


def evidence_of(report: QuarterlyReport, *, removed: bool = False) -> list[Evidence]:
    stmt = select(Evidence).where(Evidence.report_id == report.id).options(joinedload(Evidence.uploaded_by)).order_by(Evidence.id)
    if not removed:
        stmt = stmt.where(Evidence.removed_at.is_(None))
    return list(db.session.scalars(stmt))


def versions(report: QuarterlyReport) -> Select[Any]:
    return select(ReportVersion).where(ReportVersion.report_id == report.id).options(joinedload(ReportVersion.actor)).order_by(ReportVersion.number.desc())


def requests_of(report: QuarterlyReport) -> Select[Any]:
    return (
        select(SupportRequest)
        .where(SupportRequest.report_id == report.id)
        .options(joinedload(SupportRequest.created_by), joinedload(SupportRequest.target),
                 selectinload(SupportRequest.directions).joinedload(SupportDirection.author))
        .order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc())
    )


def reports_of(registration: Registration) -> list[QuarterlyReport]:
    return list(db.session.scalars(
        select(QuarterlyReport).where(QuarterlyReport.registration_id == registration.id).order_by(QuarterlyReport.quarter)
    ))


# --- the calendar of a report ----------------------------------------------------------------

def calendar_of(registration: Registration) -> WorkingCalendar:
    return WorkingCalendar(calendar_rules(registration.cycle))


def window_of(registration: Registration, quarter: int) -> Window:
    return calendar_of(registration).window(registration.cycle.year, quarter)


def due_at(report: QuarterlyReport) -> datetime:
    cal = calendar_of(report.registration)
    return cal.at(report.due_on, cal.due_time)


def days_late(report: QuarterlyReport, at: datetime) -> int:
    """Calendar days after the due date of a report submitted at `at` (0: on time). Late
    after the due time of the due day; a report in that evening is one day late."""
    cal = calendar_of(report.registration)
    if at <= cal.at(report.due_on, cal.due_time):
        return 0
    return max(1, (cal.local_date(at) - report.due_on).days)


# --- what a report still lacks ---------------------------------------------------------------

def missing_entries(report: QuarterlyReport) -> dict[int, dict[str, list[str]]]:
    """{target id: {field: [message]}} for every target in force whose entry lacks something
    the report must say: the value (quantitative) or the milestone status (task), with the
    product and its date once done; a narrative; a confidence."""
    required = gettext("Required before submitting.")
    missing: dict[int, dict[str, list[str]]] = {}
    for target in targets_in_force(report.registration):
        entry = report.entry_for(target.id)
        fields: dict[str, list[str]] = {}
        if target.kind == TargetKind.QUANTITATIVE:
            if entry is None or entry.actual is None:
                fields["actual"] = [required]
        else:
            if entry is None or entry.milestone_status is None:
                fields["milestone_status"] = [required]
            elif entry.milestone_status == MilestoneStatus.DONE:
                if not entry.product_delivered.strip():
                    fields["product_delivered"] = [gettext("Say what product was delivered.")]
                if entry.delivered_on is None:
                    fields["delivered_on"] = [gettext("Give the date the product was delivered.")]
        if entry is None or not entry.narrative.strip():
            fields["narrative"] = [required]
        if entry is None or entry.confidence is None:
            fields["confidence"] = [required]
        if fields:
            missing[target.id] = fields
    return missing
