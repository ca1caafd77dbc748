"""Errors a user can read. Operations raise them; the web and API layers turn them into pages
and JSON with one shape. Messages are translated where they are raised (gettext)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class DomainError(Exception):
    """Refusal of an action with a reason meant for the person who asked."""

    status_code = 400

    def __init__(self, message: Any, **details: Any) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.details = details


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class TransitionRefused(DomainError):
    """A workflow step is not allowed now; the message says why."""

    status_code = 409


class StaleObject(DomainError):
    """Someone else saved the object after this person loaded it."""

    status_code = 409

    def __init__(self, message: Any, *, current_version: int | None = None) -> None:
        super().__init__(message, current_version=current_version)
        self.current_version = current_version


class ValidationFailed(DomainError):
    """Field-level errors: {field: [message, ...]}; nested fields use dotted names."""

    status_code = 422

    def __init__(self, errors: Mapping[str, Sequence[Any] | Any], message: Any = None) -> None:
        normalised: dict[str, list[str]] = {}
        for field, msgs in errors.items():
            items = msgs if isinstance(msgs, (list, tuple)) else [msgs]
            normalised[field] = [str(m) for m in items]
        from flask_babel import gettext

        super().__init__(message or gettext("Please correct the highlighted fields."))
        self.errors = normalised


def flatten_errors(errors: Mapping[str, Any], prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested error dict into {"targets.0.title": [...]}."""
    flat: dict[str, list[str]] = {}
    for key, value in errors.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_errors(value, name + "."))
        elif isinstance(value, (list, tuple)):
            flat.setdefault(name, []).extend(str(v) for v in value)
        else:
            flat.setdefault(name, []).append(str(value))
    return flat
