#!/usr/bin/env python
"""Dispatcher throughput: fill the outbox with N messages and time `send_due` against a local
SMTP server (aiosmtpd on 127.0.0.1), printing messages per second.

    .venv/bin/python bench/dispatch.py                 # 5,000 messages, a fresh SQLite database
    .venv/bin/python bench/dispatch.py -n 20000 --batch-size 200
    .venv/bin/python bench/dispatch.py --database-url postgresql+psycopg://postgres@127.0.0.1/kpi_bench

On PostgreSQL the benchmark works in a schema of its own (bench_dispatch), dropped afterwards.
The messages are real ones (the test-message template, text + HTML + an .ics attachment) to 100
different addresses; the server counts what it accepts. The goal is ≥ 1,000 messages/s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflow import create_app  # noqa: E402

SCHEMA = "bench_dispatch"
RECIPIENTS = 100


class Counter:
    def __init__(self, count) -> None:
        self.count = count

    async def handle_DATA(self, server, session, envelope):
        with self.count.get_lock():
            self.count.value += 1
        return "250 OK"


def serve(port: int, count, ready, stop) -> None:
    """The aiosmtpd server, in a process of its own as a real one would be (not competing with
    the dispatcher for the interpreter)."""
    controller = Controller(Counter(count), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


SMTP_SINK = shutil.which("smtp-sink") or ("/usr/sbin/smtp-sink" if Path("/usr/sbin/smtp-sink").exists() else None)
SERVERS = ("auto", "smtp-sink", "aiosmtpd")


class MailServer:
    """The local SMTP server the benchmarks send to, counting the messages it accepts.

    - `smtp-sink`: Postfix's SMTP benchmark server (C, Debian's package postfix: /usr/sbin/
      smtp-sink), which takes thousands of messages a second on one core, so the figure is the
      dispatcher's own; it writes its counters to a file, read at the end.
    - `aiosmtpd`: a Python server in a process of its own, a few hundred messages a second on
      this machine's cores: there the server, not the dispatcher, sets the figure.
    `auto` takes smtp-sink when it is installed."""

    def __init__(self, kind: str = "auto") -> None:
        if kind == "auto":
            kind = "smtp-sink" if SMTP_SINK else "aiosmtpd"
        if kind == "smtp-sink" and not SMTP_SINK:
            raise SystemExit("smtp-sink is not installed (Debian: apt-get install postfix)")
        self.kind, self.port = kind, free_port()

    def __enter__(self) -> MailServer:
        if self.kind == "smtp-sink":
            self._log = tempfile.NamedTemporaryFile(prefix="smtp-sink-", suffix=".log")
            user = ["-u", "nobody"] if os.geteuid() == 0 else []
            self._process = subprocess.Popen([SMTP_SINK, "-c", *user, f"127.0.0.1:{self.port}", "256"], stdout=self._log, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or self._process.poll() is not None:
                        raise SystemExit("smtp-sink did not start") from None
                    time.sleep(0.05)
        else:
            self._count = multiprocessing.Value("i", 0)
            ready, self._stop = multiprocessing.Event(), multiprocessing.Event()
            self._process = multiprocessing.Process(target=serve, args=(self.port, self._count, ready, self._stop), daemon=True)
            self._process.start()
            if not ready.wait(30):
                raise SystemExit("the SMTP server did not start")
        return self

    def accepted(self) -> int:
        """The messages accepted so far ("." answered 250)."""
        if self.kind == "smtp-sink":
            # Its counters, rewritten in place on each message: "sess=… quit=… mesg=N\r".
            counts = re.findall(rb"mesg=(\d+)", Path(self._log.name).read_bytes()[-200:])
            return int(counts[-1]) if counts else 0
        return self._count.value

    def __exit__(self, *exc: object) -> None:
        if self.kind == "smtp-sink":
            self._process.terminate()
            self._process.wait(10)
            self._log.close()
        else:
            self._stop.set()
            self._process.join(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_schema(url: str, schema: str) -> str:
    """The PostgreSQL URL with `schema` first on the search path."""
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"


def fresh_schema(url: str, schema: str) -> str:
    """Drop and make `schema` again on the PostgreSQL database; the URL that works in it."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return with_schema(url, schema)


