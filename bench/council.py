#!/usr/bin/env python
"""Benchmark: the council's proposals and the Excel export of a large cycle, on the real tables.

Bulk-inserts a cycle in scoring with N heads (10,000 by default), each with an assigned
registration of five targets and four accepted quarterly reports, and M council members
(7) who each submitted a scorecard for every head (70,000 rows in `scorecard`). Then times
  (a) the council package's real proposal computation, `workflow.council.proposals.compute`:
      its queries (heads, submitted scorecards, discipline records) and the engine (panel
      score, spread and flags, levels, quota) for every head;
  (b) the same mean aggregation as one SQL query on the same table (GROUP BY head, AVG,
      fetched);
and prints both and their ratio (goal: within 3×). Then writes the cycle's Excel workbook
(`workflow.council.export.write_workbook`, openpyxl's write-only mode) in a subprocess of its
own and prints its peak memory: the Python heap's peak (tracemalloc) and the process's peak
resident size (VmHWM, Linux), against a goal of 300 MB.

    .venv/bin/python bench/council.py [--heads 10000] [--members 7] [--repeat 5]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/kpi_council]

SQLite by default (a fresh file); on PostgreSQL the benchmark works in a schema of its own
(bench_council), dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

import dispatch  # noqa: E402
from bulk import insert_rows  # noqa: E402
from workflow import create_app  # noqa: E402

SCHEMA = "bench_council"
GROUPS = ("SO-NGANH", "HUYEN-TP", "DANG", "MTTQ-DT")
TARGETS = 5
SHARES = (Decimal("0.2"), Decimal("0.45"), Decimal("0.7"), Decimal("1"))


def database(url: str | None, tmp: Path) -> str:
    return dispatch.database(url, tmp, SCHEMA)


def app_for(url: str):
    return create_app(overrides={"env": "testing", "database_url": url, "secret_key": "bench-secret-key-that-is-long-enough-to-pass"})


def fill(heads: int, members: int, seed: int = 2027) -> int:
    """Bulk-insert the cycle; returns its id."""
    from flask_migrate import upgrade

    from workflow.accounts.models import Person
    from workflow.council.models import CouncilMember, Scorecard
    from workflow.cycles.models import Cycle, CycleState
    from workflow.extensions import db
    from workflow.framework import operations as framework
    from workflow.framework.models import Subject
    from workflow.reports.models import QuarterlyReport, ReportEntry
    from workflow.rules import load_rules
    from workflow.scoring.rubric import rubric_from_rules
    from workflow.targets.models import Registration, Target
    from workflow.units.models import Unit, UnitGroup

    upgrade()
    rng = random.Random(seed)
    now = datetime.now(UTC)
    rules = load_rules(ROOT / "config" / "rules" / "default.toml")
    rules["rubric"] = rubric_from_rules(rules).to_snapshot()
    cycle = Cycle(year=2031, name="Năm 2031 (bench)", starts_on=date(2031, 1, 1), ends_on=date(2031, 12, 31), state=CycleState.SCORING,
                  rules_version=rules["version"], rules=rules)
    db.session.add(cycle)
    groups = [UnitGroup(code=code, name=f"Nhóm {code}", position=i) for i, code in enumerate(GROUPS)]
    db.session.add_all(groups)
    db.session.flush()
    insert_rows(Unit.__table__, [{"id": i + 1, "code": f"U{i}", "name": f"Đơn vị số {i}", "group_id": groups[i % 4].id, "active": True, "version": 1,
                               "created_at": now} for i in range(heads)])
    people = [{"id": i + 1, "username": f"head{i}", "full_name": f"Nguyễn Văn {i}", "email": f"head{i}@bench", "title": "Giám đốc", "unit_id": i + 1,
               "locale": "vi", "password_hash": "", "must_change_password": False, "active": True, "version": 1, "created_at": now}
              for i in range(heads)]
    people += [{"id": heads + m + 1, "username": f"member{m}", "full_name": f"Thành viên {m}", "email": f"m{m}@bench", "title": "", "unit_id": None,
                "locale": "vi", "password_hash": "", "must_change_password": False, "active": True, "version": 1, "created_at": now}
               for m in range(members)]
    insert_rows(Person.__table__, people)
    track = framework.track_in(cycle)
    periods = [framework.period_of(cycle, track, q).id for q in (1, 2, 3, 4)]
    insert_rows(Subject.__table__, [{"id": i + 1, "track_id": track.id, "kind": "person", "unit_id": i + 1, "person_id": i + 1, "title": "",
                                     "active": True, "version": 1, "created_at": now} for i in range(heads)])
    insert_rows(Registration.__table__, [{"id": i + 1, "cycle_id": cycle.id, "track_id": track.id, "subject_id": i + 1, "unit_id": i + 1, "head_id": i + 1, "state": "assigned", "changed_at": now,
                                       "returned_reason": "", "decision_number": f"{i}-QĐ/TU", "signer_name": "", "signer_title": "", "version": 1,
                                       "created_at": now} for i in range(heads)])
    positions = ["chair", "secretary"] + ["member"] * (members - 2)
    insert_rows(CouncilMember.__table__, [{"id": m + 1, "cycle_id": cycle.id, "person_id": heads + m + 1, "position": positions[m], "created_at": now}
                                       for m in range(members)])
    targets, reports, entries, cards = [], [], [], []
    bias = [rng.gauss(0, 1.5) for _ in range(members)]
    for i in range(heads):
        merit = rng.gauss(0.97, 0.08)
        for k in range(TARGETS):
            tid = i * TARGETS + k + 1
            targets.append({"id": tid, "registration_id": i + 1, "position": k + 1, "kind": "quantitative", "title": f"Chỉ tiêu {k + 1}", "field": "",
                            "measure": "%", "baseline": Decimal(60), "target_value": Decimal(80), "direction": "higher", "weight": Decimal(20),
                            "plan_q1": Decimal(65), "plan_q2": Decimal(70), "plan_q3": Decimal(75), "plan_q4": Decimal(80), "product": "",
                            "milestone_q1": "", "milestone_q2": "", "milestone_q3": "", "milestone_q4": "", "is_new": False, "is_difficult": False,
                            "is_focal": False, "is_bottleneck": False, "origin": "registered", "dropped": False, "version": 1, "created_at": now})
        for q in range(4):
            rid = i * 4 + q + 1
            reports.append({"id": rid, "registration_id": i + 1, "period_id": periods[q], "quarter": q + 1, "state": "accepted", "due_on": date(2031, 3 * q + 3, 28),
                            "changed_at": now, "days_late": 0, "returned_reason": "", "reopened": 0, "version": 1, "created_at": now})
            for k in range(TARGETS):
                value = (Decimal(60) + Decimal(20) * Decimal(str(round(merit, 3))) * SHARES[q]).quantize(Decimal("0.01"))
                entries.append({"report_id": rid, "target_id": i * TARGETS + k + 1, "actual": value, "product_delivered": "", "narrative": "",
                                "confidence": 4, "updated_at": now})
        task_points = min(70.0, 70 * merit)
        done = TARGETS if merit >= 1 else rng.randint(3, TARGETS)
        for m in range(members):
            general = min(30.0, max(0.0, 24 + 40 * (merit - 0.97) + bias[m] + rng.gauss(0, 1.5)))
            total = Decimal(str(round(task_points + general, 2)))
            cards.append({"cycle_id": cycle.id, "member_id": m + 1, "registration_id": i + 1, "state": "submitted",
                          "general": {"political": "8", "ethics": "8", "discipline": "8"}, "judgements": {}, "comment": "", "saved_at": now,
                          "submitted_at": now, "reopen_reason": "", "total": total, "task_points": Decimal(str(round(task_points, 2))),
                          "general_points": total - Decimal(str(round(task_points, 2))), "level": "good", "n_targets": TARGETS, "n_done": done,
                          "n_on_time": done, "n_exceeded": rng.randint(0, 2), "n_late": TARGETS - done, "version": 1, "created_at": now})
    insert_rows(Target.__table__, targets)
    insert_rows(QuarterlyReport.__table__, reports)
    insert_rows(ReportEntry.__table__, entries)
    insert_rows(Scorecard.__table__, cards)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        for table in ("scorecard", "subject", "registration", "target", "report_entry", "quarterly_report"):
            db.session.execute(text(f"ANALYZE {table}"))
    else:
        db.session.execute(text("ANALYZE"))
    db.session.commit()
    return cycle.id


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def export_memory(url: str, cycle_id: int) -> dict:
    """Write the workbook in a fresh process and report its memory."""
    code = f"""
