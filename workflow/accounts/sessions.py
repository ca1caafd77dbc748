"""Sign-in sessions kept on the server, so that they can be ended (phiên đăng nhập).

`begin` records a new session and gives the person its key, which Flask-Login then keeps in the
signed cookie; `person_for` finds the person of a key (the session loader, one indexed query);
`end` ends one session (signing out) and `end_all` every session of a person (a password
change, a deactivation, "sign out everywhere"). An ended session is a deleted row, so a cookie
copied before then is refused at its next request.

What is not here: the idle and absolute time limits are checked from the signed cookie by
`workflow.core.security` (no write per request); rows past the absolute limit are deleted by the
scheduler job `accounts.prune` below. API tokens are separate and end only when revoked.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import delete, select

from scheduler.registry import job
from workflow.accounts.models import Person, SignInSession
from workflow.extensions import db


def _oldest_allowed() -> datetime:
    # The real clock, as the rows' `created_at` (a column default): a session's lifetime is time
    # actually passed, whatever instant the application's `utcnow` is made to answer.
    return datetime.now(UTC) - timedelta(hours=current_app.config["KPI"]["session_max_hours"])


def begin(person: Person) -> str:
    """Record a new session of `person` (from the current request's browser) and return its key;
    `person.get_id()` then answers it, for Flask-Login to keep in the cookie."""
    key = secrets.token_urlsafe(32)
    address, agent = "", ""
    if has_request_context():
        address = (request.remote_addr or "")[:45]
        agent = request.user_agent.string[:200]
    db.session.add(SignInSession(person_id=person.id, key_hash=SignInSession.hash_key(key), address=address, agent=agent))
    person.session_key = key
    return key


def person_for(key: str) -> Person | None:
    """The active person whose live session this key names, or None."""
    if not key:
        return None
    person = db.session.scalar(
        select(Person)
        .join(SignInSession, SignInSession.person_id == Person.id)
        .where(SignInSession.key_hash == SignInSession.hash_key(key), SignInSession.created_at > _oldest_allowed(), Person.active)
    )
    if person is not None:
        person.session_key = key
    return person


def end(key: str | None) -> None:
    """End one session (signing out); nothing happens for a key that names none."""
    if key:
        db.session.execute(delete(SignInSession).where(SignInSession.key_hash == SignInSession.hash_key(key)))


def end_all(person: Person) -> int:
    """End every session of `person`; returns how many there were."""
    result = db.session.execute(delete(SignInSession).where(SignInSession.person_id == person.id))
    person.session_key = None
    return result.rowcount


def of(person: Person) -> list[SignInSession]:
    """The person's live sessions, newest first."""
    return list(
        db.session.scalars(
            select(SignInSession)
            .where(SignInSession.person_id == person.id, SignInSession.created_at > _oldest_allowed())
            .order_by(SignInSession.created_at.desc(), SignInSession.id.desc())
        )
    )


def is_current(item: SignInSession, person: Person) -> bool:
    return bool(person.session_key) and item.key_hash == SignInSession.hash_key(person.session_key)


@job("accounts.prune", order=6)
def prune(now: datetime) -> dict[str, int]:
    """Delete sign-in sessions past their absolute lifetime and sign-in counters that expired
    (by the real clock: both are about time actually passed, not the business calendar)."""
    from workflow.core.ratelimit import prune_expired

    sessions = db.session.execute(
        delete(SignInSession).where(SignInSession.created_at <= _oldest_allowed()).execution_options(synchronize_session=False)
    ).rowcount
    return {"sessions": sessions, "counters": prune_expired()}


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chromium/", "Chromium"),
             ("Chrome/", "Chrome"), ("CriOS/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def browser_name(agent: str) -> str:
    """The browser and system a person recognises ("Chrome · Windows"), from the user agent kept
    with the session; the raw text (with its version numbers) stays for the tooltip."""
    browser = next((name for mark, name in _BROWSERS if mark in agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in agent), "")
    return " · ".join(part for part in (browser, system) if part)
