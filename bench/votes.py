#!/usr/bin/env python
"""Electronic voting in the hall at scale: 500 voters cast ballots on 20 people through the real
ballot page, served as in production (`kpi serve`: gunicorn, CSRF on), on one instance, and the
count is checked against what each voter chose: nothing lost, nothing counted twice.

    .venv/bin/python bench/votes.py [--voters 500] [--people 20] [--clients 16] [--workers 2] [--threads 8]
    .venv/bin/python bench/votes.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/kpi_bench

Sets up a round of its own (fresh SQLite file bench/out/votes.sqlite3, or the schema bench_votes
on PostgreSQL, dropped afterwards): `--voters` summoned and present, `--people` voted on, voting open, one code per
voter. Each simulated voter opens the ballot page (its cookie and CSRF token), marks a level for
every person (voter i gives person j the level (i + j) mod 3) and posts it with their code,
`--clients` voters at a time. Prints the wall time against the goal (one minute), ballots per
second, p50/p95 of a cast, and then, from the database: codes spent, ballots counted per person
against the expected counts, receipts. Exit status 1 when a ballot is lost or counted twice, or
the goal is missed.
"""

from __future__ import annotations

import argparse
import http.client
import re
import signal
import statistics
import sys
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dispatch import free_port, fresh_schema  # noqa: E402
from generate import app_for  # noqa: E402
from lists import start_server  # noqa: E402

GOAL_SECONDS = 60
LEVELS = ("high", "confidence", "low")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RECEIPT = re.compile(r'id="receipt">([A-Z0-9-]+)<')


def set_up(url: str, voters: int, people: int) -> tuple[int, list[str], list[int]]:
    """The round, its codes and the ids of the people voted on."""
    from flask_migrate import upgrade

    from workflow import policy
    from workflow.accounts.models import Person
    from workflow.extensions import db
    from workflow.units.models import Unit, UnitGroup
    from workflow.votes import operations

    app = app_for(url)
    with app.app_context():
        upgrade()
        group = UnitGroup(code="DANG", name="Cơ quan Đảng")
        unit = Unit(code="BTCTU", name="Ban Tổ chức Tỉnh ủy", group=group)
        persons = [Person(username=f"dai.bieu{i}", full_name=f"Đại biểu {i}", email=f"daibieu{i}@bench.vn", password_hash="") for i in range(voters)]
        heads = [Person(username=f"giam.doc{j}", full_name=f"Giám đốc {j}", email=f"giamdoc{j}@bench.vn", password_hash="") for j in range(people)]
        db.session.add_all([group, unit, *persons, *heads])
        db.session.flush()
        round_ = operations.create_round(actor=policy.SYSTEM, title="Hội nghị lấy phiếu tín nhiệm (đo tải)", organiser=unit, term="2025–2030",
                                         held_on=date(2027, 10, 20), method="electronic", profile="party")
        for head in heads:
            operations.add_candidate(round_, head, actor=policy.SYSTEM, post="Giám đốc Sở", appointed_on=date(2024, 1, 1))
        operations.summon(round_, persons, actor=policy.SYSTEM)
        db.session.flush()
        operations.record_attendance(round_, [p.id for p in persons], actor=policy.SYSTEM)
        operations.take_step(round_, "open", actor=policy.SYSTEM)
        codes = operations.issue_codes(round_, actor=policy.SYSTEM)
        db.session.commit()
        result = round_.id, codes, [c.id for c in round_.eligible]
        db.engine.dispose()
    return result


def choices(voter: int, candidates: list[int]) -> dict[int, str]:
    return {c: LEVELS[(voter + j) % len(LEVELS)] for j, c in enumerate(candidates)}


