"""Counters for rate limits, in the application's own database by default.

`limits` (the library behind Flask-Limiter) counts in a *storage*: memory (one process),
Redis, Memcached… `DatabaseStorage` is one more, registered as `database://`: a counter is a row
of `rate_limit_counter`, changed by one atomic INSERT … ON CONFLICT DO UPDATE … RETURNING on
PostgreSQL and SQLite alike. Every worker of every instance that uses the same database then
counts together, with nothing else to run; `ratelimit_storage_uri` may still name a Redis or
Memcached server instead (`redis://host:6379`).

A database counter changes in the request's own transaction (`db.session`): it is written when
the request commits, and rolled back with everything else when the request fails. While the
transaction is open the row stays locked, so two requests counting on the same key at the same
moment are served one after the other and each sees the other's count: a limit holds exactly,
even against attempts sent at once. Count late in a request, then, not before slow work (the
sign-in counts after the password is hashed).

Expired rows are reused by the next hit on their key and deleted by `prune_expired` (the
scheduler's `accounts.prune` job).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app
from limits.storage import Storage, storage_from_string
from sqlalchemy import Float, String, case, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from workflow.core.database import conflict_insert
from workflow.extensions import db

DATABASE_URI = "database://"


class RateLimitCounter(db.Model):
    """One rate-limit counter: how many hits `key` had in the window that ends at `expires_at`."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int]
    # Seconds since the epoch, as `limits` reports a window's end.
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class DatabaseStorage(Storage):
    """A `limits` storage on the application's database (fixed windows only)."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the counter and return its new value; a counter whose window has
        ended starts again at `amount`, with a window of `expiry` seconds from now."""
        now = time.time()
        table = RateLimitCounter.__table__
        stmt = conflict_insert(db.session, table).values(key=key, count=amount, expires_at=now + expiry)
        ended = table.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": case((ended, stmt.excluded.count), else_=table.c.count + stmt.excluded.count),
                "expires_at": case((ended, stmt.excluded.expires_at), else_=table.c.expires_at),
            },
        ).returning(table.c.count)
        return int(db.session.execute(stmt).scalar_one())

    def get(self, key: str) -> int:
        count = db.session.scalar(select(RateLimitCounter.count).where(RateLimitCounter.key == key, RateLimitCounter.expires_at > time.time()))
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        expires = db.session.scalar(select(RateLimitCounter.expires_at).where(RateLimitCounter.key == key))
        return max(float(expires or 0), time.time())

    def check(self) -> bool:
        db.session.execute(select(1))
        return True

    def reset(self) -> int | None:
        return db.session.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        db.session.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))


def init_app(app: Flask) -> None:
    """Make the storage `ratelimit_storage_uri` names (at start, so a wrong URI or a missing
    client library stops the service at once rather than at the first sign-in)."""
    app.extensions["kpi_ratelimit_storage"] = storage_from_string(app.config["KPI"]["ratelimit_storage_uri"] or DATABASE_URI)


def storage() -> Storage:
    """The application's rate-limit storage."""
    return current_app.extensions["kpi_ratelimit_storage"]


def prune_expired() -> int:
    """Delete the database counters whose window ended; returns how many."""
    return db.session.execute(
        delete(RateLimitCounter).where(RateLimitCounter.expires_at <= time.time()).execution_options(synchronize_session=False)
    ).rowcount
