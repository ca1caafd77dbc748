"""Read-side queries of reports: a report's evidence, versions and requests; the reports of a
registration; what a person may see. Each runs a fixed number of statements."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from workflow.accounts.models import Person
from workflow.core.errors import NotFound
from workflow.extensions import db
from workflow.reports.models import Evidence, QuarterlyReport, ReportVersion, SupportDirection, SupportRequest
from workflow.targets.models import Registration
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
