"""API: quarterly reports, their entries, steps, evidence, requests and directions, versions,
the monitoring matrix and the Excel workbook, under /api/v1/reports.

Edits carry the version they are based on: `If-Match` with the ETag received, or `version` in
the body (or the query, for DELETE). Without either the answer is 428; with a stale one, 412.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflow import policy
from workflow.core.api import API_PREFIX, with_etag
from workflow.core.concurrency import claimed_version
from workflow.core.errors import NotFound, ValidationFailed
from workflow.core.pagination import PageArgs, page_payload, page_schema, paginate
from workflow.core.schemas import BaseSchema
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.reports import monitoring, operations, presenters, queries
from workflow.reports.models import Evidence, QuarterlyReport, ReportVersion, SupportRequest
from workflow.reports.schemas import (
    DirectionCreateSchema,
    EntriesSaveSchema,
    EvidenceRemoveArgs,
    EvidenceSchema,
    EvidenceUploadSchema,
    ReportDetailSchema,
    ReportListArgs,
    ReportOpenSchema,
    ReportStepSchema,
    ReportSummarySchema,
    RequestCloseSchema,
    RequestCreateSchema,
    RequestSchema,
    VersionDetailSchema,
    VersionSchema,
)
from workflow.reports.workflow import REPORT
from workflow.targets.models import Registration
from workflow.targets.schemas import PersonBriefSchema, UnitBriefSchema

blp = Blueprint(
    "reports_api", __name__, url_prefix=f"{API_PREFIX}/reports",
    description="Quarterly reports: entries, submission, review, evidence, requests for support and directions, monitoring.",
)


def _report(report_id: int) -> QuarterlyReport:
    report = queries.load_report(report_id)
    policy.require(current_user, "report.view", report)
    return report


def _detail(report: QuarterlyReport) -> Any:
    data = dict(
        lines=presenters.lines(report),
        evidence=queries.evidence_of(report),
        steps=[{"step": t.name, "label": str(t.label), "refused_because": r} for t, r in REPORT.available(report, current_user)],
        missing={str(k): v for k, v in queries.missing_entries(report).items()} if policy.can(current_user, "report.edit", report) else {},
    )
    return with_etag(_Detail(report, data), report)


class _Detail:
    """The report with the extra fields the detail schema shows (lines, steps …)."""

    def __init__(self, report: QuarterlyReport, extra: dict[str, Any]) -> None:
        self._report = report
        self._extra = extra

    def __getattr__(self, name: str) -> Any:
        if name in self._extra:
            return self._extra[name]
        return getattr(self._report, name)


# --- reports ---------------------------------------------------------------------------------

@blp.get("")
@blp.arguments(ReportListArgs, location="query")
@blp.response(200, page_schema(ReportSummarySchema))
def list_reports(args):
    """Reports the caller may see, by registration, cycle or quarter."""
    stmt = (
        select(QuarterlyReport)
        .join(Registration, QuarterlyReport.registration_id == Registration.id)
        .where(queries.visible_reports(current_user))
        .options(joinedload(QuarterlyReport.registration).joinedload(Registration.unit), joinedload(QuarterlyReport.registration).joinedload(Registration.cycle))
        .order_by(Registration.cycle_id.desc(), Registration.id, QuarterlyReport.quarter)
    )
    if args["registration_id"]:
        stmt = stmt.where(QuarterlyReport.registration_id == args["registration_id"])
    if args["cycle_id"]:
        stmt = stmt.where(Registration.cycle_id == args["cycle_id"])
    if args["quarter"]:
        stmt = stmt.where(QuarterlyReport.quarter == args["quarter"])
    return page_payload(paginate(stmt, args["page"], args["per_page"]))


@blp.post("")
@blp.arguments(ReportOpenSchema)
@blp.response(201, ReportDetailSchema)
def open_report(data):
    """The head opens (or gets) their report for a quarter whose window is open."""
    registration = db.session.get(Registration, data["registration_id"])
    if registration is None:
        raise ValidationFailed({"registration_id": [gettext("This page or item does not exist, or was removed.")]})
    report = operations.open_report(registration, data["quarter"], actor=current_user)
    db.session.flush()
    return _detail(queries.load_report(report.id))


@blp.get("/<int:report_id>")
@blp.response(200, ReportDetailSchema)
def get_report(report_id: int):
    return _detail(_report(report_id))


@blp.patch("/<int:report_id>/entries")
@blp.arguments(EntriesSaveSchema)
@blp.response(200, ReportDetailSchema)
def save_entries(data, report_id: int):
    """Save a draft: the fields given of the targets given (others stay as they are)."""
    report = _report(report_id)
    version = claimed_version(report, data.get("version"))
    operations.save_entries(report, data["entries"], actor=current_user, version=version)
    db.session.flush()
    return _detail(report)


@blp.post("/<int:report_id>/transitions")
@blp.arguments(ReportStepSchema)
@blp.response(200, ReportDetailSchema)
def take_step(data, report_id: int):
    """submit (head), accept or return (staff, reason), reopen (staff or committee, reason)."""
    report = _report(report_id)
    version = claimed_version(report, data.get("version"))
    operations.take_step(report, data["step"], actor=current_user, version=version, reason=data["reason"])
    db.session.flush()
    return _detail(report)


# --- evidence --------------------------------------------------------------------------------

class EvidenceFileSchema(BaseSchema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)


@blp.get("/<int:report_id>/evidence")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(EvidenceSchema))
def list_evidence(args, report_id: int):
    report = _report(report_id)
    stmt = select(Evidence).where(Evidence.report_id == report.id, Evidence.removed_at.is_(None)).options(joinedload(Evidence.uploaded_by)).order_by(Evidence.id)
    return page_payload(paginate(stmt, args["page"], args["per_page"]))


@blp.post("/<int:report_id>/evidence")
@blp.arguments(EvidenceUploadSchema, location="form")
@blp.arguments(EvidenceFileSchema, location="files")
@blp.response(201, EvidenceSchema)
def upload_evidence(form, files, report_id: int):
    """multipart/form-data: `file`, and `target_id` for a target's evidence. The type is
    checked from the content; too large → 413, wrong type or too many → 422."""
    report = _report(report_id)
    upload = files["file"]
    item = operations.add_evidence(report, upload.stream, upload.filename or "", actor=current_user, target_id=form["target_id"])
    db.session.flush()
    return item


@blp.get("/<int:report_id>/evidence/<int:evidence_id>/content")
@blp.response(200, {"format": "binary", "type": "string"}, content_type="application/octet-stream")
def download_evidence(report_id: int, evidence_id: int):
    """The file, as an attachment with its detected type (removed files stay downloadable)."""
    from workflow.reports.views import send_evidence

    report = _report(report_id)
    policy.require(current_user, "evidence.download", report)
    return send_evidence(queries.child_of(report, Evidence, evidence_id))


@blp.delete("/<int:report_id>/evidence/<int:evidence_id>")
@blp.arguments(EvidenceRemoveArgs, location="query")
@blp.response(204)
def remove_evidence(args, report_id: int, evidence_id: int):
    report = _report(report_id)
    item = queries.child_of(report, Evidence, evidence_id)
    version = claimed_version(report, args.get("version"))
    operations.remove_evidence(item, report, actor=current_user, version=version)


# --- requests for support and directions -----------------------------------------------------

@blp.get("/<int:report_id>/requests")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(RequestSchema))
def list_requests(args, report_id: int):
    return page_payload(paginate(queries.requests_of(_report(report_id)), args["page"], args["per_page"]))


@blp.post("/<int:report_id>/requests")
@blp.arguments(RequestCreateSchema)
@blp.response(201, RequestSchema)
def raise_request(data, report_id: int):
    report = _report(report_id)
    item = operations.raise_request(report, data["kind"], data["body"], actor=current_user, target_id=data["target_id"])
    db.session.flush()
    return with_etag(item, item)


@blp.post("/<int:report_id>/requests/<int:request_id>/directions")
@blp.arguments(DirectionCreateSchema)
@blp.response(201, RequestSchema)
def give_direction(data, report_id: int, request_id: int):
    """Answer a request with a direction (staff or committee); the head is told by e-mail."""
    item = queries.child_of(_report(report_id), SupportRequest, request_id)
    version = claimed_version(item, data.get("version"))
    operations.give_direction(item, data["body"], actor=current_user, version=version)
    db.session.flush()
    return with_etag(item, item)


@blp.post("/<int:report_id>/requests/<int:request_id>/close")
@blp.arguments(RequestCloseSchema)
@blp.response(200, RequestSchema)
def close_request(data, report_id: int, request_id: int):
    item = queries.child_of(_report(report_id), SupportRequest, request_id)
    version = claimed_version(item, data.get("version"))
    operations.close_request(item, actor=current_user, version=version, note=data["note"])
    db.session.flush()
    return with_etag(item, item)


# --- versions --------------------------------------------------------------------------------

@blp.get("/<int:report_id>/versions")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(VersionSchema))
def list_versions(args, report_id: int):
    return page_payload(paginate(queries.versions(_report(report_id)), args["page"], args["per_page"]))


@blp.get("/<int:report_id>/versions/<int:number>")
@blp.response(200, VersionDetailSchema)
def get_version(report_id: int, number: int):
    report = _report(report_id)
    row = db.session.scalar(select(ReportVersion).where(ReportVersion.report_id == report.id, ReportVersion.number == number))
    if row is None:
        raise NotFound(gettext("There is no version %(number)s of this report.", number=number))
    return row


# --- monitoring and the workbook -------------------------------------------------------------

class MatrixArgs(PageArgs):
    cycle_id = fields.Integer(load_default=None, metadata={"description": "Default: the cycle in execution"})
    group_id = fields.Integer(load_default=None)
    staff_id = fields.Integer(load_default=None, metadata={"description": "Units followed by this staff officer"})
    quarter = fields.Integer(load_default=None, metadata={"description": "The quarter `state` looks at (default: the latest opened)"})
    state = fields.String(load_default=None, metadata={"description": "not_open, draft, late, submitted, returned, accepted"})
    q = fields.String(load_default="", metadata={"description": "Part of the unit's name"})


class CellSchema(BaseSchema):
    quarter = fields.Integer()
    state = fields.String(metadata={"description": "not_open, draft, late, submitted, returned or accepted"})
    report_id = fields.Function(lambda c: c.report.id if c.report else None)
    due_on = fields.Date(attribute="window.due_on")
    days_late = fields.Integer()


class MatrixRowSchema(BaseSchema):
    registration_id = fields.Integer(attribute="registration.id")
    unit = fields.Nested(UnitBriefSchema, attribute="registration.unit")
    head = fields.Nested(PersonBriefSchema, allow_none=True)
    cells = fields.List(fields.Nested(CellSchema))
    at_risk = fields.Integer(metadata={"description": "Targets at risk or off track in the latest report submitted"})
    open_requests = fields.Integer()


def _cycle(cycle_id: int | None) -> Cycle:
    cycle = db.session.get(Cycle, cycle_id) if cycle_id else monitoring.reporting_cycle()
    if cycle is None:
        raise NotFound(gettext("No evaluation cycle is in execution: there are no reports to monitor."))
    return cycle


@blp.get("/monitoring")
@blp.arguments(MatrixArgs, location="query")
@blp.response(200, page_schema(MatrixRowSchema))
def matrix(args):
    """Heads × quarters: each report's state, targets at risk, open requests."""
    policy.require(current_user, "report.monitor")
    cycle = _cycle(args["cycle_id"])
    filters = monitoring.MatrixFilters.from_args({k: v for k, v in args.items() if v is not None})
    return page_payload(monitoring.matrix(cycle, filters, args["page"], args["per_page"]))


class ExportArgs(BaseSchema):
    cycle_id = fields.Integer(load_default=None, metadata={"description": "Default: the cycle in execution"})
    quarter = fields.Integer(required=True)


@blp.get("/export")
@blp.arguments(ExportArgs, location="query")
@blp.response(200, {"format": "binary", "type": "string"}, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
def export(args):
    """The quarter as an Excel workbook (staff and committee)."""
    from workflow.reports import export as workbook
    from workflow.reports.views import excel_response

    policy.require(current_user, "report.export")
    if args["quarter"] not in (1, 2, 3, 4):
        raise ValidationFailed({"quarter": [gettext("Must be between 1 and 4.")]})
    cycle = _cycle(args["cycle_id"])
    return excel_response(workbook.workbook(cycle, args["quarter"]), f"bao-cao-quy-{args['quarter']}-{cycle.year}.xlsx")

