"""Queueing the same message to many people at once (a reminder to every head who has not
reported) as one INSERT … SELECT per language, rather than one render and one INSERT per person.

The template is rendered once per language with a placeholder for each value that differs from
person to person (`who.full_name`, `who.units`, `who.path` …). The database then writes every
person's copy: the rendered text with each placeholder replaced by the person's value (SQL
`replace()`, HTML-escaped in the HTML part), the dedup key made from the person's id, and ON
CONFLICT (dedup_key) DO NOTHING so a key queued before is skipped exactly as `notify` skips it.
A template used here must show those values as they are, without filters that would change the
placeholder (`|upper`, `|truncate`): `render_once` checks that every placeholder survived.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlalchemy import Select, String, case, cast, func, literal, null, or_, select
from sqlalchemy import text as sql_text

from workflow.core.database import conflict_insert
from workflow.core.i18n import LOCALES
from workflow.core.models import UTCDateTime, utcnow
from workflow.extensions import db
from workflow.notifications.models import Notification, State
from workflow.notifications.operations import render

# How markupsafe escapes text in HTML, as SQL replace() calls (the ampersand first).
_HTML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;"), ("'", "&#39;"))
# Queued at once, from which the outbox's statistics are taken again (PostgreSQL).
ANALYZE_AFTER = 10_000
COLUMNS = ("recipient_id", "to_address", "locale", "kind", "dedup_key", "cycle_id", "quarter", "subject", "body_text", "body_html",
           "ics", "ics_filename", "state", "attempts", "deferrals", "next_attempt_at", "last_error", "failed_at", "created_at")


def token(name: str) -> str:
    # Two Unicode noncharacters around the name: never in a template or a translation, and not
    # whitespace, so the subject's whitespace folding (`render`) keeps them.
    return f"\ufdd0{name}\ufdd1"


def render_once(template: str, context: dict[str, Any], fields: Sequence[str], locale: str) -> tuple[str, str, str]:
    """(subject, text, html) with a placeholder in place of each per-person field."""
    who = SimpleNamespace(**{name: token(name) for name in fields})
    subject, text, html = render(template, {**context, "who": who}, locale)
    for name in fields:
        if token(name) not in text + html + subject:
            raise ValueError(f"templates/mail/{template}: the placeholder for who.{name} was changed by the template")
    if subject.count(token("")[0]) != sum(subject.count(token(name)) for name in fields):
        raise ValueError(f"templates/mail/{template}: a placeholder of the subject was cut (subjects are at most 300 characters)")
    return subject, text, html


def _escaped(value: Any) -> Any:
    for raw, entity in _HTML_ESCAPES:
        value = func.replace(value, raw, entity)
    return value


def _filled(text: str, values: dict[str, Any], *, html: bool) -> Any:
    expr: Any = literal(text)
    for name, value in values.items():
        expr = func.replace(expr, token(name), _escaped(value) if html else value)
    return expr


def notify_select(
    people: Select[Any],
    kind: str,
    template: str,
    context: dict[str, Any],
    *,
    fields: Sequence[str],
    key_prefix: str,
    when: datetime | None = None,
    cycle: Any = None,
    quarter: int | None = None,
    ics: str | None = None,
    ics_token: str = "",
    ics_filename: str | None = None,
) -> int:
    """Queue one message to each person `people` selects, in the current transaction; returns
    how many were queued (keys queued before are skipped).

    `people` has the labelled columns person_id, email, locale and one per name in `fields`.
    Each key is `key_prefix` + the person's id. In `ics`, `ics_token` is replaced by the
    person's id (a calendar entry of their own)."""
    source = people.subquery("who")
    default = current_app.config["KPI"]["default_locale"]
    now = utcnow()
    table = Notification.__table__
    email = func.trim(func.coalesce(source.c.email, ""))
    missing = email == ""
    person = cast(source.c.person_id, String)
    values = {name: func.coalesce(source.c[name], "") for name in fields}
    queued = 0
    for locale in LOCALES:
        subject, text, html = render_once(template, context, fields, locale)
        if locale == default:
            speaks = or_(source.c.locale.is_(None), source.c.locale.not_in([other for other in LOCALES if other != default]))
        else:
            speaks = source.c.locale == locale
        rows = select(
            source.c.person_id, email, literal(locale), literal(kind), literal(key_prefix) + person, literal(getattr(cycle, "id", cycle)),
            literal(quarter), func.substr(_filled(" ".join(subject.split()), values, html=False), 1, 300),
            _filled(text, values, html=False), _filled(html, values, html=True),
            func.replace(literal(ics), ics_token, person) if ics else null(), literal(ics_filename or f"{kind}.ics") if ics else null(),
            case((missing, literal(State.FAILED.value)), else_=literal(State.PENDING.value)), literal(0), literal(0),
            literal(when, UTCDateTime()), case((missing, literal("no e-mail address")), else_=literal("")),
            case((missing, literal(now, UTCDateTime())), else_=null()), literal(now, UTCDateTime()),
        ).where(speaks)
        stmt = conflict_insert(db.session, table).from_select([table.c[c] for c in COLUMNS], rows).on_conflict_do_nothing(index_elements=["dedup_key"])
        queued += len(db.session.execute(stmt.returning(table.c.id)).all())
    if queued >= ANALYZE_AFTER and db.session.get_bind().dialect.name == "postgresql":
        # The dispatcher's claim is planned on the table's statistics. Just after a month's
        # reminders (340,000 at the scale of a civil service) they still say the outbox is nearly
        # empty, and PostgreSQL sorts every pending message for each claim (0.6 s a claim) until
        # autovacuum comes round; ANALYZE counts the rows this transaction wrote too.
        db.session.execute(sql_text("ANALYZE notification"))
    return queued
