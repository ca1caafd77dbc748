"""The administration blueprint: the landing page with counts and links, the audit log browser,
and the helpers the admin pages share (`workflow.admin.units`, `.people`, `.cycles` add theirs).

Pages load, check the policy and call the operations of the package that owns the data; a form
that fails comes back with the person's input, its field errors, and the status that makes the
request roll back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from marshmallow import Schema
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from workflow import policy
from workflow.accounts.models import ROLE_LABELS, Person, Role, RoleGrant
from workflow.core import formats
from workflow.admin import audit_display
from workflow.core.audit import AuditEntry
from workflow.core.errors import DomainError, StaleObject, ValidationFailed
from workflow.core.inputs import whole_number
from workflow.core.models import utcnow
from workflow.core.pagination import paginate
from workflow.core.web import load_form, page_args
from workflow.cycles.models import Cycle, CycleState
from workflow.cycles.workflow import STATE_LABELS, STATE_TONES
from workflow.extensions import db
from workflow.units.models import Unit, UnitGroup

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.context_processor
def labels() -> dict[str, Any]:
    return {"ROLE_LABELS": ROLE_LABELS, "CYCLE_STATE_LABELS": STATE_LABELS, "CYCLE_STATE_TONES": STATE_TONES}


@dataclass
class FormOutcome:
    """What became of a submitted form: `ok`, or the errors to show with the person's input."""

    ok: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)
    problem: str | None = None  # a refusal that is not about one field (stale version, a rule)
    stale: bool = False
    status: int = 200


def submit(schema: Schema | None, apply: Callable[[dict[str, Any]], Any]) -> FormOutcome:
    """Read the form with `schema` (when given) and hand the data to `apply` (an operation)."""
    try:
        apply(load_form(schema) if schema is not None else {})
    except ValidationFailed as exc:
        return FormOutcome(errors=exc.errors, status=422)
    except StaleObject as exc:
        return FormOutcome(problem=exc.message, stale=True, status=409)
    except DomainError as exc:
        return FormOutcome(problem=exc.message, status=exc.status_code)
    return FormOutcome(ok=True)


def _count(stmt: Any) -> int:
    return db.session.scalar(stmt) or 0


@bp.get("")
def index():
    policy.require(current_user, "admin.view")
    has_head = select(RoleGrant.id).where(RoleGrant.role == Role.HEAD, RoleGrant.unit_id == Unit.id).exists()
    counts = {
        "groups": _count(select(func.count()).select_from(UnitGroup)),
        "units": _count(select(func.count()).select_from(Unit).where(Unit.active.is_(True))),
        "units_inactive": _count(select(func.count()).select_from(Unit).where(Unit.active.is_(False))),
        "units_without_head": _count(select(func.count()).select_from(Unit).where(Unit.active.is_(True), ~has_head)),
        "units_without_officer": _count(
            select(func.count()).select_from(Unit).where(Unit.active.is_(True), Unit.staff_officer_id.is_(None))
        ),
        "people": _count(select(func.count()).select_from(Person).where(Person.active.is_(True))),
        "people_inactive": _count(select(func.count()).select_from(Person).where(Person.active.is_(False))),
        "audit_week": _count(select(func.count()).select_from(AuditEntry).where(AuditEntry.at >= utcnow() - timedelta(days=7))),
    }
    cycles = list(db.session.scalars(select(Cycle).where(Cycle.state != CycleState.CLOSED).order_by(Cycle.year)))
    return render_template("admin/index.html", counts=counts, cycles=cycles)


def _parse_day(raw: str | None):
    """A day typed in a filter (31/03/2027, or 2027-03-31); a mistyped one filters nothing."""
    try:
        return formats.parse_day(raw or "")
    except formats.FormatError:
        return None


@bp.get("/audit")
def audit_log():
    policy.require(current_user, "admin.audit.view")
    args = request.args
    stmt = select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    filters = {k: (args.get(k) or "").strip()[:100] for k in ("actor", "area", "action", "object_type", "object_id", "q", "since", "until")}
    if filters["actor"]:
        stmt = stmt.join(Person, AuditEntry.actor_id == Person.id).where(Person.username == filters["actor"].lower())
    if filters["area"] in audit_display.AREAS:
        stmt = stmt.where(or_(*(AuditEntry.action.startswith(prefix, autoescape=True) for prefix in audit_display.area_prefixes(filters["area"]))))
    if filters["action"]:  # one action or a family of them, from a link
        stmt = stmt.where(AuditEntry.action.startswith(filters["action"], autoescape=True))
    if filters["object_type"]:
        stmt = stmt.where(AuditEntry.object_type == filters["object_type"])
    object_id = whole_number(filters["object_id"])
    if object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if filters["q"]:
        stmt = stmt.where(
            or_(AuditEntry.summary.contains(filters["q"], autoescape=True), AuditEntry.reason.contains(filters["q"], autoescape=True))
        )
    zone = ZoneInfo(current_app.config["KPI"]["timezone"])
    since, until = _parse_day(filters["since"]), _parse_day(filters["until"])
    if since:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(since, time.min, zone))
    if until:
        stmt = stmt.where(AuditEntry.at < datetime.combine(until + timedelta(days=1), time.min, zone))
    page = paginate(stmt, *page_args(50))
    return render_template(
        "admin/audit.html", page=page, rows=audit_display.rows(page.items), filters=filters,
        areas=[(key, str(label)) for key, (label, _) in audit_display.AREAS.items()],
        objects=sorted(((key, str(label)) for key, label in audit_display.OBJECTS.items()), key=lambda o: o[1]),
    )
