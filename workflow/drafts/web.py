"""What views call to keep what people type: the JSON answer of every autosave endpoint (the
quarterly report, the scorecard, the self-assessment, and the form drafts of this package), and
the form-draft handling of a long form's own address.

A form that keeps drafts posts its autosave to its own action with `_draft=save`; its view,
after the same permission check as for the form, calls `handle` first:

    if (reply := drafts.handle(action, permission="registration.edit", obj=registration)) is not None:
        return reply

then, on GET, fills the form from `restored(action, values)`, and after a successful
submission calls `forget(action)`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, flash, jsonify, redirect, request
from flask_babel import gettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from workflow import policy
from workflow.core import formats
from workflow.core.errors import DomainError, StaleObject, ValidationFailed
from workflow.core.inputs import whole_number
from workflow.drafts import operations
from workflow.drafts.models import FormDraft


def autosaved(version: int, at: datetime) -> Response:
    """The answer to a background save: the new version (the page sends it with its next save
    and with its buttons) and when, as the page shows it."""
    return jsonify({"version": version, "saved_at": at.isoformat(), "saved_at_text": formats.time_of_day(at)})


def refused(exc: DomainError, errors: dict[str, list[str]] | None = None) -> tuple[Response, int]:
    """A refused background request: the message, the errors by input name, the current
    version after a conflict. Nothing was saved (the request rolls back)."""
    body: dict[str, Any] = {"message": exc.message}
    if isinstance(exc, ValidationFailed):
        body["errors"] = exc.errors if errors is None else errors
    if isinstance(exc, StaleObject):
        body["current_version"] = exc.current_version
    return jsonify(body), exc.status_code


def _draft_version() -> int | None:
    return whole_number(request.form.get("draft_version", ""))


def handle(form: str, *, permission: str, obj: Any, back: str | None = None) -> Response | tuple[Response, int] | Any | None:
    """`_draft=save`: keep the typed form (JSON answer); `_draft=discard`: forget it and show
    the form afresh (or go `back`). None for the form's real submission. Either needs the
    policy `permission` on `obj`, as the form itself does."""
    what = request.form.get("_draft")
    if what == "save":
        try:
            draft = operations.keep(form, request.form, actor=current_user, permission=permission, obj=obj, version=_draft_version())
        except DomainError as exc:
            return refused(exc)
        return autosaved(draft.version, draft.saved_at)
    if what == "discard":
        policy.require(current_user, permission, obj)
        operations.forget(current_user, form)
        flash(gettext("What you had typed in this form and not saved was discarded."), "info")
        return redirect(back or form)
    return None


def restored(form: str, values: Any) -> tuple[Any, FormDraft | None]:
    """The values to show in `form`: what the person typed and did not save, if anything,
    else `values`."""
    draft = operations.draft_of(current_user, form)
    if draft is None:
        return values, None
    pairs = [(name, v) for name, value in draft.fields.items() for v in (value if isinstance(value, list) else [value])]
    return MultiDict(pairs), draft


def draft(form: str) -> FormDraft | None:
    return operations.draft_of(current_user, form)


def restored_many(forms: list[str]) -> dict[str, FormDraft]:
    return operations.drafts_of(current_user, forms)


def forget(form: str) -> None:
    operations.forget(current_user, form)
