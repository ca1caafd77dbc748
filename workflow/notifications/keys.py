"""Deduplication keys: what makes a message unique, so that it is queued at most once.

A reminder is unique per (recipient, cycle, quarter, kind): the "due in 7 days" reminder of
Q2 2027 reaches a head once however often the job runs. An event message is unique per event
and recipient: ("report_returned", report id, revision) reaches each person concerned once per
return. Keys are plain strings so that they read well in the admin pages.
"""

from __future__ import annotations

from typing import Any

MAX_LENGTH = 200


def _ident(value: Any) -> str:
    ident = getattr(value, "id", value)
    if ident is None:
        raise ValueError("a key part has no id yet (flush the object first)")
    text = str(ident)
    if ":" in text:
        raise ValueError(f"a key part may not contain ':' ({text!r})")
    return text


def _join(parts: list[str]) -> str:
    key = ":".join(parts)
    if len(key) > MAX_LENGTH:
        raise ValueError(f"notification key longer than {MAX_LENGTH} characters: {key[:60]}…")
    return key


def reminder_key(recipient: Any, cycle: Any, quarter: int | None, kind: str) -> str:
    """reminder:<kind>:<cycle id>:<quarter or ->:<recipient id>."""
    return _join(["reminder", _ident(kind), _ident(cycle), "-" if quarter is None else str(int(quarter)), _ident(recipient)])


def event_key(kind: str, *parts: Any, recipient: Any) -> str:
    """event:<kind>:<part>…:to:<recipient id>, e.g. event_key("report_returned", report, 2, recipient=head)."""
    return _join(["event", _ident(kind), *(_ident(p) for p in parts), "to", _ident(recipient)])