def cast(port: int, round_id: int, voter: int, code: str, candidates: list[int]) -> tuple[float, str | None, str]:
    """One voter: open the page, post the ballot. (seconds, receipt or None, what went wrong)."""
    started = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", f"/vote/{round_id}")
        response = conn.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie", "").split(";")[0]
        token = CSRF.search(page)
        form = {"code": code, "csrf_token": token.group(1) if token else "",
                **{f"mark-{c}": level for c, level in choices(voter, candidates).items()}}
        conn.request("POST", f"/vote/{round_id}", body=urllib.parse.urlencode(form),
                     headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        response = conn.getresponse()
        body = response.read().decode()
        found = RECEIPT.search(body)
        return time.perf_counter() - started, found.group(1) if found else None, "" if found else f"HTTP {response.status}"
    except OSError as exc:
        return time.perf_counter() - started, None, type(exc).__name__


def check(url: str, round_id: int, voters: int, candidates: list[int], receipts: list[str]) -> tuple[int, int, list[str]]:
    """(ballots lost, ballots counted twice, the per-person differences) from the database."""
    from sqlalchemy import func, select

    from workflow.extensions import db
    from workflow.votes import queries
    from workflow.votes.models import BallotCode, BallotTally, Receipt, VoteRound

    expected: dict[int, Counter[str]] = {c: Counter() for c in candidates}
    for voter in range(voters):
        for c, level in choices(voter, candidates).items():
            expected[c][level] += 1
    app = app_for(url)
    with app.app_context():
        round_ = db.session.get(VoteRound, round_id)
        spent = db.session.scalar(select(func.count()).where(BallotCode.round_id == round_id, BallotCode.spent.is_(True)))
        stored_receipts = db.session.scalar(select(func.count()).where(Receipt.round_id == round_id))
        unverified = [r for r in receipts if not queries.receipt_counted(round_, r)]
        counted: dict[int, Counter[str]] = {c: Counter() for c in candidates}
        for candidate_id, level, n in db.session.execute(select(BallotTally.candidate_id, BallotTally.level, BallotTally.count)
                                                         .where(BallotTally.round_id == round_id)):
            counted[candidate_id][level] += n
        db.engine.dispose()
    differences = [f"person {c}: counted {dict(counted[c])}, cast {dict(expected[c])}" for c in candidates if +counted[c] != +expected[c]]
    per_person = [sum(counted[c].values()) for c in candidates]
    lost = max(0, voters - min(per_person + [spent, stored_receipts])) + len(unverified)
    double = max(0, max(per_person + [spent, stored_receipts]) - voters)
    return lost, double, differences


def drop_schema(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS bench_votes CASCADE"))
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if args.database_url:
        url = fresh_schema(args.database_url, "bench_votes")
    else:
        path = ROOT / "bench" / "out" / "votes.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    round_id, codes, candidates = set_up(url, args.voters, args.people)
    port = free_port()
    server = start_server(url, port, args.workers, args.threads)
    lock, failures, receipts, durations = threading.Lock(), Counter(), [], []

    def one(voter: int) -> None:
        seconds, receipt, wrong = cast(port, round_id, voter, codes[voter], candidates)
        with lock:
            durations.append(seconds)
            if receipt:
                receipts.append(receipt)
            else:
                failures[wrong] += 1

    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(one, range(args.voters)))
        elapsed = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    lost, double, differences = check(url, round_id, args.voters, candidates, receipts)
    if args.database_url:
        drop_schema(args.database_url)
    durations.sort()
    dialect = "postgresql" if args.database_url else "sqlite"
    print(f"{dialect}: gunicorn with {args.workers} workers × {args.threads} threads; {args.clients} voters at a time")
    print(f"{args.voters} voters × {args.people} people: {elapsed:.1f} s (goal {GOAL_SECONDS} s, ratio {elapsed / GOAL_SECONDS:.2f}), "
          f"{args.voters / elapsed:.1f} ballots/s; a cast p50 {statistics.median(durations) * 1000:.0f} ms, "
          f"p95 {durations[int(len(durations) * 0.95) - 1] * 1000:.0f} ms")
    print(f"receipts {len(receipts)}; refused or failed: {dict(failures) or 0}; lost {lost}, counted twice {double}")
    for line in differences[:5]:
        print("  " + line)
    return 0 if not lost and not double and not differences and not failures and elapsed <= GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
