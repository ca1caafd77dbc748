"""The audit log browser: filter by actor, action, object, period and text; paginated."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from workflow import policy
from workflow.accounts.models import Person
from workflow.core.audit import AuditEntry
from workflow.core.pagination import paginate
from workflow.core.web import page_args

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _parse_day(raw: str | None):
    try:
        return datetime.strptime(raw or "", "%Y-%m-%d").date()
    except ValueError:
        return None


@bp.get("/audit")
def audit_log():
    policy.require(current_user, "admin.audit.view")
    args = request.args
    stmt = select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    filters = {k: (args.get(k) or "").strip()[:100] for k in ("actor", "action", "object_type", "object_id", "q", "since", "until")}
    if filters["actor"]:
        stmt = stmt.join(Person, AuditEntry.actor_id == Person.id).where(Person.username == filters["actor"].lower())
    if filters["action"]:
        stmt = stmt.where(AuditEntry.action.startswith(filters["action"], autoescape=True))
    if filters["object_type"]:
        stmt = stmt.where(AuditEntry.object_type == filters["object_type"])
    if filters["object_id"].isdigit():
        stmt = stmt.where(AuditEntry.object_id == int(filters["object_id"]))
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
    actions = sorted({a.split(".")[0] for a in policy.actions()} | {"account"})
    return render_template("admin/audit.html", page=page, filters=filters, actions=actions)
