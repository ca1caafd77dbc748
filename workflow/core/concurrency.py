"""Optimistic concurrency for edits that travel through a form or an API client.

The form carries the version it was rendered from; an API client sends it as If-Match (the
ETag we hand out) or as `version` in the body. A mismatch is refused before anything is changed;
a race between the check and the write is caught at flush by the version column itself.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext

from workflow.core.errors import DomainError, StaleObject


class PreconditionFailed(StaleObject):
    """An API client's If-Match (or `version`) names a version that is no longer current."""

    status_code = 412


class PreconditionRequired(DomainError):
    """An API edit without If-Match or `version`: refused rather than applied blindly."""

    status_code = 428


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


def check_version(obj: Any, expected: int | None) -> None:
    """Refuse the edit when `expected` is missing or not the object's current version."""
    if expected is None or int(expected) != obj.version:
        raise StaleObject(
            gettext(
                "Someone else changed this while you were editing it (you had version %(mine)s, "
                "the current one is %(current)s). Reload to see their changes, then apply yours again.",
                mine=expected if expected is not None and expected != -1 else "?",
                current=obj.version,
            ),
            current_version=obj.version,
        )


def check_api_version(obj: Any, body_version: int | None) -> int:
    """For API edits: the version the client edited, from If-Match or else the body's `version`.
    Neither → 428; not the current one → 412. Returns the (current) version."""
    claimed = version_from_if_match(obj)
    if claimed is None:
        claimed = body_version
    if claimed is None:
        raise PreconditionRequired(gettext("Send the version you are editing (If-Match header or version field)."))
    try:
        check_version(obj, claimed)
    except StaleObject as exc:
        raise PreconditionFailed(exc.message, current_version=obj.version) from None
    return obj.version
