"""Every change to quarterly reports, their entries, evidence and requests for support.

Each function takes the acting person explicitly, checks the permission and the workflow,
checks the version the person edited, writes a version snapshot at every step and the audit
entry, and queues the e-mail the step causes. Nothing here commits.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import IO, Any

from flask_babel import gettext
from sqlalchemy import func, select

from workflow import policy
from workflow.accounts.models import Person
from workflow.core import audit, formats
from workflow.core.concurrency import check_version, lock
from workflow.core.errors import DomainError, PermissionDenied, TransitionRefused, ValidationFailed
from workflow.core.models import utcnow
from workflow.cycles.models import CycleState
from workflow.extensions import db
from workflow.framework import operations as framework
from workflow.reports import evidence as files
from workflow.reports import mail
from workflow.reports.models import (
    SupportDirection,
    Evidence,
    MilestoneStatus,
    QuarterlyReport,
    ReportEntry,
    ReportState,
    ReportVersion,
    RequestKind,
    SupportRequest,
    VersionKind,
)
from workflow.reports.queries import calendar_of, days_late, missing_entries, window_of
from workflow.reports.rules import EVIDENCE_TYPES, report_rules
from workflow.reports.workflow import REPORT, REQUEST
from workflow.targets.models import Registration, RegistrationState, Target, TargetKind
from workflow.targets.operations import targets_in_force

ENTRY_FIELDS = ("actual", "milestone_status", "product_delivered", "delivered_on", "narrative", "confidence")
QUANTITATIVE_ONLY = ("actual",)
TASK_ONLY = ("milestone_status", "product_delivered", "delivered_on")


class FileTooLarge(ValidationFailed):
    status_code = 413


# --- opening a report ------------------------------------------------------------------------


def report_of(registration: Registration, quarter: int) -> QuarterlyReport | None:
    return db.session.scalar(select(QuarterlyReport).where(QuarterlyReport.registration_id == registration.id, QuarterlyReport.quarter == quarter))


def openable_reason(registration: Registration, quarter: int, now: datetime) -> str | None:
    """Why a report for `quarter` cannot be opened now, or None."""
    if registration.state != RegistrationState.ASSIGNED:
        return gettext("Reports start once the targets are officially assigned.")
    if registration.cycle.state != CycleState.EXECUTION:
        return gettext("Reports are made while the cycle is in execution.")
    window = window_of(registration, quarter)
    if not window.is_open(now):
        return gettext("The report window for quarter %(quarter)s opens on %(day)s.", quarter=quarter, day=formats.day(window.opens_on))
    return None


def open_report(registration: Registration, quarter: int, *, actor: Person, now: datetime | None = None) -> QuarterlyReport:
    """The head's report for `quarter`, created on first opening if its window is open (the
    scheduler job `reports.open_windows` creates the others when the window opens)."""
    policy.require(actor, "report.open", registration)
    if quarter not in (1, 2, 3, 4):
        raise ValidationFailed({"quarter": [gettext("Must be between %(min)s and %(max)s.", min=1, max=4)]})
    existing = report_of(registration, quarter)
    if existing is not None:
        return existing
    reason = openable_reason(registration, quarter, now or utcnow())
    if reason:
        raise TransitionRefused(reason)
    period = framework.period_of(registration.cycle, registration.track, quarter)
    report = QuarterlyReport(registration=registration, period=period, quarter=quarter, due_on=window_of(registration, quarter).due_on)
    db.session.add(report)
    audit.record("report.open", report, actor=actor, summary=registration.unit.name)
    return report


# --- entries ---------------------------------------------------------------------------------


def _in_force(report: QuarterlyReport) -> dict[int, Target]:
    return {t.id: t for t in targets_in_force(report.registration)}


def _entry_errors(target: Target, values: dict[str, Any], scale: int, cycle_start: date, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    other_kind = TASK_ONLY if target.kind == TargetKind.QUANTITATIVE else QUANTITATIVE_ONLY
    for name in other_kind:
        if values.get(name) not in (None, ""):
            if target.kind == TargetKind.QUANTITATIVE:
                errors[name] = [gettext("Not used for a quantitative target: report its value.")]
            else:
                errors[name] = [gettext("Not used for a task: report its milestone status.")]
    confidence = values.get("confidence")
    if confidence is not None and not 1 <= confidence <= scale:
        errors["confidence"] = [gettext("Must be between %(min)s and %(max)s.", min=1, max=scale)]
    delivered = values.get("delivered_on")
    if delivered is not None:
        if delivered > today:
            errors["delivered_on"] = [gettext("This date is in the future.")]
        elif delivered < cycle_start:
            errors["delivered_on"] = [gettext("Must be within the cycle (from %(day)s).", day=formats.day(cycle_start))]
    return errors


def require_editable(report: QuarterlyReport, actor: Person) -> None:
    if policy.can(actor, "report.edit", report):
        return
    if policy.can(actor, "report.submit", report):
        raise TransitionRefused(gettext("This report is %(state)s; it can no longer be changed.", state=REPORT.label(report.state).lower()))
    raise PermissionDenied(gettext("You are not allowed to do this."))


def save_entries(report: QuarterlyReport, entries: list[dict[str, Any]], *, actor: Person, version: int | None, now: datetime | None = None) -> int:
    """Save a draft: the given values of the given targets (fields left out stay as they are).
    Any number of times while the report is a draft or returned; returns how many entries
    changed. Refuses the whole save, with an error per field, if any value is wrong."""
    require_editable(report, actor)
    check_version(report, version)
    targets = _in_force(report)
    rules = report_rules(report.registration.cycle)
    today = calendar_of(report.registration).local_date(now or utcnow())
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for i, values in enumerate(entries):
        target = targets.get(values.get("target_id"))
        if target is None:
            errors[f"entries.{i}.target_id"] = [gettext("This target is not in force in this registration.")]
            continue
        if target.id in seen:
            errors[f"entries.{i}.target_id"] = [gettext("This target appears twice.")]
        seen.add(target.id)
        for name, messages in _entry_errors(target, values, rules["confidence_scale"], report.registration.cycle.starts_on, today).items():
            errors[f"entries.{i}.{name}"] = messages
    if errors:
        raise ValidationFailed(errors)
    changed = 0
    for values in entries:
        target = targets[values["target_id"]]
        entry = report.entry_for(target.id)
        if entry is None:
            entry = ReportEntry(target_id=target.id, product_delivered="", narrative="")
            report.entries.append(entry)
        updates = {name: values[name] for name in ENTRY_FIELDS if name in values}
        for name in ("product_delivered", "narrative"):
            if name in updates and updates[name] is None:
                updates[name] = ""
        if "milestone_status" in updates and updates["milestone_status"] is not None:
            updates["milestone_status"] = MilestoneStatus(updates["milestone_status"])
        if audit.apply_changes(entry, updates):
            entry.updated_at = utcnow()
            changed += 1
    report.touch()
    audit.record("report.save", report, actor=actor, summary=_summary(report), data={"changed": changed})
    return changed


# --- steps -----------------------------------------------------------------------------------


def _summary(report: QuarterlyReport) -> str:
    """The unit, as the audit log names it; the log finds the quarter from the report itself."""
    return report.registration.unit.name


def submit(report: QuarterlyReport, *, actor: Person, version: int | None, now: datetime | None = None) -> None:
    """The head submits (or resubmits) the report. Refused with an error per field of every
    target that lacks something; a report already submitted cannot be submitted again."""
    if not policy.can(actor, "report.submit", report):
        raise PermissionDenied(gettext("You are not allowed to do this."))
    if report.state not in (ReportState.DRAFT, ReportState.RETURNED):
        raise TransitionRefused(gettext("This report was already submitted (it is %(state)s); it cannot be submitted again.",
                                        state=REPORT.label(report.state).lower()))
    check_version(report, version)
    missing = missing_entries(report)
    if missing:
        raise ValidationFailed(
            {f"targets.{target_id}.{name}": messages for target_id, fields in missing.items() for name, messages in fields.items()},
            gettext("The report cannot be submitted yet: %(count)s targets lack what the report must say about them.", count=len(missing)),
        )
    at = now or utcnow()
    old, new = REPORT.fire(report, "submit", actor=actor)
    if report.first_submitted_at is None:
        report.first_submitted_at = at
        report.days_late = days_late(report, at)
    report.submitted_at = at
    report.returned_reason = ""
    report.touch()
    write_version(report, VersionKind.SUBMITTED, actor=actor, at=at)
    mail.stop_reminders(report, actor=actor)
    audit.record("report.submit", report, actor=actor, summary=_summary(report),
                 data={"from": old.value, "to": new.value, "days_late": report.days_late})


def take_step(report: QuarterlyReport, step: str, *, actor: Person, version: int | None, reason: str = "", now: datetime | None = None) -> None:
    """Submit, accept, return (reason) or reopen (reason) a report."""
    if step == "submit":
        submit(report, actor=actor, version=version, now=now)
        return
    REPORT.check(report, step, actor=actor)
    check_version(report, version)
    old, new = REPORT.fire(report, step, actor=actor, reason=reason)
    reason = (reason or "").strip()
    kind = {"accept": VersionKind.ACCEPTED, "return": VersionKind.RETURNED, "reopen": VersionKind.REOPENED}[step]
    if step == "accept":
        report.accepted_by_id = actor.id
        report.accepted_at = now or utcnow()
    else:
        report.returned_reason = reason
        if step == "reopen":
            report.reopened += 1
            report.accepted_by_id = None
            report.accepted_at = None
    report.touch()
    version_row = write_version(report, kind, actor=actor, reason=reason, at=now)
    mail.report_step(report, step, version_row.number)
    audit.record(f"report.{step}", report, actor=actor, summary=_summary(report), reason=reason, data={"from": old.value, "to": new.value})


# --- versions --------------------------------------------------------------------------------


def write_version(report: QuarterlyReport, kind: VersionKind, *, actor: Person, reason: str = "", at: datetime | None = None) -> ReportVersion:
    from workflow.reports.presenters import snapshot

    db.session.flush()
    number = (db.session.scalar(select(func.max(ReportVersion.number)).where(ReportVersion.report_id == report.id)) or 0) + 1
    row = ReportVersion(report_id=report.id, number=number, kind=kind, actor_id=actor.id, at=at or utcnow(), reason=reason, snapshot=snapshot(report))
    db.session.add(row)
    return row


# --- evidence --------------------------------------------------------------------------------


def _archive_refusal(exc: files.ArchiveRefused) -> str:
    if exc.reason == "parts":
        return gettext("The file holds more than %(max)s parts; it was not accepted.", max=exc.limit)
    if exc.reason == "ratio":
        return gettext("A part of the file unpacks to more than %(max)s times its packed size, which documents never do; it was not accepted.",
                       max=exc.limit)
    if exc.reason == "part":
        return gettext("A part of the file unpacks to more than %(max)s MB; it was not accepted.", max=exc.limit)
    return gettext("The file unpacks to more than %(max)s MB in all; it was not accepted.", max=exc.limit)


def add_evidence(report: QuarterlyReport, stream: IO[bytes], filename: str, *, actor: Person, target_id: int | None = None) -> Evidence:
    """Attach a file to the report (or to one of its targets). Refused, with the reason on the
    `file` field, when it is too large, of a type not accepted, or one too many; nothing
    already saved in the report is touched by a refused upload."""
    lock(report)  # uploads to one report take turns: each stamps it, and the count is per report
    require_editable(report, actor)
    rules = report_rules(report.registration.cycle)
    if target_id is not None and target_id not in _in_force(report):
        raise ValidationFailed({"target_id": [gettext("This target is not in force in this registration.")]})
    current = db.session.execute(
        select(Evidence.target_id, func.count()).where(Evidence.report_id == report.id, Evidence.removed_at.is_(None)).group_by(Evidence.target_id)
    ).all()
    total = sum(n for _, n in current)
    if total >= rules["max_files_per_report"]:
        raise ValidationFailed({"file": [gettext("A report may have at most %(max)s files; remove one first.", max=rules["max_files_per_report"])]})
    if target_id is not None and dict(current).get(target_id, 0) >= rules["max_files_per_target"]:
        raise ValidationFailed({"file": [gettext("A target may have at most %(max)s files; remove one first.", max=rules["max_files_per_target"])]})
    limit = rules["max_file_mb"] * 1024 * 1024
    try:
        data, sha256, size = files.spool(stream, limit)
    except files.TooLarge:
        raise FileTooLarge({"file": [gettext("The file is larger than %(max)s MB.", max=rules["max_file_mb"])]}) from None
    try:
        if size == 0:
            raise ValidationFailed({"file": [gettext("The file is empty.")]})
        try:
            kind = files.detect(data)
        except files.ArchiveRefused as exc:
            raise ValidationFailed({"file": [_archive_refusal(exc)]}) from None
        if kind is None or kind not in rules["allowed_types"]:
            allowed = ", ".join(t.upper() for t in rules["allowed_types"])
            raise ValidationFailed({"file": [gettext("This type of file is not accepted (its content was checked, not its name). Accepted: %(types)s.", types=allowed)]})
        files.store(data, sha256)
    finally:
        data.close()
    item = Evidence(
        report_id=report.id, target_id=target_id, filename=files.clean_filename(filename, kind), content_type=EVIDENCE_TYPES[kind][0],
        size=size, sha256=sha256, uploaded_by_id=actor.id,
    )
    db.session.add(item)
    report.touch()
    audit.record("evidence.add", item, actor=actor, summary=f"{_summary(report)}: {item.filename}", data={"sha256": sha256, "size": size})
    return item


def remove_evidence(item: Evidence, report: QuarterlyReport, *, actor: Person, version: int | None) -> None:
    """Take a file off a draft report. It stays stored (and listed in earlier versions)."""
    require_editable(report, actor)
    check_version(report, version)
    if item.removed_at is not None:
        raise DomainError(gettext("This file was already removed."))
    item.removed_at = utcnow()
    item.removed_by_id = actor.id
    report.touch()
    audit.record("evidence.remove", item, actor=actor, summary=f"{_summary(report)}: {item.filename}")


# --- requests for support and directions -----------------------------------------------------


def raise_request(report: QuarterlyReport, kind: RequestKind | str, body: str, *, actor: Person, target_id: int | None = None) -> SupportRequest:
    """An obstacle or a request for support (kiến nghị, đề xuất), sent at once to the staff
    agency and the committee."""
    policy.require(actor, "support.create", report)
    if target_id is not None and target_id not in _in_force(report):
        raise ValidationFailed({"target_id": [gettext("This target is not in force in this registration.")]})
    if not (body or "").strip():
        raise ValidationFailed({"body": [gettext("This field is required.")]})
    request = SupportRequest(report_id=report.id, target_id=target_id, kind=RequestKind(kind), body=body.strip(), created_by_id=actor.id)
    db.session.add(request)
    audit.record("support.create", request, actor=actor, summary=f"{_summary(report)}: {body.strip()[:200]}")
    return request


def give_direction(request: SupportRequest, body: str, *, actor: Person, version: int | None) -> SupportDirection:
    """Answer a request with a direction (chỉ đạo); the head is told by e-mail."""
    REQUEST.check(request, "answer", actor=actor)
    check_version(request, version)
    if not (body or "").strip():
        raise ValidationFailed({"body": [gettext("Write the direction.")]})
    REQUEST.fire(request, "answer", actor=actor)
    direction = SupportDirection(author_id=actor.id, body=body.strip())
    request.directions.append(direction)
    db.session.flush()
    mail.direction_given(request, direction)
    audit.record("support.answer", request, actor=actor, summary=f"{_summary(request.report)}: {body.strip()[:200]}")
    return direction


def close_request(request: SupportRequest, *, actor: Person, version: int | None, note: str = "") -> None:
    REQUEST.check(request, "close", actor=actor)
    check_version(request, version)
    old, new = REQUEST.fire(request, "close", actor=actor)
    audit.record("support.close", request, actor=actor, summary=_summary(request.report), reason=note, data={"from": old.value, "to": new.value})
