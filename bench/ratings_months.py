#!/usr/bin/env python
"""Citizens' ratings at the scale of a province's one-stop centres: the dashboards over
millions of ratings, and the year's ratings turned into evaluation facts.

- pages, p50/p95 against the trivial one-indexed-read endpoint (`GET /api/v1/units/<id>`), goal
  p95 ≤ 4×: the province's dashboard (`/ratings?year=2026`, as the staff agency reads it: every
  unit by month, ranked) and a unit's (`&unit_id=`: its officials by month);
- the evidence of every official of the year (`workflow.ratings.evidence.for_subjects`: each
  one's count, share satisfied and unjustified cases), against the same GROUP BY over the
  ratings written in SQL and fetched (each official's ratings and those satisfied in the year,
  and the unjustified cases with their dossiers), goal ≤ 3×.

It also prints how long the load took, and how long counting every month again from the
ratings takes (`workflow.ratings.months.rebuild`, what `kpi ratings-recount` does).

    .venv/bin/python bench/ratings_months.py                                  # SQLite, 1,000,000 ratings
    .venv/bin/python bench/ratings_months.py --ratings 5000000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/kpi_bench

The ratings are loaded by INSERT … SELECT (2.5 % "không hài lòng", three in four of their cases
answered, one in three of those found unjustified), then the months are counted once
(`months.rebuild`), as after a bulk load; `--keep` reuses the database of an earlier run. Pages
are served in process (the test client with a real sign-in), one request at a time after a
warm-up. On PostgreSQL it works in the schema `bench_ratings_months`. Exits 1 when a goal is
missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from civil_service import _pages_held  # noqa: E402
from generate import OUT, app_for, database_url  # noqa: E402
from monthly import timed  # noqa: E402

SCHEMA = "bench_ratings_months"
SQLITE = f"sqlite:///{OUT / 'ratings.sqlite3'}"
GOALS = {"evidence": 3.0}  # the pages: p95 ≤ 4× the trivial read (civil_service.GOALS)
YEAR = 2026


def load(ratings: int, units: int, per_unit: int) -> dict[str, float]:
    """Units with a counter and `per_unit` officials each, a staff member, the cycle with every
    official a subject of the civil servants' track, and `ratings` ratings of the year with their
    cases, spread over units, officials and months."""
    import bulk
    from workflow import policy
    from workflow.accounts.models import Person, Role, RoleGrant
    from workflow.core.models import utcnow
    from workflow.cycles.operations import create_cycle
    from workflow.extensions import db
    from workflow.framework import queries as framework
    from workflow.framework.models import Subject
    from workflow.ratings import months
    from workflow.ratings.models import Counter
    from workflow.units.models import Unit, UnitGroup

    timings: dict[str, float] = {}
    now = utcnow()
    postgres = db.engine.dialect.name == "postgresql"
    [group] = bulk.insert_rows(UnitGroup, [{"code": "XA", "name": "Ủy ban nhân dân cấp xã", "position": 0}], ids=True)
    unit_ids = bulk.insert_rows(Unit, [{"code": f"X{n:04d}", "name": f"Bộ phận một cửa xã số {n + 1}", "group_id": group} for n in range(units)], ids=True)
    people = [{"username": f"cb{u}_{k}", "full_name": f"Cán bộ {k + 1} xã {u + 1}", "email": f"cb{u}_{k}@bench.gov.vn", "unit_id": unit_ids[u],
               "title": "Công chức một cửa", "locale": "vi", "password_hash": ""} for u in range(units) for k in range(per_unit)]
    official_ids = bulk.insert_rows(Person, people, ids=True)
    [staff] = bulk.insert_rows(Person, [{"username": "vanphong", "full_name": "Văn phòng UBND tỉnh", "email": "vp@bench.gov.vn", "locale": "vi",
                                         "password_hash": ""}], ids=True)
    bulk.insert_rows(RoleGrant, [{"person_id": staff, "role": Role.STAFF}])
    counter_ids = bulk.insert_rows(Counter, [{"unit_id": unit_ids[u], "name": "Quầy 1", "official_id": official_ids[u * per_unit]} for u in range(units)],
                                   ids=True)
    create_cycle(YEAR, actor=policy.SYSTEM)
    db.session.flush()
    track = framework.track("civil_servants")
    bulk.insert_rows(Subject, [{"track_id": track.id, "kind": "person", "unit_id": p["unit_id"], "person_id": pid, "title": ""}
                               for p, pid in zip(people, official_ids, strict=True)])
    db.session.commit()

    at = time.perf_counter()
    numbers = f"generate_series(0, {ratings - 1}) AS n(i)" if postgres else "bench_number n"
    if not postgres:
        db.session.execute(text("DROP TABLE IF EXISTS bench_number"))
        db.session.execute(text("CREATE TABLE bench_number (i INTEGER PRIMARY KEY)"))
        db.session.execute(text("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :n) INSERT INTO bench_number SELECT i FROM n"),
                           {"n": ratings})
    # i → unit i % U, official (i / U) % K of it, month (i / (U·K)) % 12 + 1, day i % 28 + 1.
    month = f"(n.i / {units * per_unit}) % 12 + 1"
    day = "n.i % 28 + 1"
    rated_at = (f"make_timestamp({YEAR}, {month}, {day}, 2, 0, 0)" if postgres
                else f"printf('{YEAR}-%02d-%02d 02:00:00.000000', {month}, {day})")
    verdict = "CASE WHEN n.i % 40 = 0 OR (n.i % :units < 5 AND n.i % 13 = 0) THEN 'unsatisfied' WHEN n.i % 3 = 0 THEN 'satisfied' ELSE 'very_satisfied' END"
    db.session.execute(text(f"""
        INSERT INTO rating (key, dossier, unit_id, counter_id, official_id, device_id, channel, verdict, scores, comment, phone, rated_at, month, received_at)
        SELECT 'k' || CAST(n.i AS VARCHAR(12)), 'HS-{YEAR}-' || CAST(n.i AS VARCHAR(12)), :u0 + n.i % :units, :c0 + n.i % :units,
               :p0 + (n.i % :units) * :k + (n.i / :units) % :k, NULL, 'kiosk', {verdict}, '{{}}', '', '', {rated_at}, {YEAR * 100} + {month}, :now
        FROM {numbers}"""), {"u0": unit_ids[0], "c0": counter_ids[0], "p0": official_ids[0], "units": units, "k": per_unit, "now": now})
    timings["ratings"] = time.perf_counter() - at
    at = time.perf_counter()
    justified = "CASE WHEN r.id % 4 = 0 THEN NULL WHEN r.id % 3 = 0 THEN FALSE ELSE TRUE END" if postgres else \
        "CASE WHEN r.id % 4 = 0 THEN NULL WHEN r.id % 3 = 0 THEN 0 ELSE 1 END"
    db.session.execute(text(f"""
        INSERT INTO rating_case (rating_id, unit_id, official_id, state, due_on, justified, action, answered_by_id, answered_at, created_at, version)
        SELECT r.id, r.unit_id, r.official_id, CASE WHEN r.id % 4 = 0 THEN 'open' ELSE 'answered' END, :due, {justified},
               CASE WHEN r.id % 4 = 0 THEN '' ELSE 'Đã làm việc với công chức' END, NULL, NULL, :now, 1
        FROM rating r WHERE r.verdict = 'unsatisfied'"""), {"now": now, "due": f"{YEAR}-12-31"})
    timings["cases"] = time.perf_counter() - at
    if not postgres:
        db.session.execute(text("DROP TABLE bench_number"))
    db.session.commit()
    at = time.perf_counter()
    months.rebuild()
    db.session.commit()
    timings["months"] = time.perf_counter() - at
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return timings


def pages(app) -> dict[str, tuple[Any, str, dict[str, str] | None]]:
    from conftest import sign_in
    from workflow.accounts.models import Person
    from workflow.accounts.operations import create_token
    from workflow.extensions import db
    from workflow.units.models import Unit

    staff = db.session.scalar(select(Person).where(Person.username == "vanphong"))
    unit = db.session.scalar(select(Unit).where(Unit.code == "X0000"))
    _, secret = create_token(staff, "bench", actor=staff)
    db.session.commit()
    client = sign_in(app.test_client(), staff)
    return {"province": (client, f"/ratings?year={YEAR}", None), "unit": (client, f"/ratings?year={YEAR}&unit_id={unit.id}", None),
            "trivial": (client, f"/api/v1/units/{unit.id}", {"Authorization": f"Bearer {secret}"})}


def evidence(repeat: int) -> tuple[float, float, int]:
    """(seconds of the evidence of every official, seconds of the GROUP BY in SQL, officials),
    the best of `repeat` runs each."""
    from workflow.cycles.models import Cycle
    from workflow.extensions import db
    from workflow.framework.models import Subject
    from workflow.ratings.evidence import for_subjects

    cycle = db.session.scalar(select(Cycle).where(Cycle.year == YEAR))
    ids = list(db.session.scalars(select(Subject.id).order_by(Subject.id)))
    engine, baseline = [], []
    by_hand = text(f"""
        SELECT r.official_id, count(*), sum(CASE WHEN r.verdict IN ('very_satisfied', 'satisfied') THEN 1 ELSE 0 END)
        FROM rating r WHERE r.month BETWEEN {YEAR}01 AND {YEAR}12 AND r.official_id IS NOT NULL GROUP BY r.official_id""")
    cases = text(f"""
        SELECT c.official_id, r.dossier, r.rated_at, c.id FROM rating_case c JOIN rating r ON r.id = c.rating_id
        WHERE r.month BETWEEN {YEAR}01 AND {YEAR}12 AND c.justified = :no""")
    for _ in range(repeat):
        db.session.expire_all()
        at = time.perf_counter()
        facts = for_subjects(cycle.id, ids)
        engine.append(time.perf_counter() - at)
        assert len(facts) == len(ids)
        at = time.perf_counter()
        rows = db.session.execute(by_hand).all() + db.session.execute(cases, {"no": False}).all()
        baseline.append(time.perf_counter() - at)
        assert rows
        db.session.rollback()
    return min(engine), min(baseline), len(ids)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--ratings", type=int, default=None, help="ratings of the year (5,000,000 on PostgreSQL, 1,000,000 on SQLite)")
    parser.add_argument("--units", type=int, default=150, help="units with a one-stop counter")
    parser.add_argument("--officials", type=int, default=8, help="officials per unit")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="reuse the database of an earlier run")
    args = parser.parse_args()
    postgres = bool(args.database_url) and not args.database_url.startswith("sqlite")
    count = args.ratings or (5_000_000 if postgres else 1_000_000)
    url = database_url(args.database_url or SQLITE, fresh=not args.keep, schema=SCHEMA)
    app = app_for(url)
    app.config.update(WTF_CSRF_ENABLED=False)
    missed: list[str] = []
    with app.app_context():
        from flask_migrate import upgrade

        from workflow.extensions import db
        from workflow.ratings.models import Rating, UnitMonth

        if not args.keep:
            upgrade()
            timings = load(count, args.units, args.officials)
            print(f"loaded {count:,} ratings in {timings['ratings']:.1f} s, their cases in {timings['cases']:.1f} s; "
                  f"every month counted again in {timings['months']:.1f} s")
        stored = db.session.scalar(select(func.count()).select_from(Rating))
        kept, counted = db.session.execute(select(func.count(), func.sum(UnitMonth.total))).one()
        print(f"{db.engine.dialect.name}: {stored:,} ratings, {kept:,} unit-months kept counting {counted or 0:,} ratings")
        if counted != stored:
            missed.append("the months kept")
        clients = pages(app)
        seconds, baseline, officials = evidence(args.repeat)
    results = {name: timed(client, url, headers, args.requests) for name, (client, url, headers) in clients.items()}
    _pages_held(results, missed)  # p50/p95 against the trivial read, as the civil service's pages
    ratio = seconds / baseline
    print(f"  evidence of {officials:,} officials: {seconds * 1000:.1f} ms; the GROUP BY in SQL: {baseline * 1000:.1f} ms; "
          f"{ratio:.2f}× (goal ≤ {GOALS['evidence']:g}×)")
    if ratio > GOALS["evidence"]:
        missed.append("evidence")
    print("goals missed: " + ", ".join(missed) if missed else "every goal met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
