"""What staff and the committee monitor, and what a head sees of their own year: the matrix of
heads × quarters with each report's state, the targets at risk, the open requests for
support, and each head's year (planned against actual per quarter, with the forecast).

Only reports that were submitted at least once count for progress: a draft is the head's
business until it is sent. Every function runs a fixed number of statements whatever the
number of rows (`tests/test_reports_monitoring.py` counts them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload

from workflow.accounts.models import Person, Role, RoleGrant
from workflow.calendar import WorkingCalendar, calendar_rules
from workflow.calendar.days import Window
from workflow.core import formats
from workflow.core.inputs import whole_number
from workflow.core.models import utcnow
from workflow.core.pagination import Page, paginate
from workflow.cycles.models import Cycle, CycleState
from workflow.extensions import db
from workflow.reports import progress
from workflow.reports.models import QuarterlyReport, ReportEntry, ReportState, RequestState, SupportRequest
from workflow.reports.presenters import Line, display_state, line
from workflow.reports.rules import report_rules
from workflow.targets.models import Registration, RegistrationState, Target, TargetKind
from workflow.units.models import Unit

QUARTERS = (1, 2, 3, 4)
DISPLAY_STATES = ("not_open", "draft", "late", "submitted", "returned", "accepted")


def reporting_cycle() -> Cycle | None:
    """The cycle whose reports are being made: the one in execution (there is at most one)."""
    return db.session.scalar(select(Cycle).where(Cycle.state == CycleState.EXECUTION).order_by(Cycle.year.desc()).limit(1))


def windows(cycle: Cycle) -> tuple[WorkingCalendar, dict[int, Window]]:
    cal = WorkingCalendar(calendar_rules(cycle))
    return cal, {q: cal.window(cycle.year, q) for q in QUARTERS}


def current_quarter(cycle: Cycle, now: datetime | None = None) -> int:
    """The latest quarter whose window has opened (1 before any has)."""
    now = now or utcnow()
    _, ws = windows(cycle)
    opened = [q for q, w in ws.items() if w.is_open(now)]
    return max(opened) if opened else 1


@dataclass
class Cell:
    quarter: int
    window: Window
    report: QuarterlyReport | None
    state: str  # one of DISPLAY_STATES

    @property
    def days_late(self) -> int:
        if self.report is not None and self.report.ever_submitted:
            return self.report.days_late
        return 0


def cells_of(reports: dict[int, QuarterlyReport], ws: dict[int, Window], now: datetime) -> list[Cell]:
    cells = []
    for q in QUARTERS:
        report = reports.get(q)
        state = display_state(report.state if report else None, due_at=ws[q].due_at, opens_at=ws[q].opens_at,
                              ever_submitted=bool(report and report.ever_submitted), now=now)
        cells.append(Cell(q, ws[q], report, state))
    return cells


def _reports_by_registration(ids: Sequence[int]) -> dict[int, dict[int, QuarterlyReport]]:
    found: dict[int, dict[int, QuarterlyReport]] = {i: {} for i in ids}
    if ids:
        for report in db.session.scalars(select(QuarterlyReport).where(QuarterlyReport.registration_id.in_(ids))):
            found[report.registration_id][report.quarter] = report
    return found


# --- the head's own year ---------------------------------------------------------------------

@dataclass
class HeadRow:
    unit: Unit
    registration: Registration | None
    cells: list[Cell] = field(default_factory=list)


def head_quarters(person: Person, now: datetime | None = None) -> tuple[Cycle | None, list[HeadRow]]:
    """The four quarters of each unit `person` heads, in the cycle in execution."""
    now = now or utcnow()
    cycle = reporting_cycle()
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(person.head_unit_ids)).order_by(Unit.name)))
    if cycle is None:
        return None, [HeadRow(u, None) for u in units]
    registrations = {
        r.unit_id: r for r in db.session.scalars(
            select(Registration).where(Registration.cycle_id == cycle.id, Registration.unit_id.in_(person.head_unit_ids),
                                       Registration.state == RegistrationState.ASSIGNED)
        )
    }
    reports = _reports_by_registration([r.id for r in registrations.values()])
    _, ws = windows(cycle)
    rows = []
    for unit in units:
        registration = registrations.get(unit.id)
        rows.append(HeadRow(unit, registration, cells_of(reports[registration.id], ws, now) if registration else []))
    return cycle, rows


# --- the matrix ------------------------------------------------------------------------------

@dataclass
class MatrixFilters:
    group_id: int | None = None
    staff_id: int | None = None
    quarter: int | None = None  # the quarter `state` looks at
    state: str | None = None  # one of DISPLAY_STATES
    q: str = ""

    @classmethod
    def from_args(cls, args: Any) -> MatrixFilters:
        """From a query string, never failing: what cannot be read is ignored."""
        def number(name: str) -> int | None:
            return whole_number(args.get(name))

        quarter = number("quarter")
        state = (args.get("state") or "").strip()
        return cls(group_id=number("group_id"), staff_id=number("staff_id"), quarter=quarter if quarter in QUARTERS else None,
                   state=state if state in DISPLAY_STATES else None, q=(args.get("q") or "").strip()[:100])

    def as_args(self) -> dict[str, Any]:
        return {k: v for k, v in {"group_id": self.group_id, "staff_id": self.staff_id, "quarter": self.quarter, "state": self.state,
                                  "q": self.q}.items() if v}


@dataclass
class MatrixRow:
    registration: Registration
    head: Person | None
    cells: list[Cell]
    at_risk: int  # targets at risk or off track in the latest report submitted
    open_requests: int


def _state_condition(state: str, window: Window, now: datetime) -> Any:
    """SQL: the report outer-joined as `QuarterlyReport` shows `state` in this window."""
    missing = QuarterlyReport.id.is_(None)
    never_submitted = or_(missing, and_(QuarterlyReport.state == ReportState.DRAFT, QuarterlyReport.first_submitted_at.is_(None)))
    if state == "not_open":
        return and_(missing, window.opens_at > now)
    if state == "late":
        return and_(never_submitted, window.due_at < now)
    if state == "draft":
        opened = window.opens_at <= now
        return and_(or_(and_(missing, opened), QuarterlyReport.state == ReportState.DRAFT), or_(window.due_at >= now, QuarterlyReport.first_submitted_at.is_not(None)))
    return QuarterlyReport.state == ReportState(state)


def matrix_query(cycle: Cycle, filters: MatrixFilters, now: datetime | None = None) -> Select[Any]:
    now = now or utcnow()
    stmt = (
        select(Registration)
        .join(Unit, Registration.unit_id == Unit.id)
        .where(Registration.cycle_id == cycle.id, Registration.state == RegistrationState.ASSIGNED)
        .options(joinedload(Registration.unit).joinedload(Unit.group), joinedload(Registration.unit).joinedload(Unit.staff_officer),
                 joinedload(Registration.cycle))
        .order_by(Unit.group_id, Unit.name, Registration.id)
    )
    if filters.group_id:
        stmt = stmt.where(Unit.group_id == filters.group_id)
    if filters.staff_id:
        stmt = stmt.where(Unit.staff_officer_id == filters.staff_id)
    if filters.q:
        stmt = stmt.where(Unit.name.icontains(filters.q, autoescape=True))
    if filters.state:
        quarter = filters.quarter or current_quarter(cycle, now)
        _, ws = windows(cycle)
        stmt = stmt.outerjoin(QuarterlyReport, and_(QuarterlyReport.registration_id == Registration.id, QuarterlyReport.quarter == quarter))
        stmt = stmt.where(_state_condition(filters.state, ws[quarter], now))
    return stmt


def heads_of(unit_ids: Sequence[int]) -> dict[int, Person]:
    if not unit_ids:
        return {}
    rows = db.session.execute(
        select(RoleGrant.unit_id, Person).join(Person, RoleGrant.person_id == Person.id).where(RoleGrant.role == Role.HEAD, RoleGrant.unit_id.in_(unit_ids))
    )
    return {unit_id: person for unit_id, person in rows}


def _targets_by_registration(ids: Sequence[int]) -> dict[int, list[Target]]:
    found: dict[int, list[Target]] = {i: [] for i in ids}
    if ids:
        for t in db.session.scalars(select(Target).where(Target.registration_id.in_(ids), Target.dropped.is_(False)).order_by(Target.position, Target.id)):
            found[t.registration_id].append(t)
    return found


def _entries_of(report_ids: Sequence[int]) -> dict[int, dict[int, ReportEntry]]:
    found: dict[int, dict[int, ReportEntry]] = {i: {} for i in report_ids}
    if report_ids:
        for e in db.session.scalars(select(ReportEntry).where(ReportEntry.report_id.in_(report_ids))):
            found[e.report_id][e.target_id] = e
    return found


def _latest_submitted(reports: dict[int, QuarterlyReport]) -> QuarterlyReport | None:
    sent = [r for r in reports.values() if r.ever_submitted]
    return max(sent, key=lambda r: r.quarter) if sent else None


def _lines_of(report: QuarterlyReport, targets: list[Target], entries: dict[int, ReportEntry], ws: dict[int, Window], bands: dict[str, Any]) -> list[Line]:
    ends = ws[report.quarter].quarter_ends_on
    return [line(t, entries.get(t.id), report.quarter, ends, bands) for t in targets]


def matrix(cycle: Cycle, filters: MatrixFilters, page: int, per_page: int, now: datetime | None = None) -> Page[MatrixRow]:
    """A page of the matrix: seven statements whatever the page size."""
    now = now or utcnow()
    found = paginate(matrix_query(cycle, filters, now), page, per_page)
    registrations: list[Registration] = found.items
    ids = [r.id for r in registrations]
    reports = _reports_by_registration(ids)
    latest = {i: _latest_submitted(reports[i]) for i in ids}
    entries = _entries_of([r.id for r in latest.values() if r is not None])
    targets = _targets_by_registration(ids)
    requests = dict(db.session.execute(
        select(QuarterlyReport.registration_id, func.count()).join(SupportRequest, SupportRequest.report_id == QuarterlyReport.id)
        .where(QuarterlyReport.registration_id.in_(ids or [-1]), SupportRequest.state == RequestState.OPEN).group_by(QuarterlyReport.registration_id)
    ).all())
    heads = heads_of([r.unit_id for r in registrations])
    _, ws = windows(cycle)
    bands = report_rules(cycle)
    rows = []
    for registration in registrations:
        report = latest[registration.id]
        risky = 0
        if report is not None:
            risky = sum(1 for ln in _lines_of(report, targets[registration.id], entries[report.id], ws, bands)
                        if ln.status in (progress.Status.AT_RISK, progress.Status.OFF_TRACK))
        rows.append(MatrixRow(registration, heads.get(registration.unit_id), cells_of(reports[registration.id], ws, now), risky,
                              requests.get(registration.id, 0)))
    return Page(items=rows, page=found.page, per_page=found.per_page, total=found.total)


def state_counts(cycle: Cycle, quarter: int, now: datetime | None = None) -> dict[str, int]:
    """How many registrations show each state in `quarter` (two statements)."""
    now = now or utcnow()
    _, ws = windows(cycle)
    rows = db.session.execute(
        select(QuarterlyReport.state, QuarterlyReport.first_submitted_at.is_not(None), func.count())
        .join(Registration, QuarterlyReport.registration_id == Registration.id)
        .where(Registration.cycle_id == cycle.id, Registration.state == RegistrationState.ASSIGNED, QuarterlyReport.quarter == quarter)
        .group_by(QuarterlyReport.state, QuarterlyReport.first_submitted_at.is_not(None))
    ).all()
    total = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.cycle_id == cycle.id, Registration.state == RegistrationState.ASSIGNED)) or 0
    counts = dict.fromkeys(DISPLAY_STATES, 0)
    with_report = 0
    for state, submitted, n in rows:
        with_report += n
        counts[display_state(state, due_at=ws[quarter].due_at, opens_at=ws[quarter].opens_at, ever_submitted=submitted, now=now)] += n
    counts[display_state(None, due_at=ws[quarter].due_at, opens_at=ws[quarter].opens_at, ever_submitted=False, now=now)] += total - with_report
    return counts


# --- targets at risk and open requests -------------------------------------------------------

@dataclass
class RiskRow:
    report: QuarterlyReport
    line: Line


def at_risk(cycle: Cycle, quarter: int, limit: int = 20, *, staff_id: int | None = None) -> tuple[list[RiskRow], int]:
    """Targets at risk or off track in the submitted reports of `quarter`, worst first (the
    first `limit`), and how many there are: four statements."""
    stmt = (
        select(QuarterlyReport)
        .join(Registration, QuarterlyReport.registration_id == Registration.id)
        .join(Unit, Registration.unit_id == Unit.id)
        .where(Registration.cycle_id == cycle.id, QuarterlyReport.quarter == quarter, QuarterlyReport.first_submitted_at.is_not(None))
        .options(joinedload(QuarterlyReport.registration).joinedload(Registration.unit))
    )
    if staff_id:
        stmt = stmt.where(Unit.staff_officer_id == staff_id)
    reports = list(db.session.scalars(stmt))
    targets = _targets_by_registration([r.registration_id for r in reports])
    entries = _entries_of([r.id for r in reports])
    _, ws = windows(cycle)
    bands = report_rules(cycle)
    found = []
    for report in reports:
        for ln in _lines_of(report, targets[report.registration_id], entries[report.id], ws, bands):
            if ln.status in (progress.Status.AT_RISK, progress.Status.OFF_TRACK):
                found.append(RiskRow(report, ln))
    order = {progress.Status.OFF_TRACK: 0, progress.Status.AT_RISK: 1}
    found.sort(key=lambda r: (order[r.line.status], r.line.vs_plan if r.line.vs_plan is not None else Decimal(0), r.report.registration.unit.name))
    return found[:limit], len(found)


def open_requests_query(cycle: Cycle, *, staff_id: int | None = None) -> Select[Any]:
    stmt = (
        select(SupportRequest)
        .join(QuarterlyReport, SupportRequest.report_id == QuarterlyReport.id)
        .join(Registration, QuarterlyReport.registration_id == Registration.id)
        .join(Unit, Registration.unit_id == Unit.id)
        .where(Registration.cycle_id == cycle.id, SupportRequest.state == RequestState.OPEN)
        .options(joinedload(SupportRequest.report).joinedload(QuarterlyReport.registration).joinedload(Registration.unit),
                 joinedload(SupportRequest.created_by), joinedload(SupportRequest.target))
        .order_by(SupportRequest.created_at, SupportRequest.id)
    )
    if staff_id:
        stmt = stmt.where(Unit.staff_officer_id == staff_id)
    return stmt


def open_requests(cycle: Cycle, limit: int = 20, *, staff_id: int | None = None) -> tuple[list[SupportRequest], int]:
    stmt = open_requests_query(cycle, staff_id=staff_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    return list(db.session.scalars(stmt.limit(limit))), total


# --- one head's year: planned against actual, and the forecast -------------------------------

@dataclass
class TargetYear:
    target: Target
    plan: list[Decimal | None]
    actual: list[Decimal | None]  # from the reports submitted at least once
    milestones: list[str | None]  # tasks: the status reported each quarter
    forecast: Decimal | None
    forecast_progress: Decimal | None  # the forecast against the year's target, percent
    status: progress.Status | None  # the forecast's status against the year's target

    def chart(self) -> dict[str, Any]:
        """Data for the planned-against-actual chart (read by static/js/reports.js)."""
        def number(v: Decimal | None) -> float | None:
            return None if v is None else float(v)

        start = progress.start_of(self.target.baseline, self.target.target_value, self.target.plan_q1, self.target.direction) \
            if self.target.target_value is not None else None
        return {"labels": [formats.quarter(q) for q in QUARTERS], "plan": [number(v) for v in self.plan], "actual": [number(v) for v in self.actual],
                "forecast": number(self.forecast), "target": number(self.target.target_value), "start": number(start), "measure": self.target.measure}


def year_of(registration: Registration) -> list[TargetYear]:
    """Every target in force of `registration` over the year (three statements)."""
    reports = [r for r in _reports_by_registration([registration.id])[registration.id].values() if r.ever_submitted]
    entries = _entries_of([r.id for r in reports])
    targets = _targets_by_registration([registration.id])[registration.id]
    bands = report_rules(registration.cycle)
    by_quarter = {r.quarter: entries[r.id] for r in reports}
    out = []
    for t in targets:
        actual: list[Decimal | None] = []
        milestones: list[str | None] = []
        for q in QUARTERS:
            e = by_quarter.get(q, {}).get(t.id)
            actual.append(e.actual if e else None)
            milestones.append(e.milestone_status.value if e and e.milestone_status else None)
        forecast = forecast_progress = status = None
        if t.kind == TargetKind.QUANTITATIVE and t.target_value is not None:
            start = progress.start_of(t.baseline, t.target_value, t.plan_q1, t.direction)
            forecast = progress.forecast({q: v for q, v in zip(QUARTERS, actual) if v is not None}, start)
            if forecast is not None:
                forecast_progress = progress.progress(forecast, t.target_value, start, t.direction)
                status = progress.status_from_progress(forecast_progress, bands)
        out.append(TargetYear(t, list(t.quarter_plan), actual, milestones, forecast, forecast_progress, status))
    return out
