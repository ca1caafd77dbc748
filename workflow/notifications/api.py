"""API: the outbox, for admins (the same as the outbox page)."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint

from scheduler.status import scheduler_status
from workflow import policy
from workflow.core.api import API_PREFIX
from workflow.core.pagination import page_payload, page_schema, paginate
from workflow.core.web import get_or_404
from workflow.notifications import operations
from workflow.notifications.models import Notification
from workflow.notifications.queries import OutboxFilters, outbox_query, state_counts
from workflow.notifications.schemas import (
    CancelSchema,
    CountSchema,
    NotificationDetailSchema,
    NotificationSchema,
    OutboxArgs,
    OutboxSummarySchema,
)

blp = Blueprint(
    "notifications", __name__, url_prefix=f"{API_PREFIX}/notifications", description="The outbox of e-mail and the scheduler's state (admins)."
)


@blp.get("")
@blp.arguments(OutboxArgs, location="query")
@blp.response(200, page_schema(NotificationSchema))
def list_notifications(args):
    """Messages, failed first, then newest first."""
    policy.require(current_user, "notifications.view")
    filters = OutboxFilters.from_args(args)
    return page_payload(paginate(outbox_query(filters), args["page"], args["per_page"]))


@blp.get("/summary")
@blp.response(200, OutboxSummarySchema)
def summary():
    """Messages per state, who the active scheduler is, and the last run of each job."""
    policy.require(current_user, "notifications.view")
    return {"counts": state_counts(), "scheduler": scheduler_status(current_app.config["KPI"])}


@blp.get("/<int:notification_id>")
@blp.response(200, NotificationDetailSchema)
def get_notification(notification_id: int):
    policy.require(current_user, "notifications.view")
    return get_or_404(Notification, notification_id)


@blp.post("/<int:notification_id>/retry")
@blp.response(200, NotificationSchema)
def retry(notification_id: int):
    """Send a failed message again, with a fresh set of attempts."""
    policy.require(current_user, "notifications.view")
    notification = get_or_404(Notification, notification_id)
    operations.retry(notification, actor=current_user)
    return notification


@blp.post("/<int:notification_id>/cancel")
@blp.arguments(CancelSchema)
@blp.response(200, NotificationSchema)
def cancel(data, notification_id: int):
    """Cancel a message that is still waiting."""
    policy.require(current_user, "notifications.view")
    notification = get_or_404(Notification, notification_id)
    operations.cancel(notification, actor=current_user, reason=data["reason"])
    return notification


@blp.post("/retry-failed")
@blp.response(200, CountSchema)
def retry_failed():
    """Send every failed message again."""
    return {"count": operations.retry_all_failed(actor=current_user)}


@blp.post("/test")
@blp.response(201, NotificationSchema)
def send_test():
    """Queue a test message to your own address, to check the SMTP settings."""
    return operations.send_test_message(actor=current_user)