import json, sys, tracemalloc, time

def high_water_mb():
    # The process's peak resident size since it started (Linux: VmHWM). getrusage's ru_maxrss
    # would carry over the benchmark's own peak through fork and exec.
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024

sys.path.insert(0, {str(ROOT)!r})
from bench.council import app_for
app = app_for({url!r})
with app.app_context():
    from workflow.council.export import write_workbook
    from workflow.cycles.models import Cycle
    from workflow.extensions import db
    cycle = db.session.get(Cycle, {cycle_id})
    before = high_water_mb()
    tracemalloc.start()
    started = time.perf_counter()
    with open({str(Path(tempfile.gettempdir()) / 'bench-council.xlsx')!r}, 'wb') as out:
        write_workbook(cycle, out)
    elapsed = time.perf_counter() - started
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({{"seconds": elapsed, "heap_peak_mb": peak / 2**20, "maxrss_mb": high_water_mb(), "maxrss_before_mb": before}}))
"""
    # A second run without tracemalloc for the time and the resident size it really needs.
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    traced = json.loads(result.stdout.strip().splitlines()[-1])
    plain = subprocess.run([sys.executable, "-c", code.replace("tracemalloc.start()", "").replace("current, peak = tracemalloc.get_traced_memory()", "peak = 0").replace("tracemalloc.stop()", "")],
                           capture_output=True, text=True, check=True)
    untraced = json.loads(plain.stdout.strip().splitlines()[-1])
    return {"heap_peak_mb": traced["heap_peak_mb"], "maxrss_mb": untraced["maxrss_mb"], "maxrss_before_mb": untraced["maxrss_before_mb"],
            "seconds": untraced["seconds"], "size_mb": (Path(tempfile.gettempdir()) / "bench-council.xlsx").stat().st_size / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--heads", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--no-export", action="store_true", help="skip the Excel export")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = database(args.database_url, Path(tmp))
        app = app_for(url)
        try:
            with app.app_context():
                from workflow.council.proposals import compute
                from workflow.cycles.models import Cycle
                from workflow.extensions import db

                started = time.perf_counter()
                cycle_id = fill(args.heads, args.members)
                print(f"{args.heads:,} heads × {args.members} members ({args.heads * args.members:,} scorecards), {db.engine.dialect.name}; "
                      f"inserted in {time.perf_counter() - started:.1f} s")
                db.session.remove()
                import gc

                gc.collect()
                cycle = db.session.get(Cycle, cycle_id)
                query = text("SELECT registration_id, ROUND(AVG(total), 2) FROM scorecard WHERE cycle_id = :c AND state = 'submitted' GROUP BY registration_id")
                assert len(db.session.execute(query, {"c": cycle_id}).all()) == args.heads
                # What SQL alone can do of the same work: every head with its unit and group, the
                # mean, count, lowest, highest and the mean of squares (for the spread) of its
                # members' totals, and the counts the levels look at, in the list's order.
                full = text(
                    "SELECT r.id, u.name, g.name, r.head_id, ROUND(AVG(s.total), 2), COUNT(s.id), MIN(s.total), MAX(s.total), "
                    "AVG(s.total * s.total), ROUND(AVG(s.n_targets)), ROUND(AVG(s.n_done)), ROUND(AVG(s.n_on_time)), ROUND(AVG(s.n_exceeded)) "
                    "FROM registration r JOIN unit u ON u.id = r.unit_id JOIN unit_group g ON g.id = u.group_id "
                    "LEFT JOIN scorecard s ON s.registration_id = r.id AND s.state = 'submitted' "
                    "WHERE r.cycle_id = :c AND r.state = 'assigned' GROUP BY r.id, u.name, g.name, r.head_id, g.position "
                    "ORDER BY g.position, u.name, r.id")
                assert len(db.session.execute(full, {"c": cycle_id}).all()) == args.heads
                panel = compute(cycle)
                counts = ", ".join(f"{k} {v}" for k, v in panel.proposals.counts().items())
                print(f"  proposed: {counts}; flagged for discussion {len(panel.proposals.flagged())}")
                council_times, sql_times, full_times = [], [], []
                for _ in range(args.repeat):
                    db.session.expire_all()
                    council_times.append(timed(lambda: compute(cycle)))
                    sql_times.append(timed(lambda: db.session.execute(query, {"c": cycle_id}).all()))
                    full_times.append(timed(lambda: db.session.execute(full, {"c": cycle_id}).all()))
                best = min(council_times)
                print(f"  council proposals (queries + engine)       {best * 1000:8.1f} ms  (median {statistics.median(council_times) * 1000:.1f})")
                print(f"  SQL: GROUP BY head, AVG, fetched           {min(sql_times) * 1000:8.1f} ms  (median {statistics.median(sql_times) * 1000:.1f})"
                      f"  ratio {best / min(sql_times):.2f} ({'within' if best / min(sql_times) <= 3 else 'ABOVE'} the goal of 3)")
                print(f"  SQL: heads, mean, spread, counts, fetched  {min(full_times) * 1000:8.1f} ms  (median {statistics.median(full_times) * 1000:.1f})"
                      f"  ratio {best / min(full_times):.2f} ({'within' if best / min(full_times) <= 3 else 'ABOVE'} the goal of 3)")
                db.session.remove()
            if not args.no_export:
                memory = export_memory(url, cycle_id)
                verdict = "within" if memory["maxrss_mb"] <= 300 else "ABOVE"
                print(f"  Excel export: {memory['seconds']:.1f} s, {memory['size_mb']:.1f} MB file; peak Python heap {memory['heap_peak_mb']:.0f} MB; "
                      f"process max resident {memory['maxrss_mb']:.0f} MB (of which {memory['maxrss_before_mb']:.0f} MB before the export) — {verdict} the goal of 300 MB")
        finally:
            with app.app_context():
                from workflow.extensions import db

                db.engine.dispose()
            if args.database_url:
                engine = create_engine(args.database_url)
                with engine.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                engine.dispose()


if __name__ == "__main__":
    main()
