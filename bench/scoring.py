"""Benchmark: the council's proposals for many heads against one SQL query.

Generates N heads scored by M council members (10,000 × 7 by default), in memory and in a real
database table, then times
  (a) the engine: panel score (mean), spread and flags, classification and the quota for every
      head (`workflow.scoring.engine.propose`), from the members' totals as Decimals;
  (b) the same mean aggregation as one SQL query (GROUP BY head with AVG), rows fetched;
and prints both and their ratio (goal: ≤ 3). The table is a temporary one, created and dropped
here. SQLite always; PostgreSQL too with --postgres URL.

    .venv/bin/python bench/scoring.py [--heads 10000] [--members 7] [--repeat 9]
        [--rubric config/rubrics/366-heads.toml]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/kpi_scoring]

--rubric times another rubric (default: config/rubrics/default.toml); a preset that reads the
quota literally and maps facts onto the levels does more work per scope and per head.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflow.scoring.engine import Candidate, Facts, propose  # noqa: E402
from workflow.scoring.rubric import Rubric, load_rubric  # noqa: E402

GROUPS = ("departments", "districts", "party", "front")


def generate(heads: int, members: int, seed: int = 2027) -> list[Candidate]:
    """Heads of varying merit, members with a slight leniency or severity of their own."""
    rng = random.Random(seed)
    bias = [rng.gauss(0, 1.5) for _ in range(members)]
    candidates = []
    for h in range(heads):
        merit = rng.gauss(78, 9)
        ratings = {m: Decimal(round(min(100.0, max(0.0, merit + bias[m] + rng.gauss(0, 3))) * 100)) / 100 for m in range(members)}
        targets = rng.randint(4, 12)
        on_time = targets - (rng.random() < 0.3) * rng.randint(1, 2)
        facts = Facts(targets, targets, on_time, rng.randint(0, targets // 2), targets - on_time, disciplined=rng.random() < 0.01)
        candidates.append(Candidate(h, ratings, facts, agency=f"agency-{h % 50}", group=GROUPS[h % 4]))
    return candidates


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def compare(url: str, candidates: list[Candidate], rubric: Rubric, repeat: int) -> tuple[list[float], list[float]]:
    """Times of the engine and of the query, taken in turn so that both see the same load on
    the machine."""
    engine = create_engine(url)
    numeric = "NUMERIC(5, 2)" if url.startswith("postgresql") else "NUMERIC"
    # As text: SQLite's driver takes no Decimal, and both databases read "82.49" exactly.
    rows = [{"h": c.head, "m": m, "t": str(v)} for c in candidates for m, v in c.ratings.items()]
    engine_times, sql_times = [], []
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE TEMPORARY TABLE bench_scores (head_id INTEGER, member_id INTEGER, total {numeric}, PRIMARY KEY (head_id, member_id))")
        try:
            conn.execute(text("INSERT INTO bench_scores VALUES (:h, :m, :t)"), rows)
            conn.exec_driver_sql("ANALYZE bench_scores")
            query = text("SELECT head_id, ROUND(AVG(total), 2) FROM bench_scores GROUP BY head_id")
            assert len(conn.execute(query).all()) == len(candidates)  # and warms the caches
            propose(candidates, rubric)
            for _ in range(repeat):
                engine_times.append(timed(lambda: propose(candidates, rubric)))
                sql_times.append(timed(lambda: conn.execute(query).all()))
        finally:
            conn.exec_driver_sql("DROP TABLE bench_scores")
            conn.commit()
    engine.dispose()
    return engine_times, sql_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--heads", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--postgres", metavar="URL", help="also time the query on this PostgreSQL database")
    parser.add_argument("--rubric", default="config/rubrics/default.toml", help="the rubric file to score with")
    args = parser.parse_args()

    rubric = load_rubric(args.rubric)
    print(f"rubric {args.rubric} ({rubric.version})")
    candidates = generate(args.heads, args.members)
    proposals = propose(candidates, rubric)
    print(f"{args.heads:,} heads × {args.members} members; fastest and median of {args.repeat} runs, engine and query in turn")
    counts = ", ".join(f"{k} {v}" for k, v in proposals.counts().items())
    print(f"  proposed: {counts}; flagged for discussion {len(proposals.flagged())}")
    print(f"  (building every head's explained Proposal as well: {timed(lambda: list(propose(candidates, rubric))) * 1000:.0f} ms)")

    with tempfile.TemporaryDirectory() as tmp:
        databases = [("SQLite", f"sqlite:///{tmp}/bench.sqlite3")]
        if args.postgres:
            databases.append(("PostgreSQL", args.postgres))
        for name, url in databases:
            engine_times, sql_times = compare(url, candidates, rubric, args.repeat)
            ratio = min(engine_times) / min(sql_times)
            verdict = "within the goal of 3" if ratio <= 3 else "ABOVE the goal of 3"
            print(f"  {name}")
            print(f"    engine: mean + spread + level + quota   {min(engine_times) * 1000:7.1f} ms  (median {statistics.median(engine_times) * 1000:.1f})")
            print(f"    SQL: GROUP BY head, AVG, fetched        {min(sql_times) * 1000:7.1f} ms  (median {statistics.median(sql_times) * 1000:.1f})")
            print(f"    ratio engine / SQL: {ratio:.2f}, {verdict}")


if __name__ == "__main__":
    main()
