#!/usr/bin/env python
"""Latency of the registration pages at scale, served as in production (`kpi serve`: gunicorn
on loopback) against a database made by `bench/generate.py`.

    .venv/bin/python bench/generate.py && .venv/bin/python bench/lists.py
    .venv/bin/python bench/lists.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/kpi_bench

A staff officer (chuyenvien1) signs in through the sign-in form (session cookie, CSRF token)
and gets a personal API token; then the benchmark asks, in turn, for
  list     the registration list, all registrations of the current cycle, first page
           (GET /registrations);
  review   the review page of one registration that officer follows, submitted, with comments,
           a proposal and its warnings (GET /registrations/<id>);
  api      the API list of the cycle's registrations, first page (GET /api/v1/registrations);
  trivial  one unit by id through the API (GET /api/v1/units/<id>): one indexed read after
           the sign-in's own, the yardstick;
first a warm-up, then `--requests` rounds one request at a time, then the same from
`--clients` threads at once. It prints p50 and p95 of each and their ratio to the trivial
request's (goal: every ratio ≤ 4).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dispatch import free_port  # noqa: E402
from generate import DEFAULT_URL, PASSWORD, SECRET_KEY, app_for, database_url  # noqa: E402

USERNAME = "chuyenvien1"
GOAL = 4.0


def prepare(url: str) -> dict:
    """What the requests need: the officer's API token, the registration to review, a unit."""
    from workflow.accounts.models import Person
    from workflow.accounts.operations import create_token
    from workflow.cycles.operations import current_cycle
    from workflow.extensions import db
    from workflow.targets.models import Comment, Registration, RegistrationState
    from workflow.units.models import Unit

    app = app_for(url)
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.username == USERNAME))
        if person is None:
            raise SystemExit(f"no {USERNAME} in this database: run bench/generate.py first")
        cycle = current_cycle()
        registration = db.session.scalar(
            select(Registration).join(Unit, Registration.unit_id == Unit.id)
            .where(Registration.cycle_id == cycle.id, Registration.state == RegistrationState.SUBMITTED, Unit.staff_officer_id == person.id,
                   Registration.id.in_(select(Comment.registration_id)))
            .order_by(Registration.id).limit(1)
        )
        _, token = create_token(person, "bench/lists.py", actor=person, expires_in_days=1)
        db.session.commit()
        found = {"token": token, "cycle_id": cycle.id, "registration_id": registration.id, "unit_id": registration.unit_id,
                 "dialect": db.engine.dialect.name, "registrations": db.session.scalar(
                     select(Registration.id).where(Registration.cycle_id == cycle.id).order_by(Registration.id.desc()).limit(1))}
        db.engine.dispose()
    return found


def start_server(url: str, port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "KPI_ENV": "production", "KPI_SECRET_KEY": SECRET_KEY, "KPI_DATABASE_URL": url,
           "KPI_LOG_LEVEL": "WARNING", "KPI_BASE_URL": f"http://127.0.0.1:{port}"}
    env.pop("KPI_CONFIG", None)
    kpi = Path(sys.executable).with_name("kpi")
    server = subprocess.Popen([str(kpi), "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("kpi serve did not start:\n" + (server.stderr.read() if server.poll() is not None else "")) from None
            time.sleep(0.2)


def sign_in(port: int) -> str:
    """The session cookie of the officer, signed in through the form as a browser would."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    body = urllib.parse.urlencode({"username": USERNAME, "password": PASSWORD, "csrf_token": csrf.group(1) if csrf else ""})
    conn.request("POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise SystemExit(f"sign-in failed: {response.status}")
    return response.getheader("Set-Cookie", "").split(";")[0]


class Client:
    """One keep-alive connection, as a browser or an API client holds."""

    def __init__(self, port: int, cookie: str, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"web": {"Cookie": cookie, "Accept-Language": "vi"}, "api": {"Authorization": f"Bearer {token}", "Accept": "application/json"}}

    def get(self, path: str, auth: str) -> float:
        started = time.perf_counter()
        self.conn.request("GET", path, headers=self.headers[auth])
        response = self.conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise SystemExit(f"GET {path}: {response.status} {body[:300]!r}")
        return elapsed


def rounds(client: Client, pages: dict[str, tuple[str, str]], count: int, times: dict[str, list[float]], lock: threading.Lock) -> None:
    """`count` rounds of every page in turn, so that each sees the same state of the machine."""
    for _ in range(count):
        for name, (path, auth) in pages.items():
            elapsed = client.get(path, auth)
            with lock:
                times[name].append(elapsed)


def run(port: int, cookie: str, token: str, pages: dict[str, tuple[str, str]], clients: int, count: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in pages}
    lock = threading.Lock()
    connections = [Client(port, cookie, token) for _ in range(clients)]
    threads = [threading.Thread(target=rounds, args=(client, pages, count, times, lock)) for client in connections]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for client in connections:
        client.conn.close()
    return times


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def report(title: str, times: dict[str, list[float]]) -> bool:
    base50, base95 = percentile(times["trivial"], 50), percentile(times["trivial"], 95)
    print(f"{title}")
    print(f"  {'':8} {'p50 ms':>8} {'p95 ms':>8} {'p50 ×':>7} {'p95 ×':>7}")
    ok = True
    for name, values in times.items():
        p50, p95 = percentile(values, 50), percentile(values, 95)
        r50, r95 = p50 / base50, p95 / base95
        ok &= name == "trivial" or (r50 <= GOAL and r95 <= GOAL)
        print(f"  {name:8} {p50 * 1000:8.1f} {p95 * 1000:8.1f} {r50:7.2f} {r95:7.2f}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL, help="the database bench/generate.py filled")
    parser.add_argument("--requests", type=int, default=300, help="sequential rounds (each asks for every page once)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4, help="threads of the concurrent run (0: none)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    url = database_url(args.database_url)
    found = prepare(url)
    pages = {
        "list": ("/registrations", "web"),
        "review": (f"/registrations/{found['registration_id']}", "web"),
        "api": (f"/api/v1/registrations?cycle_id={found['cycle_id']}", "api"),
        "trivial": (f"/api/v1/units/{found['unit_id']}", "api"),
    }
    port = free_port()
    server = start_server(url, port, args.workers, args.threads)
    try:
        cookie = sign_in(port)
        # Every worker and thread warms up (connections in the pool, templates compiled).
        run(port, cookie, found["token"], pages, max(args.clients, args.workers * args.threads), args.warmup)
        print(f"{found['dialect']}: gunicorn with {args.workers} workers × {args.threads} threads; "
              f"registration {found['registration_id']} reviewed, unit {found['unit_id']} as the trivial read")
        ok = report(f"one client, {args.requests} rounds", run(port, cookie, found["token"], pages, 1, args.requests))
        if args.clients:
            per_client = max(1, args.requests // args.clients)
            ok &= report(f"{args.clients} clients at once, {per_client} rounds each",
                         run(port, cookie, found["token"], pages, args.clients, per_client))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    print(f"goal (every ratio ≤ {GOAL:g}): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