def database(url: str | None, tmp: Path, schema: str = SCHEMA) -> str:
    """A fresh SQLite file, or a fresh schema of its own on PostgreSQL (also for the other
    benchmarks)."""
    if not url:
        return f"sqlite:///{tmp}/bench.sqlite3"
    return fresh_schema(url, schema)


def fill(count: int, with_ics: bool) -> None:
    from flask_migrate import upgrade

    from workflow.accounts.models import Person
    from workflow.extensions import db
    from workflow.notifications.ics import deadline_event
    from workflow.notifications.models import Notification, State
    from workflow.notifications.operations import render

    upgrade()
    people = [Person(username=f"bench{i}", full_name=f"Nguyễn Văn Thử {i}", email=f"head{i}@vinhphuc.bench", password_hash="") for i in range(RECIPIENTS)]
    db.session.add_all(people)
    db.session.flush()
    due = datetime(2027, 4, 12, 17, tzinfo=UTC)
    rows = []
    for i in range(count):
        person = people[i % RECIPIENTS]
        subject, body_text, body_html = render("test_message", {"recipient": person, "requested_at": due, "settings": {"host": "127.0.0.1", "port": 0, "security": "none", "sender": "kpi@bench"}}, "vi")
        ics = deadline_event(f"bench-{i}@kpi.bench", "Hạn nộp báo cáo quý I/2027", "Báo cáo kết quả quý I", due, "http://kpi.bench/r", "kpi@bench") if with_ics else None
        rows.append(
            {"recipient_id": person.id, "to_address": person.email, "locale": "vi", "kind": "bench", "dedup_key": f"bench:{i}",
             "subject": subject, "body_text": body_text, "body_html": body_html, "ics": ics, "ics_filename": "han-nop.ics" if ics else None,
             "state": State.PENDING, "attempts": 0, "deferrals": 0, "last_error": "", "created_at": datetime.now(UTC)}
        )
    db.session.execute(insert(Notification.__table__), rows)
    db.session.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=None, help="messages per SMTP connection (default: mail_batch_size)")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--no-ics", action="store_true", help="leave out the calendar attachment")
    parser.add_argument("--connections", type=int, default=4, help="SMTP connections of the dispatcher, each kept open")
    parser.add_argument("--server", choices=SERVERS, default="auto", help="the local SMTP server (auto: smtp-sink when installed)")
    args = parser.parse_args()

    with MailServer(args.server) as server:
        return run(args, server)


def run(args: argparse.Namespace, server: MailServer) -> int:
    port = server.port
    print(f"SMTP server: {server.kind} on 127.0.0.1:{port}")
    with tempfile.TemporaryDirectory() as tmp:
        url = database(args.database_url, Path(tmp))
        app = create_app(overrides={
            "env": "testing", "database_url": url, "secret_key": "bench-secret-key-that-is-long-enough-to-pass",
            "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none", "smtp_user": "", "smtp_password": "",
            "mail_from": "KPI Workflow <kpi@bench>", "smtp_connections": args.connections,
        })
        try:
            with app.app_context():
                from workflow.extensions import db
                from workflow.notifications.dispatch import send_due
                from workflow.notifications.models import Notification, State

                started = time.perf_counter()
                fill(args.count, not args.no_ics)
                print(f"queued {args.count} messages in {time.perf_counter() - started:.1f}s ({db.engine.dialect.name})")
                started = time.perf_counter()
                report = send_due(datetime.now(UTC) + timedelta(seconds=1), batch_size=args.batch_size)
                elapsed = time.perf_counter() - started
                sent = db.session.scalar(select(func.count()).select_from(Notification).where(Notification.state == State.SENT))
                db.engine.dispose()
        finally:
            if args.database_url:
                engine = create_engine(args.database_url)
                with engine.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                engine.dispose()
    accepted = server.accepted()
    print(f"sent {report.sent} in {report.batches} batches in {elapsed:.2f}s; the server accepted {accepted}; {sent} rows marked sent")
    print(f"{report.sent / elapsed:.0f} messages/s")
    ok = report.sent == accepted == sent == args.count
    if not ok:
        print("MISMATCH: not every message was sent exactly once", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
