"""One commit per request, job or command, in one place.

Web requests: `finish_request` commits after a successful response and turns a failed commit
(a concurrent edit, a unique key taken meanwhile) into an error response; any error rolls back.
Jobs and commands use `unit_of_work()`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from workflow.core.errors import DomainError, StaleObject
from workflow.extensions import db

log = logging.getLogger(__name__)


def is_commit_error(exc: Exception) -> bool:
    """A concurrent edit or a unique key taken meanwhile, found when the session wrote."""
    return isinstance(exc, (StaleDataError, IntegrityError))


def translate_commit_error(exc: Exception) -> DomainError | None:
    from flask_babel import gettext

    if isinstance(exc, StaleDataError):
        return StaleObject(gettext("Someone else changed this while you were editing it. Reload the page to see their changes, then try again."))
    if isinstance(exc, IntegrityError):
        return DomainError(gettext("This conflicts with data saved meanwhile. Reload the page and try again."))
    return None


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block did, or roll all of it back."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def init_app(app: Flask) -> None:
    @app.after_request
    def finish_request(response: Response) -> Response:
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            error = translate_commit_error(exc)
            if error is None:
                raise
            log.info("commit refused: %s", exc)
            from workflow.core.web import error_response

            return error_response(error)
        return response
