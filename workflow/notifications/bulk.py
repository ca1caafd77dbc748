"""Queueing the same message to many people at once (a reminder to every head who has not
reported), in a handful of statements rather than one render and one INSERT per person.

The template is rendered once per language with a placeholder for each value that differs
from person to person (`who.full_name`, `who.units`, `who.path` …); each person's copy is the
rendered text with the placeholders replaced (HTML-escaped in the HTML part). So a template
used here must show those values as they are, without filters that would change the
placeholder (`|upper`, `|truncate`): `render_once` checks that every placeholder survived.
The rows then go in with one multi-row INSERT … ON CONFLICT (dedup_key) DO NOTHING, so a key
queued before is skipped exactly as `notify` skips it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from markupsafe import escape

from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.notifications.models import Notification, State
from workflow.notifications.operations import recipient_locale, render

CHUNK = 1000


@dataclass(frozen=True)
class Addressee:
    """One person to write to: who, where, in which language, under which key, and the
    values that differ from person to person (by placeholder name)."""

    person_id: int
    email: str
    locale: str | None
    key: str
    values: dict[str, str]


def _token(name: str) -> str:
    return f"\x1f{name}\x1f"


def render_once(template: str, context: dict[str, Any], fields: Sequence[str], locale: str) -> tuple[str, str, str]:
    """(subject, text, html) with a placeholder in place of each per-person field."""
    who = SimpleNamespace(**{name: _token(name) for name in fields})
    subject, text, html = render(template, {**context, "who": who}, locale)
    for name in fields:
        if _token(name) not in text + html + subject:
            raise ValueError(f"templates/mail/{template}: the placeholder for who.{name} was changed by the template")
    return subject, text, html


def _fill(text: str, values: dict[str, str], *, html: bool) -> str:
    for name, value in values.items():
        text = text.replace(_token(name), str(escape(value)) if html else value)
    return text


def notify_many(
    addressees: Iterable[Addressee],
    kind: str,
    template: str,
    context: dict[str, Any],
    *,
    fields: Sequence[str],
    when: datetime | None = None,
    cycle: Any = None,
    quarter: int | None = None,
    ics: Callable[[Addressee], str] | None = None,
    ics_filename: str | None = None,
) -> int:
    """Queue one message to each addressee in the current transaction; returns how many were
    queued (keys queued before are skipped). `ics(addressee)` gives each one's calendar file."""
    rendered: dict[str, tuple[str, str, str]] = {}
    rows: list[dict[str, Any]] = []
    cycle_id = getattr(cycle, "id", cycle)
    failed_at = utcnow()
    for a in addressees:
        locale = recipient_locale(SimpleNamespace(locale=a.locale))
        if locale not in rendered:
            rendered[locale] = render_once(template, context, fields, locale)
        subject, text, html = rendered[locale]
        address = (a.email or "").strip()
        rows.append({
            "recipient_id": a.person_id,
            "to_address": address,
            "locale": locale,
            "kind": kind,
            "dedup_key": a.key,
            "cycle_id": cycle_id,
            "quarter": quarter,
            "subject": " ".join(_fill(subject, a.values, html=False).split())[:300],
            "body_text": _fill(text, a.values, html=False),
            "body_html": _fill(html, a.values, html=True),
            "ics": ics(a) if ics else None,
            "ics_filename": (ics_filename or f"{kind}.ics") if ics else None,
            "next_attempt_at": when,
            "state": State.PENDING if address else State.FAILED,
            "failed_at": None if address else failed_at,
            "last_error": "" if address else "no e-mail address",
            "attempts": 0,
            "deferrals": 0,
            "created_at": failed_at,
        })
    return insert_rows(rows)


def insert_rows(rows: list[dict[str, Any]]) -> int:
    """INSERT … ON CONFLICT (dedup_key) DO NOTHING, many rows per statement; how many went in."""
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = Notification.__table__
    inserted = 0
    for start in range(0, len(rows), CHUNK):
        stmt = insert(table).on_conflict_do_nothing(index_elements=["dedup_key"]).returning(table.c.id)
        inserted += len(db.session.execute(stmt, rows[start:start + CHUNK]).all())
    return inserted
