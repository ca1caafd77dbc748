"""Optimistic concurrency for edits that travel through a form or an API client.

The form carries the version it was rendered from; an API client sends it as If-Match (the
ETag we hand out) or as `version` in the body. The operation checks it (`check_version`) after
checking the permission, so a person without the permission learns nothing from the answer;
the API only reads what the client claims (`claimed_version`).

The check locks the object's row first (until the transaction ends) and compares with the
version as committed, so that of two edits based on one version the second waits for the first
and is then refused in the same way on PostgreSQL as on SQLite, whose writing requests take
turns anyway: a form shows its conflict message (409), the API answers 412 (428 without a
version). Edits of independent objects do not wait for each other; changes that renumber or
stamp a shared parent (a registration's revisions, a report's files) `lock` the parent first,
so they take turns instead of conflicting.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext
from sqlalchemy import inspect, select

from workflow.core.errors import NotFound, StaleObject


class VersionMissing(StaleObject):
    """An edit that names no version: a form that lost it, an API call without If-Match or
    `version` (answered 428 there)."""


def etag_for(obj: Any) -> str:
    return f'"{obj.__tablename__}-{obj.id}-v{obj.version}"'


def version_from_if_match(obj: Any) -> int | None:
    """The version an API client claims to have edited, from If-Match; None without the header."""
    header = request.headers.get("If-Match")
    if not header:
        return None
    if header.strip() == "*":
        return obj.version
    for candidate in header.split(","):
        tag = candidate.strip().removeprefix("W/")
        if tag == etag_for(obj):
            return obj.version
    return -1


def claimed_version(obj: Any, body_version: int | None) -> int | None:
    """For API edits: the version the client says it edited, from If-Match or else the body's
    `version`; None with neither. Checked by the operation, after the permission."""
    claimed = version_from_if_match(obj)
    return body_version if claimed is None else claimed


def lock(obj: Any) -> int:
    """Lock the row of `obj` until the transaction ends and return its version as committed.
    If someone changed the row since the session read it, the session's copy is read again
    (unless this transaction has changed it already: its flush will then report the conflict)."""
    state = inspect(obj)
    session = state.session
    if session is None or state.key is None:
        return obj.version
    mapper = state.mapper
    stmt = select(mapper.version_id_col).where(*[column == value for column, value in zip(mapper.primary_key, state.identity, strict=True)])
    with session.no_autoflush:
        current = session.scalar(stmt.with_for_update())
    if current is None:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    if current != obj.version and not session.is_modified(obj):
        session.refresh(obj)
    return current


def check_version(obj: Any, expected: int | None) -> None:
    """Refuse the edit when `expected` is missing or not the object's current version (read
    under the row's lock)."""
    current = lock(obj)
    if expected is None or int(expected) != current:
        cls = VersionMissing if expected is None else StaleObject
        raise cls(
            gettext(
                "Someone else changed this while you were editing it (you had version %(mine)s, "
                "the current one is %(current)s). Reload to see their changes, then apply yours again.",
                mine=expected if expected is not None and expected != -1 else "?",
                current=current,
            ),
            current_version=current,
        )
