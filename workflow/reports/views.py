"""Pages of quarterly reports: "my reports" (the head's four quarters), the report page (the
form while the head may edit it, the report as read by everyone else), steps, evidence upload
and download, requests for support and directions, and past versions.

Views load, check and delegate: the report form is read entry by entry through the API's
schema and saved by `operations.save_entries`; a stale form answers 409 and shows the person's
input again with what changed meanwhile.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, get_template_attribute, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from workflow import policy
from workflow.core import formats
from workflow.core.errors import DomainError, NotFound, StaleObject, ValidationFailed, flatten_errors
from workflow.core.inputs import whole_number
from workflow.core.models import utcnow
from workflow.core.web import form_version, get_or_404, load_form, page_args, wants_json
from workflow.drafts import web as drafts
from workflow.extensions import db
from workflow.reports import evidence as files
from workflow.reports import operations, presenters, queries
from workflow.reports.display import confidence_labels, milestone_labels, request_kind_labels, status_labels, version_labels
from workflow.reports.models import Evidence, ReportVersion, SupportRequest
from workflow.reports.rules import report_rules
from workflow.reports.schemas import DirectionCreateSchema, EntryInSchema, ReportStepSchema, RequestCloseSchema, RequestCreateSchema
from workflow.reports.workflow import DISPLAY_LABELS, DISPLAY_TONES, REPORT, REQUEST, REQUEST_TONES, STATE_TONES
from workflow.targets.models import Registration, TargetKind

bp = Blueprint("reports", __name__, url_prefix="/reports")

ENTRY_INPUTS = ("actual", "milestone_status", "product_delivered", "delivered_on", "narrative", "confidence")


@bp.record_once
def _template_globals(state: Any) -> None:
    state.app.jinja_env.globals.update({
        "report_workflow": REPORT,
        "report_tones": STATE_TONES,
        "report_display_labels": DISPLAY_LABELS,
        "report_display_tones": DISPLAY_TONES,
        "request_workflow": REQUEST,
        "request_tones": REQUEST_TONES,
        "status_labels": status_labels,
        "milestone_labels": milestone_labels,
    })


def _report(report_id: int):
    report = queries.load_report(report_id)
    policy.require(current_user, "report.view", report)
    return report


def _to_report(report, anchor: str = "") -> Any:
    return redirect(url_for("reports.detail", report_id=report.id) + (f"#{anchor}" if anchor else ""))


# --- my reports ------------------------------------------------------------------------------

@bp.get("/mine")
def mine():
    """The head's reports of the cycle in execution: the four quarters of each unit they lead."""
    from workflow.reports.monitoring import head_quarters

    units = sorted(current_user.head_unit_ids)
    if not units:
        abort(403)
    cycle, rows = head_quarters(current_user)
    return render_template("reports/mine.html", cycle=cycle, rows=rows)


@bp.post("/open")
def open_report():
    raw_reg, raw_q = request.form.get("registration_id", ""), request.form.get("quarter", "")
    registration_id, quarter = whole_number(raw_reg), whole_number(raw_q)
    registration = db.session.get(Registration, registration_id) if registration_id is not None else None
    if registration is None or quarter is None:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    report = operations.open_report(registration, quarter, actor=current_user)
    db.session.flush()
    return _to_report(report)


# --- the report page -------------------------------------------------------------------------

