"""SQLite, the embedded default, under requests that write at the same moment.

A request that read before another one wrote and committed could not write any more with a
deferred BEGIN ("database is locked" at once, whatever the busy timeout); requests that change
something now take the write lock when they begin, and wait their turn instead.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from conftest import is_postgres
from workflow.extensions import db

pytestmark = [
    pytest.mark.real_commits,
    pytest.mark.skipif(is_postgres(), reason="SQLite's locking; PostgreSQL serves concurrent writers with row locks"),
]


@pytest.fixture
def probe(app):
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS write_probe (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        conn.execute(text("DELETE FROM write_probe"))
        conn.execute(text("INSERT INTO write_probe (id, n) VALUES (1, 0)"))
    yield
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE write_probe"))


def _interleaved(app, method: str) -> list[BaseException]:
    """Request A reads, request B then writes and commits, then A writes: as two sign-ins do."""
    a_has_read, b_is_going = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def request_a() -> None:
        try:
            with app.test_request_context(method=method), db.engine.connect() as conn:
                with conn.begin():
                    conn.execute(text("SELECT n FROM write_probe WHERE id = 1")).scalar_one()
                    a_has_read.set()
                    b_is_going.wait(10)
                    # Give B the time to write and commit if it can (it must not).
                    threading.Event().wait(0.3)
                    conn.execute(text("UPDATE write_probe SET n = n + 1 WHERE id = 1"))
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    def request_b() -> None:
        try:
            a_has_read.wait(10)
            b_is_going.set()
            with app.test_request_context(method=method), db.engine.begin() as conn:
                conn.execute(text("UPDATE write_probe SET n = n + 10 WHERE id = 1"))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=request_a), threading.Thread(target=request_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_two_writing_requests_at_once_both_succeed(app, probe):
    assert _interleaved(app, "POST") == []
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM write_probe")).scalar_one() == 11


def test_without_the_lock_up_front_the_second_writer_is_refused(app, probe):
    """The failure the write lock prevents, shown on a request that is not expected to write."""
    errors = _interleaved(app, "GET")
    assert len(errors) == 1 and "locked" in str(errors[0])
