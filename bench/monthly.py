#!/usr/bin/env python
"""The monthly round at scale: p50/p95 of the manager's team grid, the servant's month and the
servant's year, against the trivial one-indexed-read endpoint (`GET /api/v1/units/<id>`). The
goal: every ratio ≤ 4.

    .venv/bin/python bench/monthly.py                          # 200 agencies × 20 servants, SQLite
    .venv/bin/python bench/monthly.py --agencies 1000 --servants 30 --database-url postgresql+psycopg://postgres@127.0.0.1/kpi_bench

The data is made with bulk INSERTs: agencies with their head (every servant's direct manager),
the 2026 cycle with its months (the real `create_cycle`), each servant's twelve months of five
products each, self-assessed and assessed (points stored as the engine would). Requests are
served in process by the application (the test client with a real sign-in session), one at a
time after a warm-up, so the ratios compare the pages' own work. On PostgreSQL the benchmark
uses a schema of its own (bench_monthly), dropped afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from dispatch import database  # noqa: E402
from workflow import create_app  # noqa: E402

SCHEMA = "bench_monthly"
LINES = 5


def build(agencies: int, servants: int) -> dict[str, int]:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from bulk import insert_rows, units_with_heads
    from workflow import policy
    from workflow.accounts.models import Person
    from workflow.cycles.operations import create_cycle
    from workflow.extensions import db
    from workflow.framework import queries as framework
    from workflow.framework.models import Subject, SubjectKind
    from workflow.monthly.models import LineOrigin, MonthlyPlan, MonthState, PlanLine
    from workflow.monthly.queries import month_periods

    upgrade()
    unit_ids, head_ids = units_with_heads(agencies, prefix="M")
    cycle = create_cycle(2026, actor=policy.SYSTEM)
    db.session.flush()
    track = framework.track("civil_servants")
    periods = month_periods(cycle.id)
    people = insert_rows(Person, [{"username": f"cc{a:05d}x{s:03d}", "full_name": f"Công chức {a:05d}-{s:03d}", "email": f"cc{a}x{s}@bench.vn",
                                   "unit_id": unit_ids[a], "locale": "vi", "password_hash": ""}
                                  for a in range(agencies) for s in range(servants)], ids=True)
    subjects = insert_rows(Subject, [{"track_id": track.id, "kind": SubjectKind.PERSON, "unit_id": unit_ids[i // servants], "person_id": p,
                                      "title": "", "active": True} for i, p in enumerate(people)], ids=True)
    plans = insert_rows(MonthlyPlan, [{"subject_id": s, "period_id": p.id, "state": MonthState.APPROVED, "points": Decimal("66.67"),
                                       "self_points": Decimal("70.00"), "rubric_version": "335-2026.1", "without_self_assessment": False,
                                       "self_note": "", "manager_note": "", "returned_reason": ""}
                                      for s in subjects for p in periods], ids=True)
    period_of = [periods[i % len(periods)] for i in range(len(plans))]
    rows = []
    for plan_id, period in zip(plans, period_of, strict=True):
        due = period.starts_on.replace(day=20)
        for n in range(1, LINES + 1):
            rows.append({"plan_id": plan_id, "position": n, "origin": LineOrigin.ASSIGNED, "name": f"Sản phẩm {n}", "measure": "hồ sơ",
                         "coefficient": Decimal(n), "quantity": Decimal(4), "quality_standard": "", "due_on": due, "recurring": n < 3,
                         "delivered_quantity": Decimal(4), "delivered_on": due, "evidence_link": "", "note": "",
                         "assessed_quantity": Decimal(4), "assessed_on": due, "errors": 0, "delays": 0, "result_percent": Decimal(100)})
    insert_rows(PlanLine, rows)
    db.session.commit()
    db.session.execute(text("ANALYZE"))  # the planner's statistics, as after any bulk load
    db.session.commit()
    march = periods[2]
    return {"head": head_ids[0], "unit": unit_ids[0], "period": march.id, "plan": plans[2], "subject": subjects[0], "cycle": cycle.id,
            "lines": len(rows), "plans": len(plans)}


def timed(client, url: str, headers: dict[str, str] | None, requests: int) -> list[float]:
    for _ in range(5):
        assert client.get(url, headers=headers).status_code == 200, url
    out = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=200)
    parser.add_argument("--servants", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", choices=("grid", "month", "year", "trivial"), help="print where one page spends its time, and stop")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = database(args.database_url, Path(tmp), SCHEMA)
        app = create_app(overrides={"env": "testing", "database_url": url, "secret_key": "bench-secret-key-long-enough-to-pass-the-check"})
        app.config.update(WTF_CSRF_ENABLED=False)
        with app.app_context():
            from conftest import sign_in
            from workflow.accounts.models import Person
            from workflow.accounts.operations import create_token
            from workflow.extensions import db

            start = time.perf_counter()
            ids = build(args.agencies, args.servants)
            print(f"data: {args.agencies * args.servants:,} servants, {ids['plans']:,} months, {ids['lines']:,} products "
                  f"in {time.perf_counter() - start:.1f} s")
            head = db.session.get(Person, ids["head"])
            _, secret = create_token(head, "bench", actor=head)
            db.session.commit()
            client = sign_in(app.test_client(), head)
            pages = {
                "grid": (f"/monthly/team?period_id={ids['period']}", None),
                "month": (f"/monthly/months/{ids['plan']}", None),
                "year": (f"/monthly/year/{ids['subject']}?cycle_id={ids['cycle']}", None),
                "trivial": (f"/api/v1/units/{ids['unit']}", {"Authorization": f"Bearer {secret}"}),
            }
            if args.profile:
                import cProfile
                import pstats

                timed(client, pages[args.profile][0], pages[args.profile][1], 3)
                profiler = cProfile.Profile()
                profiler.enable()
                timed(client, pages[args.profile][0], pages[args.profile][1], 20)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
                return
            results = {name: timed(client, path, headers, args.requests) for name, (path, headers) in pages.items()}
        base50 = statistics.median(results["trivial"])
        base95 = statistics.quantiles(results["trivial"], n=20)[-1]
        worst = 0.0
        print(f"{'page':8} {'p50 ms':>8} {'p95 ms':>8} {'×p50':>6} {'×p95':>6}")
        for name, times in results.items():
            p50, p95 = statistics.median(times), statistics.quantiles(times, n=20)[-1]
            if name != "trivial":
                worst = max(worst, p95 / base95)
            print(f"{name:8} {p50:8.2f} {p95:8.2f} {p50 / base50:6.2f} {p95 / base95:6.2f}")
        print(f"goal: every p95 ratio ≤ 4 — worst {worst:.2f}")
        if args.database_url:
            from sqlalchemy import create_engine, text

            engine = create_engine(args.database_url)
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            engine.dispose()
        sys.exit(1 if worst > 4 else 0)


if __name__ == "__main__":
    main()
