"""Dashboard panels of quarterly reports. Heads: the reports of the current quarter, what is
due or late, the directions they received. Staff: late reports of the units they follow,
reports waiting for them to accept or return, open requests. The committee: open requests for
support. Each loader runs a fixed number of statements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from workflow.accounts.models import Person, Role
from workflow.core.models import utcnow
from workflow.dashboard import panel
from workflow.extensions import db
from workflow.reports import monitoring
from workflow.reports.models import QuarterlyReport, ReportState, SupportDirection, SupportRequest
from workflow.targets.models import Registration, RegistrationState
from workflow.units.models import Unit

LIST_LIMIT = 8


@panel("reports.head", "reports/panel_head.html", roles={Role.HEAD}, order=20)
def head_panel(person: Person) -> dict[str, Any] | None:
    cycle, rows = monitoring.head_quarters(person)
    if cycle is None or not any(r.registration for r in rows):
        return None
    directions = list(db.session.scalars(
        select(SupportDirection)
        .join(SupportRequest, SupportDirection.request_id == SupportRequest.id)
        .join(QuarterlyReport, SupportRequest.report_id == QuarterlyReport.id)
        .join(Registration, QuarterlyReport.registration_id == Registration.id)
        .where(Registration.cycle_id == cycle.id, Registration.unit_id.in_(person.head_unit_ids))
        .options(joinedload(SupportDirection.author), joinedload(SupportDirection.request).joinedload(SupportRequest.report))
        .order_by(SupportDirection.created_at.desc(), SupportDirection.id.desc())
        .limit(5)
    ))
    quarter = monitoring.current_quarter(cycle)
    return {"cycle": cycle, "rows": [(r, r.cells[quarter - 1]) for r in rows if r.registration], "quarter": quarter, "directions": directions}


def _late_condition(cycle: Any, quarter: int) -> Any:
    """SQL on Registration outer-joined to its report of `quarter`: never submitted, past due."""
    _, ws = monitoring.windows(cycle)
    never = or_(QuarterlyReport.id.is_(None), QuarterlyReport.first_submitted_at.is_(None))
    return and_(never, ws[quarter].due_at < utcnow())


@panel("reports.staff", "reports/panel_staff.html", roles={Role.STAFF}, order=20)
def staff_panel(person: Person) -> dict[str, Any] | None:
    cycle = monitoring.reporting_cycle()
    if cycle is None:
        return None
    quarter = monitoring.current_quarter(cycle)
    mine = and_(Registration.cycle_id == cycle.id, Registration.state == RegistrationState.ASSIGNED, Unit.staff_officer_id == person.id)
    late = (
        select(Registration).join(Unit, Registration.unit_id == Unit.id)
        .outerjoin(QuarterlyReport, and_(QuarterlyReport.registration_id == Registration.id, QuarterlyReport.quarter == quarter))
        .where(mine, _late_condition(cycle, quarter)).options(joinedload(Registration.unit)).order_by(Unit.name)
    )
    review = (
        select(QuarterlyReport).join(Registration, QuarterlyReport.registration_id == Registration.id).join(Unit, Registration.unit_id == Unit.id)
        .where(mine, QuarterlyReport.state == ReportState.SUBMITTED)
        .options(joinedload(QuarterlyReport.registration).joinedload(Registration.unit)).order_by(QuarterlyReport.submitted_at)
    )
    count = lambda stmt: db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0  # noqa: E731
    requests, request_total = monitoring.open_requests(cycle, LIST_LIMIT, staff_id=person.id)
    return {
        "cycle": cycle, "quarter": quarter,
        "late": list(db.session.scalars(late.limit(LIST_LIMIT))), "late_total": count(late),
        "review": list(db.session.scalars(review.limit(LIST_LIMIT))), "review_total": count(review),
        "requests": requests, "request_total": request_total, "staff_id": person.id,
    }


@panel("reports.committee", "reports/panel_committee.html", roles={Role.COMMITTEE}, order=20)
def committee_panel(person: Person) -> dict[str, Any] | None:
    cycle = monitoring.reporting_cycle()
    if cycle is None:
        return None
    requests, total = monitoring.open_requests(cycle, LIST_LIMIT)
    return {"cycle": cycle, "requests": requests, "total": total, "counts": monitoring.state_counts(cycle, monitoring.current_quarter(cycle)),
            "quarter": monitoring.current_quarter(cycle)}
