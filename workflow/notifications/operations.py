"""Queueing e-mail and the admins' actions on the outbox.

`notify` renders a message in the recipient's language and adds it to the current session, so
it is committed, or rolled back, with the change that caused it; the dispatcher sends it after
the commit. A message whose key was queued before is not queued again (the database refuses the
duplicate; `notify` says so by returning False). Admin actions (retry, cancel, send a test
message) check the policy and write the audit log, like every operation.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from workflow import policy
from workflow.accounts.models import Person
from workflow.core import audit
from workflow.core.database import insert_ignoring_conflict
from workflow.core.errors import ValidationFailed
from workflow.core.i18n import LOCALES
from workflow.core.models import utcnow
from workflow.core.transitions import Transition, Workflow
from workflow.extensions import db
from workflow.notifications.keys import event_key
from workflow.notifications.models import STATE_LABELS, Notification, State

log = logging.getLogger(__name__)

OUTBOX = Workflow(
    "outbox",
    State,
    [
        Transition("retry", (State.FAILED,), State.PENDING, "notifications.retry", _l("Send again")),
        Transition("cancel", (State.PENDING,), State.CANCELLED, "notifications.cancel", _l("Cancel"), style="outline-secondary"),
    ],
    labels=STATE_LABELS,
)

TEST_MESSAGE = "test_message"


def link(path: str = "/") -> str:
    """An absolute link for e-mail, on the address people use (KPI_BASE_URL)."""
    return current_app.config["KPI"]["base_url"].rstrip("/") + "/" + path.lstrip("/")


def recipient_locale(person: Person | None) -> str:
    locale = getattr(person, "locale", None)
    return locale if locale in LOCALES else current_app.config["KPI"]["default_locale"]


def render(template: str, context: dict[str, Any], locale: str) -> tuple[str, str, str]:
    """(subject, text, html) of templates/mail/<template>.txt and .html in `locale`.

    The .txt template gives the subject in its `subject` block. Both extend the mail layouts,
    which add the service's name and a footer saying why the person receives the message.
    """
    env = current_app.jinja_env
    values = {"link": link, "base_url": link("/"), **context}
    with force_locale(locale):
        text_template = env.get_template(f"mail/{template}.txt")
        if "subject" not in text_template.blocks:
            raise LookupError(f"templates/mail/{template}.txt has no subject block")
        subject = "".join(text_template.blocks["subject"](text_template.new_context(values))).strip()
        text = text_template.render(values).strip() + "\n"
        html = env.get_template(f"mail/{template}.html").render(values)
    return " ".join(subject.split())[:300], text, html


def notify(
    recipient: Person,
    kind: str,
    key: str,
    template: str,
    context: dict[str, Any],
    *,
    ics: str | None = None,
    ics_filename: str | None = None,
    when: datetime | None = None,
    cycle: Any = None,
    quarter: int | None = None,
) -> bool:
    """Queue an e-mail to `recipient` in the current transaction; False if `key` was queued before.

    `context` is what the templates need besides `recipient`, `link(path)` and `base_url`.
    `when` holds the message back until that instant (scheduled jobs pass their as-of time, so
    that a simulated run sends what it queues). `ics` is an iCalendar document (see `ics.py`).
    """
    locale = recipient_locale(recipient)
    subject, text, html = render(template, {"recipient": recipient, **context}, locale)
    address = (recipient.email or "").strip()
    values: dict[str, Any] = {
        "recipient_id": recipient.id,
        "to_address": address,
        "locale": locale,
        "kind": kind,
        "dedup_key": key,
        "cycle_id": getattr(cycle, "id", cycle),
        "quarter": quarter,
        "subject": subject,
        "body_text": text,
        "body_html": html,
        "ics": ics,
        "ics_filename": (ics_filename or f"{kind}.ics") if ics else None,
        "next_attempt_at": when,
        "state": State.PENDING,
    }
    if not address:
        # Kept, not dropped: admins see it among the failed messages and can fix the address.
        values.update(state=State.FAILED, failed_at=utcnow(), last_error="no e-mail address")
    queued = insert_ignoring_conflict(db.session, Notification.__table__, values, ["dedup_key"])
    if queued:
        log.debug("queued %s for person %s (%s)", kind, recipient.id, key)
    return queued


def retry(notification: Notification, *, actor: Person) -> None:
    """Give a failed message a fresh set of attempts, starting at the next dispatch."""
    OUTBOX.fire(notification, "retry", actor=actor)
    notification.attempts = 0
    notification.deferrals = 0
    notification.next_attempt_at = None
    notification.failed_at = None
    audit.record(
        "notifications.retry", notification, actor=actor, summary=notification.to_address,
        data={"last_error": notification.last_error, "kind": notification.kind},
    )


def retry_all_failed(*, actor: Person) -> int:
    """Retry every failed message (after the SMTP settings were fixed, say); returns how many."""
    policy.require(actor, "notifications.retry")
    result = db.session.execute(
        update(Notification)
        .where(Notification.state == State.FAILED)
        .values(state=State.PENDING, attempts=0, deferrals=0, next_attempt_at=None, failed_at=None)
        .execution_options(synchronize_session=False)
    )
    count = result.rowcount
    if count:
        audit.record("notifications.retry", actor=actor, object_type="notification", summary=gettext("%(count)s failed messages", count=count), data={"count": count})
    return count


def cancel(notification: Notification, *, actor: Person, reason: str | None = None) -> None:
    OUTBOX.fire(notification, "cancel", actor=actor)
    audit.record("notifications.cancel", notification, actor=actor, summary=notification.to_address, reason=reason, data={"kind": notification.kind})


def cancel_queued(*, reason: str, actor: Person | None = None, recipient: Any = None, cycle: Any = None, quarter: int | None = None, kinds: list[str] | None = None) -> int:
    """Cancel the messages still waiting that match (e.g. a head's reminders once their report
    is in); returns how many. Messages already being sent are not touched."""
    stmt = update(Notification).where(Notification.state == State.PENDING)
    if recipient is not None:
        stmt = stmt.where(Notification.recipient_id == getattr(recipient, "id", recipient))
    if cycle is not None:
        stmt = stmt.where(Notification.cycle_id == getattr(cycle, "id", cycle))
    if quarter is not None:
        stmt = stmt.where(Notification.quarter == quarter)
    if kinds is not None:
        stmt = stmt.where(Notification.kind.in_(kinds))
    count = db.session.execute(stmt.values(state=State.CANCELLED).execution_options(synchronize_session=False)).rowcount
    if count:
        audit.record("notifications.cancel", actor=actor, object_type="notification", summary=reason[:500], reason=reason, data={"count": count})
    return count


def send_test_message(*, actor: Person) -> Notification:
    """Queue a test e-mail to the actor's own address, to check the SMTP settings."""
    policy.require(actor, "notifications.test")
    if not (actor.email or "").strip():
        raise ValidationFailed({"email": [gettext("Your account has no e-mail address.")]})
    key = event_key(TEST_MESSAGE, secrets.token_hex(6), recipient=actor)
    notify(actor, TEST_MESSAGE, key, TEST_MESSAGE, {"requested_at": utcnow(), "settings": _smtp_summary()})
    notification = db.session.scalars(select(Notification).where(Notification.dedup_key == key)).one()
    audit.record("notifications.test", notification, actor=actor, summary=actor.email)
    return notification


def _smtp_summary() -> dict[str, Any]:
    cfg = current_app.config["KPI"]
    return {"host": cfg["smtp_host"], "port": cfg["smtp_port"], "security": cfg["smtp_security"], "sender": cfg["mail_from"]}
