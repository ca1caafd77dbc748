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
from pathlib import Path

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


def database_url(url: str, *, fresh: bool = False) -> str:
    """The URL the application is given: on PostgreSQL the bench schema first on the search
    path (with `fresh`, dropped and made again); a SQLite file (with `fresh`, removed)."""
    if not url.startswith("sqlite"):
        return fresh_schema(url, SCHEMA) if fresh else with_schema(url, SCHEMA)
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


def analyze() -> None:
    from workflow.extensions import db

    db.session.execute(text("ANALYZE"))
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--heads", type=int, default=10_000)
    parser.add_argument("--targets", type=int, default=10)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    from flask_migrate import upgrade

    url = database_url(args.database_url, fresh=True)
    app = app_for(url)
    with app.app_context():
        from workflow.extensions import db

        started = time.perf_counter()
        upgrade()
        migrated = time.perf_counter()
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
