"""Benchmark: a province's organisation imported from its personnel office's workbook.

Makes a workbook of 5,000 units (a province, its departments and districts, their offices and
communes), 20 positions mapped to the tracks, and 60,000 people (each unit's head, the others
reporting to their head), then times on an empty database of its own:
  (1) the preview: reading the workbook and comparing it with the database;
  (2) the first import (preview and apply): everything created, subjects and heads included;
  (3) the same file again (idempotence: nothing to write);
  (4) next month's file: 2 % transferred, 1 % departed, 1 % hired;
and, as the floor, (5) reading the workbook alone. Goal: (2) under 60 s on PostgreSQL.

    .venv/bin/python bench/directory.py [--people 60000] [--units 5000]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/kpi_bench]

On PostgreSQL everything lives in the schema bench_directory, dropped and made again.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dispatch import database  # noqa: E402
from workflow import create_app  # noqa: E402
from workflow.directory.workbook import write as workbook  # noqa: E402

SCHEMA = "bench_directory"
SECRET_KEY = "bench-secret-key-that-is-long-enough-to-pass-the-checks"
POSITIONS = [("GD", "Giám đốc", "heads", "", "có"), ("PGD", "Phó Giám đốc", "deputies", "", "không"),
             ("BT", "Bí thư Đảng ủy xã", "commune_leaders", "party_secretary_commune", "có"),
             ("CT", "Chủ tịch UBND xã", "commune_leaders", "commune_chair", "không")] + [
    (f"CV{i}", f"Chuyên viên bậc {i}", "civil_servants", "", "không") for i in range(1, 9)] + [
    (f"VC{i}", f"Viên chức hạng {i}", "public_employees", "", "không") for i in range(1, 9)]


def organisation(people: int, units: int, seed: int = 2027) -> dict[str, list[list[str]]]:
    rng = random.Random(seed)
    unit_rows = [["TINH", "Tỉnh", "", "KT", "Khối tỉnh"]]
    top = max(1, units // 100)
    for i in range(1, units):
        parent = "TINH" if i <= top else f"U{rng.randint(1, min(i - 1, top * 10)):05d}"
        unit_rows.append([f"U{i:05d}", f"Đơn vị {i}", parent, "KT" if i % 2 else "KX", "Khối xã"])
    person_rows = []
    heads: dict[str, str] = {}
    for n in range(people):
        unit = unit_rows[n % units][0]
        code = f"CB{n:06d}"
        if unit not in heads:
            heads[unit] = code
            position, manager = ("BT" if unit_rows[n % units][3] == "KX" else "GD"), ""
        else:
            position, manager = rng.choice(POSITIONS[4:])[0], heads[unit]
        person_rows.append([code, f"Cán bộ {n}", f"cb{n}@tinh.test", unit, position, manager, "01/01/2020"])
    return {"units": unit_rows, "positions": [list(p) for p in POSITIONS], "people": person_rows}


def next_month(org: dict[str, list[list[str]]], seed: int = 2028) -> dict[str, list[list[str]]]:
    """2 % of the staff move to another unit (under its head), 1 % leave, 1 % are hired."""
    rng = random.Random(seed)
    people = [list(r) for r in org["people"]]
    head_of = {r[3]: r[0] for r in people if r[5] == ""}
    staff = [r for r in people if r[5] != ""]
    for row in rng.sample(staff, len(people) // 50):
        row[3] = rng.choice(list(head_of))
        row[5] = head_of[row[3]]
    gone = {r[0] for r in rng.sample(staff, len(people) // 100)}
    kept = [r for r in people if r[0] not in gone]
    for n in range(len(people), len(people) + len(people) // 100):
        unit = rng.choice(list(head_of))
        kept.append([f"CB{n:06d}", f"Cán bộ {n}", f"cb{n}@tinh.test", unit, "CV1", head_of[unit], "01/02/2027"])
    return {**org, "people": kept}


def timed(label: str, run) -> object:
    start = time.perf_counter()
    result = run()
    print(f"{label}: {time.perf_counter() - start:.1f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=60_000)
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    org = organisation(args.people, args.units)
    first = timed(f"workbook of {args.units:,} units and {args.people:,} people written", lambda: workbook(org))
    second = workbook(next_month(org))
    print(f"file: {len(first) / 1e6:.1f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        url = database(args.database_url, Path(tmp), SCHEMA)
        app = create_app(overrides={"env": "testing", "database_url": url, "secret_key": SECRET_KEY})
        with app.app_context():
            from flask_migrate import upgrade

            from workflow import policy
            from workflow.core.transaction import unit_of_work
            from workflow.directory import operations
            from workflow.directory.reading import read_xlsx
            from workflow.extensions import db

            upgrade()
            print(f"database: {db.engine.dialect.name}")

            def run(content: bytes, *, apply: bool) -> dict:
                with unit_of_work():
                    batch = operations.preview(content, kind="xlsx", filename="bench.xlsx", actor=policy.SYSTEM)
                    if apply:
                        operations.apply(batch, actor=policy.SYSTEM)
                    return batch.preview

            timed("(5) reading the workbook alone", lambda: read_xlsx(first))
            timed("(1) preview of the first import", lambda: run(first, apply=False))
            done = timed("(2) first import, preview and apply", lambda: run(first, apply=True))
            print("    ", {sheet: {k: v for k, v in tally.items() if v} for sheet, tally in done["counts"].items()})
            again = timed("(3) the same file again", lambda: run(first, apply=True))
            print("    ", {sheet: {k: v for k, v in tally.items() if v} for sheet, tally in again["counts"].items()})
            month = timed("(4) next month's file", lambda: run(second, apply=True))
            print("    ", {sheet: {k: v for k, v in tally.items() if v} for sheet, tally in month["counts"].items()})
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
