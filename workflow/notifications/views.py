"""The admins' outbox page: what was sent, what waits, what failed (first, with a retry), one
message in detail, a test message to oneself, and whether the scheduler is running."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from scheduler.status import scheduler_status
from workflow import policy
from workflow.accounts.models import Role
from workflow.core.pagination import paginate
from workflow.dashboard import panel
from workflow.core.web import get_or_404, load_form, page_args, safe_next
from workflow.notifications import operations
from workflow.notifications.display import kind_label
from workflow.notifications.models import STATE_LABELS, STATE_TONES, Notification, State
from workflow.notifications.queries import OutboxFilters, kinds, outbox_query, state_counts
from workflow.notifications.schemas import CancelSchema

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")

# The HTML part is shown as the mail client would, in a sandbox: no script, nothing loaded.
HTML_PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


@bp.get("")
def index():
    policy.require(current_user, "notifications.view")
    filters = OutboxFilters.from_args(request.args)
    page = paginate(outbox_query(filters), *page_args())
    return render_template(
        "notifications/outbox.html",
        page=page,
        filters=filters,
        counts=state_counts(),
        kinds=[(kind, kind_label(kind)) for kind in kinds()],
        kind_label=kind_label,
        states=[(s.value, STATE_LABELS[s], STATE_TONES[s]) for s in State],
        status=scheduler_status(current_app.config["KPI"]),
        workflow=operations.OUTBOX,
    )


@bp.get("/<int:notification_id>")
def detail(notification_id: int):
    policy.require(current_user, "notifications.view")
    notification = get_or_404(Notification, notification_id)
    return render_template(
        "notifications/detail.html", n=notification, available=operations.OUTBOX.available(notification, current_user), kind_label=kind_label
    )


@bp.get("/<int:notification_id>/html")
def html_part(notification_id: int):
    policy.require(current_user, "notifications.view")
    notification = get_or_404(Notification, notification_id)
    response = Response(notification.body_html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = HTML_PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.get("/<int:notification_id>/ics")
def ics_part(notification_id: int):
    policy.require(current_user, "notifications.view")
    notification = get_or_404(Notification, notification_id)
    if not notification.ics:
        return redirect(url_for("outbox.detail", notification_id=notification_id))
    response = Response(notification.ics, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{notification.ics_filename or "deadline.ics"}"'
    return response


def _back(notification_id: int | None = None) -> Response:
    fallback = url_for("outbox.detail", notification_id=notification_id) if notification_id else url_for("outbox.index")
    return redirect(safe_next(request.form.get("next"), fallback))


@bp.post("/<int:notification_id>/step")
def step(notification_id: int):
    policy.require(current_user, "notifications.view")
    notification = get_or_404(Notification, notification_id)
    name = request.form.get("step", "")
    if name == "retry":
        operations.retry(notification, actor=current_user)
        flash(gettext("The message to %(address)s will be sent again at the scheduler's next tick.", address=notification.to_address), "success")
    elif name == "cancel":
        data = load_form(CancelSchema())
        operations.cancel(notification, actor=current_user, reason=data["reason"])
        flash(gettext("The message to %(address)s was cancelled.", address=notification.to_address), "success")
    else:
        operations.OUTBOX.get(name)  # refuses an unknown step with a readable message
    return _back(notification_id)


@bp.post("/retry-failed")
def retry_failed():
    count = operations.retry_all_failed(actor=current_user)
    flash(gettext("%(count)s failed messages will be sent again at the scheduler's next tick.", count=count), "success" if count else "info")
    return _back()


@bp.post("/test")
def send_test():
    notification = operations.send_test_message(actor=current_user)
    flash(
        gettext("A test message to %(address)s was queued; it goes out at the scheduler's next tick.", address=notification.to_address),
        "success",
    )
    return redirect(url_for("outbox.detail", notification_id=notification.id))


@panel("outbox", "notifications/_panel.html", roles={Role.ADMIN}, order=900)
def outbox_panel(person):
    """For admins: failed mail and whether the scheduler runs (three statements)."""
    if not policy.can(person, "notifications.view"):
        return None
    return {"counts": state_counts(), "status": scheduler_status(current_app.config["KPI"])}
