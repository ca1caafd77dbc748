"""Database engine settings per dialect.

SQLite: foreign keys on, WAL so readers do not block the writer, a busy timeout, real
transactions (pysqlite otherwise starts them late, which breaks SAVEPOINT and makes reads
inconsistent) that take the write lock at once in requests that change something, and a `lower()` that knows Vietnamese capitals (SQLite's own only folds ASCII, so
a search for "đức" would miss "Đức"). PostgreSQL: connections are checked before use.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

_configured = False


def database_url(url: str, instance_path: str) -> str:
    if not url:
        return f"sqlite:///{instance_path}/kpi.sqlite3"
    # Accept the URL form operators know from psql and pg_dump.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def install_sqlite_hooks() -> None:
    global _configured
    if _configured:
        return
    _configured = True

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(Engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE" if _request_writes() else "BEGIN")


def _request_writes() -> bool:
    """A request that changes something takes SQLite's write lock when its transaction starts.

    With a plain (deferred) BEGIN it would read first and ask for the lock at its first write;
    if another request wrote and committed in between, SQLite refuses at once ("database is
    locked": its snapshot is stale, and waiting cannot help), so two people signing in at the
    same moment got an error. Taking the lock up front makes such requests wait their turn
    (busy_timeout). Reading requests, the scheduler and commands keep the deferred BEGIN, so
    reads never queue behind writes."""
    from flask import has_request_context, request

    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")


def conflict_insert(session: Any, table: Any) -> Any:
    """INSERT into `table` as the session's database writes it, with its ON CONFLICT clauses
    (`on_conflict_do_nothing`, `on_conflict_do_update`): PostgreSQL's or SQLite's, the two the
    service runs on."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the service runs on these two
        raise RuntimeError(f"unsupported database {dialect}")
    return insert(table)


def insert_ignoring_conflict(session: Any, table: Any, values: dict[str, Any], key: list[str]) -> bool:
    """INSERT … ON CONFLICT (key) DO NOTHING on PostgreSQL and SQLite alike; True if inserted.

    Unlike catching IntegrityError, a conflict neither raises nor spoils the transaction around
    it, so a caller can try to add a row it may have added before (a notification, a lease).
    """
    # RETURNING rather than rowcount, which drivers do not all report for this statement.
    pk = next(iter(table.primary_key.columns))
    stmt = conflict_insert(session, table).values(**values).on_conflict_do_nothing(index_elements=key).returning(pk)
    return session.execute(stmt).first() is not None


def plain_rows(stmt: Any) -> Iterator[tuple[Any, ...]]:
    """The rows of a statement of plain columns, as the database driver returns them, one at a
    time: at tens of thousands of rows, building SQLAlchemy's row objects costs more than the
    query itself. The statement's values (numbers and states) are rendered into it."""
    from workflow.extensions import db

    connection = db.session.connection()
    sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(sql)
        yield from cursor
    finally:
        cursor.close()
