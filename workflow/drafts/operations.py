"""Keep, find and forget a person's form drafts.

A draft is the person's own unsaved input, not a record of the service: keeping it writes no
audit entry and sends nothing. Keeping one is allowed only to whoever may use the form itself
(the same policy action the form's page requires), and each keep carries the draft's version,
so two tabs typing the same form never overwrite each other silently. Nothing here commits.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from workflow import policy
from workflow.accounts.models import Person
from workflow.core import formats
from workflow.core.errors import StaleObject, ValidationFailed
from workflow.core.models import utcnow
from workflow.drafts.models import FormDraft
from workflow.extensions import db

# Inputs that belong to the page, not to what was typed.
NOT_KEPT = frozenset({"csrf_token", "draft_version", "_draft", "action"})
MAX_CHARS = 200_000


def draft_of(actor: Person, form: str) -> FormDraft | None:
    return db.session.scalar(select(FormDraft).where(FormDraft.person_id == actor.id, FormDraft.form == form))


def drafts_of(actor: Person, forms: list[str]) -> dict[str, FormDraft]:
    if not forms:
        return {}
    rows = db.session.scalars(select(FormDraft).where(FormDraft.person_id == actor.id, FormDraft.form.in_(forms)))
    return {row.form: row for row in rows}


def typed_fields(form: MultiDict[str, Any]) -> dict[str, Any]:
    """The form's inputs as typed: one value, or a list for a repeated input (checkbox groups)."""
    fields: dict[str, Any] = {}
    for name in form:
        if name in NOT_KEPT:
            continue
        values = [v for v in form.getlist(name) if isinstance(v, str)]
        if values:
            fields[name] = values[0] if len(values) == 1 else values
    return fields


def keep(form: str, typed: MultiDict[str, Any], *, actor: Person, permission: str, obj: Any, version: int | None) -> FormDraft:
    """Keep what `actor` typed in `form`, whose use needs the policy `permission` on `obj`.
    `version` is the draft's version the page last had (None before its first keep)."""
    policy.require(actor, permission, obj)
    fields = typed_fields(typed)
    if len(json.dumps(fields, ensure_ascii=False)) > MAX_CHARS:
        raise ValidationFailed({"_schema": [gettext("This form is too long to keep as a draft; save it with its button.")]})
    draft = draft_of(actor, form)
    if draft is None:
        # None, or a draft forgotten meanwhile (the form was saved in another tab): what this
        # page still holds is the person's own input, so it is kept anew.
        draft = FormDraft(person_id=actor.id, form=form, fields=fields, saved_at=utcnow())
        db.session.add(draft)
    else:
        if version != draft.version:
            raise StaleObject(
                gettext("This form is also being filled in in another tab or window, where it was kept at %(at)s. "
                        "Nothing was overwritten: continue there, or reload this page to take up that version.",
                        at=formats.day_time(draft.saved_at)),
                current_version=draft.version,
            )
        draft.fields = fields
        draft.saved_at = utcnow()
    db.session.flush()
    return draft


def forget(actor: Person, form: str) -> bool:
    """Drop the draft of `form` (once the form was saved through its button, or on request)."""
    result = db.session.execute(delete(FormDraft).where(FormDraft.person_id == actor.id, FormDraft.form == form))
    return bool(result.rowcount)
