"""Test harness: a real database (SQLite by default, PostgreSQL when KPI_TEST_DATABASE_URL says
so), built once per run by the migrations, and every test rolled back at its end.

Tests that need data committed for another process or thread to see (scheduler processes, a
live server, an SMTP server) use the `real_commits` marker: their rows are deleted afterwards.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import scoped_session, sessionmaker

from workflow import create_app
from workflow.extensions import db

# Fixtures of a real SMTP server on loopback (`smtp`), in tests/mailserver.py, and of a real
# browser against the app served on loopback (`live_server`, `chromium`), in tests/browser.py.
pytest_plugins = ["mailserver", "browser"]

SQLITE_DEFAULT = "sqlite:///{tmp}/kpi-test.sqlite3"
IS_CI = os.environ.get("CI") == "true" or os.environ.get("KPI_CI") == "1"


def skip_unless_available(available: bool, reason: str) -> None:
    """Skip a test whose outside tool is missing on a developer's machine; in CI (KPI_CI=1),
    which installs everything, a missing tool is a failure, never a silent skip."""
    if available:
        return
    if IS_CI:
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_commits: the test commits for real; rows are deleted afterwards")
    config.addinivalue_line("markers", "demo: the test reads the demo province (the `demo` fixture), loaded once for all such "
                                       "tests; they run last, together, and its rows are deleted after the last")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The tests of the demo province after every other (the sort keeps each group's order), so that
    # they share one load of it: loading it takes half a minute.
    items.sort(key=lambda item: item.get_closest_marker("demo") is not None)


def database_url(tmp: Path) -> str:
    return os.environ.get("KPI_TEST_DATABASE_URL") or SQLITE_DEFAULT.format(tmp=tmp)


def is_postgres() -> bool:
    return (os.environ.get("KPI_TEST_DATABASE_URL") or "").startswith("postgres")


def _reset_database(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.session.remove()


class Client(FlaskClient):
    """Each request runs in an application context of its own, as in production: otherwise it
    would share the test's `g` (and Flask-Login's cached user) with the requests before it."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("kpi")
    application = create_app(
        overrides={
            "env": "testing",
            "database_url": database_url(tmp),
            "secret_key": "test-secret-key-that-is-long-enough-to-pass",
            "upload_dir": str(tmp / "uploads"),
            "base_url": "http://kpi.test",
        }
    )
    application.config.update(KPI_FAST_PASSWORD_HASH=True, WTF_CSRF_ENABLED=False)
    application.test_client_class = Client
    _reset_database(application)
    yield application


def _delete_all_rows() -> None:
    names = [t.name for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        return
    # SQLite only honours this pragma outside a transaction, so it goes to the driver directly.
    raw = db.engine.raw_connection()
    try:
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute("BEGIN")
        for name in reversed(names):
            raw.execute(f"DELETE FROM {name}")
        raw.execute("COMMIT")
        raw.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()


@dataclass(frozen=True)
class DemoProvince:
    """`kpi demo` as loaded for the tests marked `demo`: what it printed, when it began, and the
    last audit entry it wrote (what the tests did afterwards comes after it)."""

    output: str
    loaded_at: datetime
    last_audit_id: int


@pytest.fixture(scope="session")
def demo(app: Flask) -> Iterator[DemoProvince]:
    from workflow.core.audit import AuditEntry

    with app.app_context():
        loaded_at = datetime.now(UTC)
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        last = db.session.scalar(select(func.max(AuditEntry.id)))
        db.session.remove()
    yield DemoProvince(result.output, loaded_at, last)
    with app.app_context():
        db.session.remove()
        _delete_all_rows()


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest, app: Flask) -> Iterator[None]:
    ctx = app.app_context()
    ctx.push()
    shares_the_demo = request.node.get_closest_marker("demo") is not None
    if shares_the_demo or request.node.get_closest_marker("real_commits"):
        try:
            yield
        finally:
            db.session.remove()
            if not shares_the_demo:  # the demo's rows go after its last test (the `demo` fixture)
                _delete_all_rows()
            ctx.pop()
        return
    connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    # A plain Session: Flask-SQLAlchemy's own would pick the engine again and escape the
    # connection that holds the test's transaction.
    db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False),
        scopefunc=_app_ctx_id,
    )
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()
        ctx.pop()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def sign_in(client: FlaskClient, person) -> FlaskClient:
    """Put `person` in the client's session without going through the form (fast)."""
    from workflow.accounts import sessions

    key = sessions.begin(person)
    db.session.commit()
    with client.session_transaction() as session:
        now = time.time()
        session.update({"_user_id": key, "_fresh": True, "_auth_at": now, "_seen_at": now})
    return client


@pytest.fixture
def as_person(app: Flask):
    """as_person(person) -> a test client signed in as that person."""

    def make(person) -> FlaskClient:
        db.session.commit()
        return sign_in(app.test_client(), person)

    return make


class StatementCounter:
    IGNORED = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "PRAGMA")

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(self.IGNORED):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_statements():
    """with count_statements() as counter: …; counter.count is the number of SQL statements."""

    @contextmanager
    def counting() -> Iterator[StatementCounter]:
        counter = StatementCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def english(app: Flask) -> Iterator[None]:
    """Messages raised outside a request in English (the default language is Vietnamese)."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield
