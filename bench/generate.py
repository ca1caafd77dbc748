#!/usr/bin/env python
"""A province at scale for the benchmarks of pages: N heads (10,000 by default) with 10
targets each, in a database of its own.

    .venv/bin/python bench/generate.py                          # bench/out/province.sqlite3
    .venv/bin/python bench/generate.py --heads 10000 --targets 10 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/kpi_bench

The schema is made by the application's migrations (what `kpi db upgrade` runs), then the rows
by bulk INSERTs (`tests/bulk.py`): two cycles, 2026 in execution (every registration assigned)
and 2027 in registration, each unit's 2027 targets continuing its 2026 ones (so the warnings
compare with last year's results). The 2027 registrations are in a realistic mix of states
(draft 20 %, submitted 30 %, forwarded to the committee 15 %, returned 10 %, assigned 25 %); a
tenth of those under review carry two comments and an open proposal of their staff officer.
Twenty staff officers (chuyenvien1…) follow the units in turn, with five committee members
(thuongvu1…) and an administrator (quantri), all with the password PASSWORD below.

On PostgreSQL everything lives in a schema of its own (bench_province), made afresh on each
run and left in place for `bench/lists.py`; the SQLite file is likewise replaced.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from dispatch import fresh_schema, with_schema  # noqa: E402
from workflow import create_app  # noqa: E402

OUT = ROOT / "bench" / "out"
DEFAULT_URL = f"sqlite:///{OUT / 'province.sqlite3'}"
SCHEMA = "bench_province"
PASSWORD = "bench-password-2027"
STAFF = 20
COMMITTEE = 5
SECRET_KEY = "bench-secret-key-that-is-long-enough-to-pass-the-checks"
# Twenty registrations in a row, in the shares the docstring gives.
STATE_MIX = ["draft"] * 4 + ["submitted"] * 6 + ["reviewed"] * 3 + ["returned"] * 2 + ["assigned"] * 5


def database_url(url: str, *, fresh: bool = False, schema: str = SCHEMA) -> str:
    """The URL the application is given: on PostgreSQL the bench schema first on the search
    path (with `fresh`, dropped and made again); a SQLite file (with `fresh`, removed)."""
    if not url.startswith("sqlite"):
        return fresh_schema(url, schema) if fresh else with_schema(url, schema)
    if fresh:
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
    return url


def app_for(url: str):
    return create_app(overrides={"env": "testing", "database_url": url, "secret_key": SECRET_KEY})


def people(role, prefix: str, count: int, title: str, password_hash: str) -> list[int]:
    import bulk
    from workflow.accounts.models import Person, RoleGrant

    ids = bulk.insert_rows(Person, [
        {"username": f"{prefix}{i}", "full_name": f"{title} {i}", "email": f"{prefix}{i}@vinhphuc.gov.vn", "title": title,
         "locale": "vi", "password_hash": password_hash}
        for i in range(1, count + 1)
    ], ids=True)
    bulk.insert_rows(RoleGrant, [{"person_id": p, "role": role} for p in ids])
    return ids


def build(heads: int, targets: int, seed: int = 2027) -> dict[str, int]:
    """Fill an empty, migrated database; returns how many rows of each kind were made."""
    import bulk
    from workflow.accounts.models import Role
    from workflow.accounts.passwords import hash_password
    from workflow.cycles.models import CycleState
    from workflow.cycles.operations import create_cycle
    from workflow.extensions import db
    from workflow.targets.models import ChangeKind, Comment, Proposal, RegistrationState, Target

    rng = random.Random(seed)
    password_hash = hash_password(PASSWORD)
    staff_ids = people(Role.STAFF, "chuyenvien", STAFF, "Chuyên viên Ban Tổ chức", password_hash)
    people(Role.COMMITTEE, "thuongvu", COMMITTEE, "Ủy viên Ban Thường vụ", password_hash)
    people(Role.ADMIN, "quantri", 1, "Quản trị hệ thống", password_hash)
    from workflow import policy
    from workflow.units.models import UnitGroup

    group_ids = bulk.insert_rows(UnitGroup, [
        {"code": code, "name": name, "position": i}
        for i, (code, name) in enumerate([("SO-NGANH", "Sở, ban, ngành"), ("HUYEN-TP", "Huyện, thành phố"), ("DANG", "Khối Đảng"),
                                          ("MTTQ-DT", "Mặt trận, đoàn thể")])
    ], ids=True)
    unit_ids, head_ids = bulk.units_with_heads(heads, staff_ids=staff_ids, prefix="DV", group_ids=group_ids)
    last_year = create_cycle(2026, actor=policy.SYSTEM, state=CycleState.EXECUTION)
    db.session.flush()
    _, previous_targets = bulk.registrations(last_year, unit_ids, head_ids, targets=targets, target_ids=True)
    cycle = create_cycle(2027, actor=policy.SYSTEM, state=CycleState.REGISTRATION)
    db.session.flush()
    # In those shares overall, in no pattern (so that no officer follows only drafts).
    mix = [RegistrationState(s) for s in STATE_MIX] * -(-heads // len(STATE_MIX))
    rng.shuffle(mix)
    registration_ids, _ = bulk.registrations(cycle, unit_ids, head_ids, targets=targets, states=mix, previous_target_ids=previous_targets)
    under_review = [(r, unit_ids[i]) for i, r in enumerate(registration_ids)
                    if mix[i] in (RegistrationState.SUBMITTED, RegistrationState.REVIEWED)]
    discussed = under_review[::10]
    officer = {u: staff_ids[i % len(staff_ids)] for i, u in enumerate(unit_ids)}
    first_target = dict(db.session.execute(
        select(Target.registration_id, Target.id).where(Target.registration_id.in_([r for r, _ in discussed]), Target.position == 1)
    ).all()) if discussed else {}
    bulk.insert_rows(Comment, [
        {"registration_id": r, "author_id": officer[u], "body": body, "target_id": first_target[r] if k else None}
        for r, u in discussed
        for k, body in enumerate(["Đề nghị làm rõ cơ sở xác định giá trị mục tiêu.", "Kế hoạch quý chưa sát với mục tiêu năm."])
    ])
    bulk.insert_rows(Proposal, [
        {"registration_id": r, "kind": ChangeKind.CHANGE, "target_id": first_target[r], "values": {"target_value": "105"},
         "reason": "Mục tiêu cần cao hơn kết quả năm trước.", "author_id": officer[u]}
        for r, u in discussed
    ])
    db.session.commit()
    return {"heads": heads, "registrations": 2 * heads, "targets": 2 * heads * targets, "discussed": len(discussed),
            "staff": STAFF, "committee": COMMITTEE}



# --- a civil service: the monthly round at scale ---------------------------------------------------

CIVIL_SCHEMA = "bench_civil"
CIVIL_SQLITE = f"sqlite:///{OUT / 'civil.sqlite3'}"
PRODUCTS = ("Hồ sơ thẩm định", "Báo cáo chuyên đề", "Văn bản tham mưu", "Kết quả kiểm tra", "Tổng hợp số liệu")
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
# Each servant's general criteria (of 10 each), in turn: enough spread for every level and the quota.
GENERAL = [{"political": p, "competence": c, "innovation": i} for p, c, i in
           (("9.5", "9.5", "9"), ("9", "8.5", "8"), ("8", "8", "7.5"), ("7", "6.5", "6"), ("9", "9", "9.5"), ("8.5", "8", "8"), ("5", "4", "4"))]


def civil_database_url(url: str | None, *, fresh: bool = False) -> str:
    """Where the civil service lives: the schema bench_civil on PostgreSQL, else
    bench/out/civil.sqlite3 (with `fresh`, made anew)."""
    return database_url(url or CIVIL_SQLITE, fresh=fresh, schema=CIVIL_SCHEMA)


def _numbers(count: int) -> None:
    """bench_number(i) for i in 0 … count - 1, the rows every INSERT … SELECT below draws from."""
    from workflow.extensions import db

    db.session.execute(text("DROP TABLE IF EXISTS bench_number"))
    db.session.execute(text("CREATE TABLE bench_number (i INTEGER PRIMARY KEY)"))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("INSERT INTO bench_number SELECT generate_series(0, :n - 1)"), {"n": count})
    else:
        db.session.execute(text("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :n) "
                                "INSERT INTO bench_number SELECT i FROM n"), {"n": count})


def civil_service(servants: int, units: int, *, months: int = 12) -> dict[str, Any]:
    """Fill a migrated database with a civil service: `units` agencies (each with its head), and
    `servants` civil servants spread evenly over them (the first of each agency a team leader
    who manages half of it; the head manages the rest), each with the 2026 cycle's `months`
    months of five products — months 1 … months-2 approved with their points, the one before
    last self-assessed (waiting for the manager's assessment), the last assigned (waiting for
    the self-assessment) — and the general criteria of the year scored. One INSERT … SELECT a
    table (the year's rows by executemany), so 300,000 servants take minutes, not hours.
    Returns the counts and a few ids the benchmarks start from."""
    import bulk
    from workflow import policy
    from workflow.accounts.models import Role
    from workflow.cycles.operations import create_cycle
    from workflow.extensions import db
    from workflow.framework import queries as framework
    from workflow.monthly.models import Product, YearResult
    from workflow.monthly.queries import month_periods
    from workflow.monthly.scoring import rubric_of
    from workflow.units.models import UnitGroup

    per_unit = max(2, servants // units)
    servants = per_unit * units
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def step(name: str, sql: str, **params: Any) -> None:
        at = time.perf_counter()
        db.session.execute(text(sql), {"now": now, **params})
        timings[name] = time.perf_counter() - at

    from workflow.core.models import utcnow

    now = utcnow().replace(tzinfo=None)
    _numbers(max(servants, units))
    groups = bulk.insert_rows(UnitGroup, [{"code": code, "name": name, "position": i} for i, (code, name) in enumerate(
        [("SO-NGANH", "Sở, ban, ngành"), ("HUYEN", "Ủy ban nhân dân cấp huyện"), ("XA", "Ủy ban nhân dân cấp xã"), ("KHAC", "Cơ quan khác")])], ids=True)
    cycle = create_cycle(2026, actor=policy.SYSTEM)
    db.session.flush()
    track = framework.track("civil_servants")
    periods = month_periods(cycle.id)[:months]
    products = bulk.insert_rows(Product, [{"unit_id": None, "code": f"SP-{n + 1}", "name": name, "measure": "sản phẩm", "coefficient": Decimal(n % 3 + 1),
                                           "group": "Nhiệm vụ chuyên môn"} for n, name in enumerate(PRODUCTS)], ids=True)
    true = "TRUE" if db.engine.dialect.name == "postgresql" else "1"
    false = "FALSE" if db.engine.dialect.name == "postgresql" else "0"
    surname = "CASE n.i % 10 " + " ".join(f"WHEN {k} THEN '{s}'" for k, s in enumerate(SURNAMES)) + " END"
    step("unit", f"""INSERT INTO unit (code, name, group_id, active, created_at, version)
        SELECT 'CQ-' || CAST(n.i AS VARCHAR(12)), 'Cơ quan số ' || CAST(n.i AS VARCHAR(12)), :g0 + n.i % 4, {true}, :now, 1
        FROM bench_number n WHERE n.i < :units""", g0=groups[0], units=units)
    step("person (heads)", f"""INSERT INTO person (username, full_name, email, title, unit_id, locale, password_hash, must_change_password, active, created_at, version)
        SELECT 'thutruong' || CAST(n.i AS VARCHAR(12)), {surname} || ' Văn Thủ ' || CAST(n.i AS VARCHAR(12)),
               'thutruong' || CAST(n.i AS VARCHAR(12)) || '@bench.gov.vn', 'Thủ trưởng', u.id, 'vi', '', {false}, {true}, :now, 1
        FROM bench_number n JOIN unit u ON u.code = 'CQ-' || CAST(n.i AS VARCHAR(12)) WHERE n.i < :units""", units=units)
    step("role_grant", f"""INSERT INTO role_grant (person_id, role, unit_id, created_at)
        SELECT p.id, '{Role.HEAD.value}', p.unit_id, :now FROM person p WHERE p.username LIKE 'thutruong%'""")
    # The servants: the first of each agency (its team leader) before the others, whose manager
    # they are for the first half of the agency.
    for name, where, manager in (("person (leaders)", "n.i % :k = 0", "NULL"),
                                 ("person (servants)", "n.i % :k > 0",
                                  "CASE WHEN n.i % :k <= :k / 2 THEN (SELECT l.id FROM person l WHERE l.username = 'cc' || CAST(n.i - n.i % :k AS VARCHAR(12))) END")):
        step(name, f"""INSERT INTO person (username, full_name, email, title, unit_id, manager_id, locale, password_hash, must_change_password, active, created_at, version)
            SELECT 'cc' || CAST(n.i AS VARCHAR(12)), {surname} || ' Thị ' || CAST(n.i AS VARCHAR(12)), 'cc' || CAST(n.i AS VARCHAR(12)) || '@bench.gov.vn',
                   CASE WHEN n.i % :k = 0 THEN 'Trưởng phòng' ELSE 'Chuyên viên' END, u.id, {manager},
                   CASE WHEN n.i % 50 = 7 THEN 'en' ELSE 'vi' END, '', {false}, {true}, :now, 1
            FROM bench_number n JOIN unit u ON u.code = 'CQ-' || CAST(n.i / :k AS VARCHAR(12))
            WHERE n.i < :servants AND {where}""", k=per_unit, servants=servants)
    step("subject", f"""INSERT INTO subject (track_id, kind, unit_id, person_id, title, active, created_at, version)
        SELECT :track, 'person', p.unit_id, p.id, '', {true}, :now, 1 FROM person p WHERE p.username LIKE 'cc%' ORDER BY p.id""", track=track.id)
    last = periods[-1].number
    step("monthly_plan", f"""INSERT INTO monthly_plan (subject_id, period_id, state, agreed_at, self_assessed_at, self_note, assessed_at, manager_note,
            without_self_assessment, approved_at, returned_reason, self_points, points, rubric_version, created_at, version)
        SELECT s.id, m.id, CASE WHEN m.number = :last THEN 'agreed' WHEN m.number = :last - 1 THEN 'self_assessed' ELSE 'approved' END,
               :now, CASE WHEN m.number < :last THEN :now END, '', CASE WHEN m.number < :last - 1 THEN :now END, '', {false},
               CASE WHEN m.number < :last - 1 THEN :now END, '',
               CASE WHEN m.number < :last THEN 45 + (s.id * 37 + m.number * 11) % 2500 / 100.0 END,
               CASE WHEN m.number < :last - 1 THEN 40 + (s.id * 53 + m.number * 17) % 3000 / 100.0 END, :rubric, :now, 1
        FROM subject s JOIN period m ON m.id IN ({", ".join(str(p.id) for p in periods)})
        WHERE s.track_id = :track ORDER BY s.id, m.number""", last=last, track=track.id, rubric=rubric_of(cycle).version)
    step("monthly_line", f"""INSERT INTO monthly_line (plan_id, position, product_id, origin, name, measure, coefficient, quantity, quality_standard, due_on,
            recurring, delivered_quantity, delivered_on, evidence_link, note, assessed_quantity, assessed_on, errors, delays, result_percent)
        SELECT pl.id, n.i + 1, pr.id, 'assigned', pr.name, pr.measure, pr.coefficient, 4, '', m.ends_on, CASE WHEN n.i < 2 THEN {true} ELSE {false} END,
               CASE WHEN pl.state <> 'agreed' THEN 4 END, CASE WHEN pl.state <> 'agreed' THEN m.ends_on END, '', '',
               CASE WHEN pl.state = 'approved' THEN 4 END, CASE WHEN pl.state = 'approved' THEN m.ends_on END, 0, 0,
               CASE WHEN pl.state = 'approved' THEN 100 END
        FROM monthly_plan pl JOIN period m ON m.id = pl.period_id JOIN bench_number n ON n.i < 5 JOIN monthly_product pr ON pr.id = :p0 + n.i
        ORDER BY pl.id, n.i""", p0=products[0])
    # The year: the direct manager scored the general criteria of nine servants in ten.
    at = time.perf_counter()
    subjects = db.session.execute(text("SELECT id FROM subject WHERE track_id = :t ORDER BY id"), {"t": track.id}).scalars().all()
    bulk.insert_rows(YearResult, [{"subject_id": s, "cycle_id": cycle.id, "general": GENERAL[s % len(GENERAL)], "general_note": "", "assessed_at": utcnow(),
                                   "case_reference": "", "reason": "", "trace": {}, "rubric_version": ""} for s in subjects if s % 10])
    timings["monthly_year"] = time.perf_counter() - at
    db.session.execute(text("DROP TABLE bench_number"))
    db.session.commit()
    at = time.perf_counter()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    timings["analyze"] = time.perf_counter() - at
    plans = servants * len(periods)
    return {"servants": servants, "units": units, "per_unit": per_unit, "months": len(periods), "plans": plans, "lines": plans * len(PRODUCTS),
            "cycle": cycle.id, "seconds": time.perf_counter() - started, "timings": timings}

def analyze() -> None:
    from workflow.extensions import db

    db.session.execute(text("ANALYZE"))
    db.session.commit()


SMALL = {"servants": 600, "units": 40}  # the suite's smoke test: seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--heads", type=int, default=10_000)
    parser.add_argument("--targets", type=int, default=10)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--civil-service", action="store_true", help="make the civil service of the monthly round instead of the province")
    parser.add_argument("--servants", type=int, default=None, help="civil servants (300,000 on PostgreSQL, 30,000 on SQLite)")
    parser.add_argument("--units", type=int, default=None, help="agencies (20,000 on PostgreSQL, 2,000 on SQLite)")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--small", action="store_true", help=f"{SMALL['servants']} servants in {SMALL['units']} agencies, for a smoke test")
    args = parser.parse_args()
    from flask_migrate import upgrade

    if args.civil_service:
        url = civil_database_url(args.database_url, fresh=True)
    else:
        url = database_url(args.database_url or DEFAULT_URL, fresh=True)
    app = app_for(url)
    with app.app_context():
        from workflow.extensions import db

        started = time.perf_counter()
        upgrade()
        migrated = time.perf_counter()
        if args.civil_service:
            postgres = db.engine.dialect.name == "postgresql"
            servants = SMALL["servants"] if args.small else args.servants or (300_000 if postgres else 30_000)
            units = SMALL["units"] if args.small else args.units or (20_000 if postgres else 2_000)
            made = civil_service(servants, units, months=args.months)
            done = time.perf_counter()
            print(f"{db.engine.dialect.name}: {made['servants']:,} civil servants in {made['units']:,} agencies ({made['per_unit']} each), "
                  f"{made['months']} months: {made['plans']:,} months, {made['lines']:,} products")
            print("  " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in made["timings"].items()))
        else:
            made = build(args.heads, args.targets)
            analyze()
            done = time.perf_counter()
            print(f"{db.engine.dialect.name}: {made['heads']:,} heads × {args.targets} targets "
                  f"({made['registrations']:,} registrations in two cycles, {made['targets']:,} targets, "
                  f"{made['discussed']:,} with comments and a proposal; {made['staff']} staff, {made['committee']} committee)")
        print(f"migrations {migrated - started:.1f} s, rows {done - migrated:.1f} s, total {done - started:.1f} s")
        db.engine.dispose()

if __name__ == "__main__":
    main()
