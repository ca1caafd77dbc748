#!/usr/bin/env python
"""Citizens' ratings received over HTTP by one `kpi serve` instance: ratings per second, and
that every rating sent is stored once — none lost, none twice.

    .venv/bin/python bench/ratings.py                                   # SQLite, 20,000 ratings
    .venv/bin/python bench/ratings.py --ratings 50000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/kpi_bench

Makes a unit with its head, a counter with its official on duty and one machine client per
sending thread (the one-stop system: `POST /api/v1/ratings`, `--batch` ratings a request, each
with its own key and dossier, 2 % "không hài lòng", which open cases and queue mail), starts
`kpi serve` (gunicorn, production settings, `--workers` × `--threads`) on loopback and sends
from `--clients` threads at once. One batch in ten is sent a second time, as a client does when
an answer is lost: every rating in it must come back "duplicate". The request limits are set
high for the run (`KPI_RATINGS_LIMIT_*`: they guard against a faulty device, not load).

At the end the database is read: the keys stored must be exactly the keys sent, and the months
kept beside the ratings (workflow.ratings.months) must count each of them once. Prints ratings
per second (the first sending of each rating, over the whole run's time) against the goal of
1,000/s; exits 1 when a rating was lost or stored twice, an answer was not 200, or the rate is
below the goal. On PostgreSQL it works in the schema `bench_ratings`, dropped afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dispatch import free_port, fresh_schema  # noqa: E402
from generate import SECRET_KEY, app_for  # noqa: E402
from lists import start_server  # noqa: E402

SCHEMA = "bench_ratings"
GOAL = 1000.0
RESEND_EVERY = 10
UNHAPPY_EVERY = 50


def drop_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()


def prepare(url: str, clients: int) -> tuple[int, list[str]]:
    """Migrations, a unit with its head, a counter with its official, one client per thread."""
    from flask_migrate import upgrade

    from workflow import policy
    from workflow.accounts.models import Person, Role, RoleGrant
    from workflow.extensions import db
    from workflow.ratings import operations
    from workflow.units.models import Unit, UnitGroup

    app = app_for(url)
    with app.app_context():
        upgrade()
        group = UnitGroup(code="G", name="Khối huyện")
        db.session.add(group)
        db.session.flush()
        unit = Unit(code="MC", name="Bộ phận một cửa", group_id=group.id)
        db.session.add(unit)
        db.session.flush()
        head = Person(username="truong.mc", full_name="Trưởng bộ phận", email="truong.mc@bench.test", unit_id=unit.id)
        official = Person(username="can.bo", full_name="Cán bộ một cửa", email="can.bo@bench.test", unit_id=unit.id)
        db.session.add_all([head, official])
        db.session.flush()
        db.session.add(RoleGrant(person_id=head.id, role=Role.HEAD, unit_id=unit.id))
        counter = operations.create_counter(unit, "Quầy 1", actor=policy.SYSTEM, official=official)
        db.session.flush()
        tokens = [operations.register_device(name=f"Hệ thống {n}", unit=unit, actor=policy.SYSTEM)[1] for n in range(clients)]
        db.session.commit()
        counter_id = counter.id
        db.engine.dispose()
    return counter_id, tokens


def batches(counter_id: int, total: int, size: int) -> list[list[dict]]:
    start = datetime.now(UTC) - timedelta(days=1)
    made = []
    for first in range(0, total, size):
        made.append([{
            "key": uuid.uuid4().hex, "dossier": f"BENCH-{n:08d}", "counter_id": counter_id,
            "verdict": "unsatisfied" if n % UNHAPPY_EVERY == 0 else "very_satisfied" if n % 3 else "satisfied",
            "scores": {"attitude": "satisfied"}, "rated_at": (start + timedelta(seconds=n)).isoformat(),
        } for n in range(first, min(first + size, total))])
    return made


def send(port: int, token: str, work: list[list[dict]], tally: dict, lock: threading.Lock) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"}
    for number, batch in enumerate(work):
        sendings = 2 if number % RESEND_EVERY == 0 else 1
        for attempt in range(sendings):
            conn.request("POST", "/api/v1/ratings", body=json.dumps({"ratings": batch}), headers=headers)
            response = conn.getresponse()
            body = response.read()
            with lock:
                if response.status != 200:
                    tally["errors"].append(f"{response.status} {body[:200]!r}")
                    continue
                for result in json.loads(body)["results"]:
                    tally[result["status"] if attempt == 0 else "resent_" + result["status"]] += 1
    conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--ratings", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if args.database_url:
        url = fresh_schema(args.database_url, SCHEMA)
    else:
        path = ROOT / "bench" / "out" / "ratings.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    counter_id, tokens = prepare(url, args.clients)
    work = batches(counter_id, args.ratings, args.batch)
    os.environ.update(KPI_RATINGS_LIMIT_PER_CLIENT="1000000 per minute", KPI_RATINGS_LIMIT_PER_ADDRESS="1000000 per minute")
    port = free_port()
    server = start_server(url, port, args.workers, args.threads)
    tally: dict = {"accepted": 0, "duplicate": 0, "refused": 0, "resent_accepted": 0, "resent_duplicate": 0, "resent_refused": 0, "errors": []}
    lock = threading.Lock()
    try:
        threads = [threading.Thread(target=send, args=(port, tokens[n], work[n::args.clients], tally, lock)) for n in range(args.clients)]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(30)
    sent = {item["key"] for batch in work for item in batch}
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = [row[0] for row in conn.execute(text("SELECT key FROM rating"))]
        cases = conn.execute(text("SELECT count(*) FROM rating_case")).scalar_one()
        mails = conn.execute(text("SELECT count(*) FROM notification")).scalar_one()
        # The months kept beside the ratings, added to by every batch at once: the same counts.
        months = conn.execute(text("SELECT coalesce(sum(total), 0), coalesce(sum(cases), 0) FROM rating_unit_month")).one()
    engine.dispose()
    if args.database_url:
        drop_schema(args.database_url)
    lost = len(sent - set(stored))
    twice = len(stored) - len(set(stored))
    rate = tally["accepted"] / elapsed
    print(f"{'PostgreSQL' if args.database_url else 'SQLite'}: {len(sent):,} ratings in batches of {args.batch} from {args.clients} clients, "
          f"one gunicorn instance ({args.workers} workers × {args.threads} threads)")
    print(f"  {rate:,.0f} ratings/s (goal ≥ {GOAL:,.0f}) over {elapsed:.1f} s; accepted {tally['accepted']:,}, refused {tally['refused']:,}")
    print(f"  resent batches: {tally['resent_duplicate']:,} ratings answered duplicate, {tally['resent_accepted']:,} accepted again")
    print(f"  stored {len(stored):,}: lost {lost}, stored twice {twice}; {cases:,} cases opened, {mails:,} messages queued")
    print(f"  the months kept count {months[0]:,} ratings and {months[1]:,} cases" + ("" if tuple(months) == (len(stored), cases) else " — NOT the ratings stored"))
    for error in tally["errors"][:5]:
        print("  error:", error)
    ok = tuple(months) == (len(stored), cases) and not lost and not twice and not tally["errors"] and not tally["resent_accepted"] and tally["accepted"] == len(sent) and rate >= GOAL
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