def _form_values(lines: list[presenters.Line]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for ln in lines:
        e = ln.entry
        prefix = f"targets.{ln.target.id}."
        values[prefix + "actual"] = "" if e is None or e.actual is None else formats.number(e.actual)
        values[prefix + "milestone_status"] = e.milestone_status.value if e and e.milestone_status else ""
        values[prefix + "product_delivered"] = e.product_delivered if e else ""
        values[prefix + "delivered_on"] = formats.day(e.delivered_on) if e else ""
        values[prefix + "narrative"] = e.narrative if e else ""
        values[prefix + "confidence"] = e.confidence if e and e.confidence else ""
    return values


def _render(report, *, errors: dict[str, list[str]] | None = None, values: Any = None, status: int = 200, message: str | None = None):
    lines = presenters.lines(report)
    rules = report_rules(report.registration.cycle)
    evidence = queries.evidence_of(report)
    editable = policy.can(current_user, "report.edit", report)
    versions = db.session.scalars(queries.versions(report).limit(50)).all()
    requests = db.session.scalars(queries.requests_of(report)).all()
    staff_steps = [(t, r) for t, r in REPORT.available(report, current_user) if t.name != "submit"]
    submit = next(((t, r) for t, r in REPORT.available(report, current_user) if t.name == "submit"), None)
    return render_template(
        "reports/detail.html",
        report=report, registration=report.registration, lines=lines, evidence=evidence,
        evidence_by_target={t: [e for e in evidence if e.target_id == t] for t in {e.target_id for e in evidence}},
        editable=editable, values=values if values is not None else _form_values(lines), errors=errors or {}, message=message,
        versions=versions, requests=requests, staff_steps=staff_steps, submit_step=submit,
        missing=queries.missing_entries(report) if editable else {},
        confidence_options=confidence_labels(rules["confidence_scale"]), rules=rules,
        request_kinds=request_kind_labels(), due_at=queries.due_at(report), now=utcnow(),
        display_state=presenters.display_state(report.state, due_at=queries.due_at(report), opens_at=None,
                                               ever_submitted=report.ever_submitted),
        version_labels=version_labels(),
        accept_types=",".join(f".{files.EVIDENCE_TYPES[t][1]}" for t in rules["allowed_types"]),
    ), status


@bp.get("/<int:report_id>")
def detail(report_id: int):
    return _render(_report(report_id))


def entries_from_form(report, form: MultiDict[str, str]) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The report form as entries for `save_entries`, with type errors keyed by input name
    (targets.<id>.<field>)."""
    entries: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    schema = EntryInSchema()
    for target in presenters.targets_of(report):
        prefix = f"targets.{target.id}."
        raw: dict[str, Any] = {"target_id": target.id}
        names = ("actual",) if target.kind == TargetKind.QUANTITATIVE else ("milestone_status", "product_delivered", "delivered_on")
        for name in (*names, "narrative", "confidence"):
            if prefix + name not in form:
                continue
            value = form.get(prefix + name, "")
            raw[name] = value if name in ("narrative", "product_delivered") else (value.strip() or None)
        if len(raw) == 1:
            continue
        try:
            with formats.typed_by_person():  # 1.234,5 and 31/03/2027, as people write them
                entries.append(schema.load(raw))
        except ValidationError as exc:
            errors.update({prefix + k: v for k, v in flatten_errors(exc.messages).items()})
    return entries, errors


def _entry_errors_by_input(entries: list[dict[str, Any]], errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """entries.<i>.<field> → targets.<target id>.<field>, so each error sits by its input."""
    out = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] == "entries" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(entries):
            out[f"targets.{entries[int(parts[1])]['target_id']}.{parts[2]}"] = messages
        else:
            out[key] = messages
    return out


def _typed(form: MultiDict[str, str]) -> bool:
    """Whether a post carries the report form's inputs (every button of the page submits them)."""
    return any(name.startswith("targets.") for name in form)


def _save_typed(report, *, always: bool = False) -> bool:
    """Save as a draft what the report form carried, if anything (or always: the version is
    then checked even for an empty form). Errors come keyed by input name; whoever may not
    edit the report hears only that, whatever they sent."""
    operations.require_editable(report, current_user)
    entries, errors = entries_from_form(report, request.form)
    if errors:
        raise ValidationFailed(errors)
    if not (entries or always):
        return False
    try:
        operations.save_entries(report, entries, actor=current_user, version=form_version())
    except ValidationFailed as exc:
        raise ValidationFailed(_entry_errors_by_input(entries, exc.errors), exc.message) from None
    db.session.flush()
    return True


def _refused(report_id: int, exc: ValidationFailed | StaleObject):
    """The report page again after a refused post: the person's input and the errors by their
    inputs (a page's script gets them as JSON); nothing of the post was saved."""
    if wants_json():
        return drafts.refused(exc)
    db.session.rollback()
    report = queries.load_report(report_id)
    errors = exc.errors if isinstance(exc, ValidationFailed) else {"_schema": [exc.message]}
    return _render(report, errors=errors, values=request.form if _typed(request.form) else None, status=exc.status_code, message=exc.message)


@bp.post("/<int:report_id>")
def save(report_id: int):
    """Save the draft, whatever is filled in; with action=submit, save and submit in one go
    (then every missing field is named by its input)."""
    report = _report(report_id)
    try:
        _save_typed(report, always=True)
        if request.form.get("action") == "submit":
            operations.submit(report, actor=current_user, version=report.version)
    except (ValidationFailed, StaleObject) as exc:
        return _refused(report_id, exc)
    if request.form.get("action") == "submit":
        flash(gettext("Your report was submitted to the staff agency."), "success")
    else:
        flash(gettext("Your draft was saved."), "success")
    return _to_report(report)


@bp.post("/<int:report_id>/autosave")
def autosave(report_id: int):
    """The page's script saves the draft a moment after each change (JSON answer)."""
    report = _report(report_id)
    try:
        _save_typed(report, always=True)
    except DomainError as exc:
        return drafts.refused(exc)
    return drafts.autosaved(report.version, report.changed_at)


@bp.post("/<int:report_id>/step")
def step(report_id: int):
    report = _report(report_id)
    data = load_form(ReportStepSchema())
    operations.take_step(report, data["step"], actor=current_user, version=data.get("version"), reason=data["reason"])
    flash(gettext("Done: the report is now “%(state)s”.", state=REPORT.label(report.state)), "success")
    return _to_report(report)


# --- evidence --------------------------------------------------------------------------------
# The page's script uploads and removes files in the background (JSON answers) and leaves what
# was typed alone. Without script each upload or remove button submits the whole report form
# here, and what was typed is saved with it.

@bp.post("/<int:report_id>/evidence")
def upload(report_id: int):
    report = _report(report_id)
    raw = request.form.get("upload") or request.form.get("target_id", "")
    target_id = whole_number(raw)
    field = f"file-{target_id or 'report'}"
    upload_file = request.files.get(field) or request.files.get("file")
    try:
        _save_typed(report)
        if upload_file is None or not upload_file.filename:
            raise ValidationFailed({field: [gettext("Choose a file to upload.")]})
        try:
            item = operations.add_evidence(report, upload_file.stream, upload_file.filename, actor=current_user, target_id=target_id)
        except ValidationFailed as exc:
            raise type(exc)({field: exc.errors.get("file", []) + exc.errors.get("target_id", [])}, exc.message) from None
        db.session.flush()
    except (ValidationFailed, StaleObject) as exc:
        return _refused(report_id, exc)
    html = get_template_attribute("reports/_macros.html", "evidence_item")(report, item, True) if wants_json() else ""
    return _evidence_done(report, gettext("“%(name)s” was attached.", name=item.filename), f"target-{target_id}" if target_id else "evidence",
                          status=201, html=str(html))


def _evidence_done(report, message: str, anchor: str, *, status: int = 200, **extra: Any):
    """After an upload or a removal: the page's script gets JSON with the report's new version
    (its next save carries it); a form post goes back to the report."""
    if wants_json():
        return jsonify({"version": report.version, "message": message, **extra}), status
    flash(message, "success")
    return _to_report(report, anchor)


def send_evidence(item: Evidence) -> Response:
    path = files.path_of(item.sha256)
    if not path.exists():
        raise NotFound(gettext("This file is no longer stored."))
    response = send_file(path, mimetype=item.content_type, as_attachment=True, download_name=item.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/<int:report_id>/evidence/<int:evidence_id>")
def download(report_id: int, evidence_id: int):
    report = _report(report_id)
    policy.require(current_user, "evidence.download", report)
    return send_evidence(queries.child_of(report, Evidence, evidence_id))


@bp.post("/<int:report_id>/evidence/<int:evidence_id>/remove")
def remove(report_id: int, evidence_id: int):
    report = _report(report_id)
    item = queries.child_of(report, Evidence, evidence_id)
    try:
        saved = _save_typed(report)
        operations.remove_evidence(item, report, actor=current_user, version=report.version if saved else form_version())
        db.session.flush()
    except (ValidationFailed, StaleObject) as exc:
        return _refused(report_id, exc)
    return _evidence_done(report, gettext("“%(name)s” was removed from the report.", name=item.filename), "evidence")


# --- requests for support and directions -----------------------------------------------------

@bp.post("/<int:report_id>/requests")
def raise_request(report_id: int):
    report = _report(report_id)
    data = load_form(RequestCreateSchema())
    operations.raise_request(report, data["kind"], data["body"], actor=current_user, target_id=data["target_id"])
    flash(gettext("Your request was sent to the staff agency and the standing committee."), "success")
    return _to_report(report, "requests")


@bp.post("/<int:report_id>/requests/<int:request_id>/direction")
def direction(report_id: int, request_id: int):
    report = _report(report_id)
    item = queries.child_of(report, SupportRequest, request_id)
    data = load_form(DirectionCreateSchema())
    operations.give_direction(item, data["body"], actor=current_user, version=data.get("version"))
    flash(gettext("Your direction was recorded; the head is told by e-mail."), "success")
    return _to_report(report, f"request-{item.id}")


@bp.post("/<int:report_id>/requests/<int:request_id>/close")
def close_request(report_id: int, request_id: int):
    report = _report(report_id)
    item = queries.child_of(report, SupportRequest, request_id)
    data = load_form(RequestCloseSchema())
    operations.close_request(item, actor=current_user, version=data.get("version"), note=data["note"])
    flash(gettext("The request was closed."), "success")
    return _to_report(report, f"request-{item.id}")


# --- versions --------------------------------------------------------------------------------

@bp.get("/<int:report_id>/versions/<int:number>")
def version(report_id: int, number: int):
    report = _report(report_id)
    row = db.session.scalar(select(ReportVersion).where(ReportVersion.report_id == report.id, ReportVersion.number == number))
    if row is None:
        raise NotFound(gettext("There is no version %(number)s of this report.", number=number))
    return render_template("reports/version.html", report=report, registration=report.registration, v=row,
                           version_labels=version_labels(), kind_is_task=TargetKind.TASK.value)


# --- monitoring ------------------------------------------------------------------------------

@bp.get("/monitor")
def monitor():
    """Staff and committee: heads × quarters, targets at risk, open requests."""
    from workflow.reports import monitoring
    from workflow.units.models import UnitGroup
    from workflow.units.queries import staff_choices

    policy.require(current_user, "report.monitor")
    cycle = monitoring.reporting_cycle()
    if cycle is None:
        return render_template("reports/monitor.html", cycle=None)
    filters = monitoring.MatrixFilters.from_args(request.args)
    quarter = filters.quarter or monitoring.current_quarter(cycle)
    page = monitoring.matrix(cycle, filters, *page_args())
    risks, risk_total = monitoring.at_risk(cycle, quarter, staff_id=filters.staff_id)
    open_requests, request_total = monitoring.open_requests(cycle, staff_id=filters.staff_id)
    return render_template(
        "reports/monitor.html", cycle=cycle, page=page, filters=filters, quarter=quarter, risks=risks, risk_total=risk_total,
        open_requests=open_requests, request_total=request_total, counts=monitoring.state_counts(cycle, quarter),
        groups=db.session.scalars(select(UnitGroup).order_by(UnitGroup.position)).all(), staff=staff_choices(),
        states=monitoring.DISPLAY_STATES, request_kinds=request_kind_labels(),
    )


@bp.get("/registrations/<int:registration_id>/year")
def year(registration_id: int):
    """One head's year: each target planned against actual per quarter, with the forecast."""
    from workflow.reports import monitoring

    registration = get_or_404(Registration, registration_id)
    if not (policy.can(current_user, "report.monitor") or registration.unit_id in current_user.head_unit_ids):
        policy.require(current_user, "report.monitor")
    cycle_windows = monitoring.windows(registration.cycle)[1]
    reports = {r.quarter: r for r in queries.reports_of(registration)}
    cells = monitoring.cells_of(reports, cycle_windows, utcnow())
    return render_template("reports/year.html", registration=registration, targets=monitoring.year_of(registration), cells=cells)


@bp.get("/export")
def export():
    """The Excel workbook of a quarter (staff and committee)."""
    from workflow.cycles.models import Cycle
    from workflow.reports import export as workbook

    policy.require(current_user, "report.export")
    raw_cycle, raw_quarter = request.args.get("cycle_id", ""), request.args.get("quarter", "")
    cycle_id = whole_number(raw_cycle)
    cycle = db.session.get(Cycle, cycle_id) if cycle_id is not None else None
    if cycle is None or raw_quarter not in ("1", "2", "3", "4"):
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    return excel_response(workbook.workbook(cycle, int(raw_quarter)), f"bao-cao-quy-{raw_quarter}-{cycle.year}.xlsx")


def excel_response(content: bytes, filename: str) -> Response:
    import io

    return send_file(io.BytesIO(content), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     as_attachment=True, download_name=filename, max_age=0)
