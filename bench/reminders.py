#!/usr/bin/env python
"""Reminders at scale: one `run-once` (every scheduler job, as `kpi scheduler run-once --at`
runs them) at the moment every head's "due in 7 days" reminder falls due, against one
hand-written `INSERT … SELECT` that writes the same outbox rows. The goal: within 5×.

    .venv/bin/python bench/reminders.py                       # 10,000 heads × 10 targets, SQLite
    .venv/bin/python bench/reminders.py --database-url postgresql+psycopg://postgres@127.0.0.1/kpi_reports

The data is made with bulk INSERTs (`tests/bulk.py`): heads with their role, assigned
registrations, targets, and the first quarter's draft reports (so `reports.open_windows` finds
nothing left to open). The hand-written statement renders the message once and fills in each
person's name, unit and link with SQL `replace()`, exactly the rows the job writes (text, HTML
with the names escaped, and the .ics with each person's UID). The SMTP server is unreachable,
so the dispatcher's share of the tick is one refused connection: what is measured is finding
who is due and writing their messages. On PostgreSQL the benchmark uses a schema of its own
(bench_reminders), dropped afterwards.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, delete, func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from dispatch import database, free_port  # noqa: E402
from workflow import create_app  # noqa: E402

SCHEMA = "bench_reminders"


def hand_written(cycle, window, kind, sequence, now):
    """The INSERT … SELECT a person would write for the same rows, and its parameters."""
    from workflow.notifications.bulk import render_once, token
    from workflow.reports.jobs import PER_PERSON, deadline_ics, reminder_context
    from workflow.notifications.keys import reminder_key

    subject, body_text, body_html = render_once("report_reminder", reminder_context(cycle, window, kind), PER_PERSON, "vi")
    ics_text = deadline_ics(cycle, window, sequence, now)

    def fill(column: str, escaped: bool) -> str:
        name, units = "p.full_name", "u.name"
        if escaped:
            for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;"), ("'", "&#39;")):
                quoted = a.replace("'", "''")
                name, units = f"replace({name}, '{quoted}', '{b}')", f"replace({units}, '{quoted}', '{b}')"
        return (f"replace(replace(replace(:{column}, :t_full_name, {name}), :t_units, {units}), :t_path, "
                f"'reports/' || CAST(r.id AS VARCHAR))")

    sql = f"""
        INSERT INTO notification (recipient_id, to_address, locale, kind, dedup_key, cycle_id, quarter, subject, body_text,
                                  body_html, ics, ics_filename, state, attempts, deferrals, next_attempt_at, last_error, created_at)
        SELECT p.id, p.email, 'vi', :kind, :key || CAST(p.id AS VARCHAR), :cycle_id, :quarter, :subject, {fill('body_text', False)},
               {fill('body_html', True)}, replace(:ics, 'KPIPERSONID', CAST(p.id AS VARCHAR)), :ics_filename, 'pending', 0, 0, :now, '', :now
        FROM registration g
        JOIN unit u ON u.id = g.unit_id
        JOIN role_grant rg ON rg.unit_id = g.unit_id AND rg.role = 'head'
        JOIN person p ON p.id = rg.person_id AND p.active
        LEFT JOIN quarterly_report r ON r.registration_id = g.id AND r.quarter = :quarter
        WHERE g.cycle_id = :cycle_id AND g.state = 'assigned' AND (r.id IS NULL OR r.first_submitted_at IS NULL)
    """
    params = {
        "kind": kind, "key": reminder_key(0, cycle, window.quarter, kind).rsplit(":", 1)[0] + ":", "cycle_id": cycle.id,
        "quarter": window.quarter, "subject": subject, "body_text": body_text, "body_html": body_html, "ics": ics_text,
        "ics_filename": f"han-bao-cao-quy-{window.quarter}-{cycle.year}.ics", "now": now.astimezone(UTC).replace(tzinfo=None),
        "t_full_name": token("full_name"), "t_units": token("units"), "t_path": token("path"),
    }
    return text(sql), params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--heads", type=int, default=10_000)
    parser.add_argument("--targets", type=int, default=10)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs of each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = database(args.database_url, Path(tmp), SCHEMA)
        app = create_app(overrides={"env": "testing", "database_url": url, "secret_key": "bench-secret-key-long-enough-to-pass-checks",
                                    "smtp_host": "127.0.0.1", "smtp_port": free_port(),  # nothing listens there: the server is unreachable "smtp_timeout_seconds": 2,
                                    "upload_dir": str(Path(tmp) / "uploads"), "base_url": "https://kpi.vinhphuc.gov.vn"})
        with app.app_context():
            run(app, args)
        if args.database_url:
            engine = create_engine(args.database_url)
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            engine.dispose()


def run(app, args) -> None:
    from flask_migrate import upgrade

    import bulk
    from scheduler.runner import run_tick
    from workflow.calendar import WorkingCalendar, calendar_rules
    from workflow.cycles.models import Cycle, CycleState
    from workflow.extensions import db
    from workflow.notifications.models import Notification
    from workflow.reports.jobs import schedule_of
    from workflow.reports.models import ReportState
    from workflow.reports.rules import report_rules
    from workflow.rules import load_rules

    upgrade()
    rules = load_rules("config/rules/default.toml")
    cycle = Cycle(year=2027, name="Năm 2027", starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31), state=CycleState.EXECUTION,
                  rules_version=rules["version"], rules=rules)
    db.session.add(cycle)
    db.session.flush()
    cal = WorkingCalendar(calendar_rules(cycle))
    window = cal.window(2027, 1)
    started = time.perf_counter()
    bulk.province(cycle, args.heads, targets=args.targets, report_quarter=1, report_state=ReportState.DRAFT, due_on=window.due_on, entries=False)
    db.session.commit()
    print(f"{db.engine.dialect.name}: {args.heads:,} heads × {args.targets} targets made in {time.perf_counter() - started:.1f}s")
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    schedule = schedule_of(cal, window, report_rules(cycle))
    kinds = [k for k, _ in schedule]
    kind = "report_due_in_7"
    moment = dict(schedule)[kind] + timedelta(hours=1)

    def clear() -> None:
        db.session.execute(delete(Notification))
        db.session.commit()

    baseline, tick = [], []
    for _ in range(args.repeat):
        clear()
        stmt, params = hand_written(cycle, window, kind, kinds.index(kind), moment)
        started = time.perf_counter()
        db.session.execute(stmt, params)
        db.session.commit()
        baseline.append(time.perf_counter() - started)
        written = db.session.scalar(select(func.count()).select_from(Notification))
        assert written == args.heads, written
        sample_sql = db.session.scalars(select(Notification).order_by(Notification.recipient_id).limit(1)).one()
        sample_sql = (sample_sql.subject, sample_sql.body_text, sample_sql.body_html, sample_sql.ics)
        clear()
        started = time.perf_counter()
        result = run_tick(moment, holder="bench:1:reminders")
        tick.append(time.perf_counter() - started)
        counts = {r.job: r.counts for r in result.runs}
        assert counts["reports.remind"]["queued"] == args.heads, counts
        sample_job = db.session.scalars(select(Notification).order_by(Notification.recipient_id).limit(1)).one()
        # The same rows: the baseline is an honest one.
        assert (sample_job.subject, sample_job.body_text, sample_job.body_html,
                sample_job.ics.replace(_stamp(sample_job.ics), "")) == (sample_sql[0], sample_sql[1], sample_sql[2], sample_sql[3].replace(_stamp(sample_sql[3]), ""))
        from scheduler import lease

        lease.release("bench:1:reminders")
    best_sql, best_tick = min(baseline), min(tick)
    print(f"INSERT … SELECT of {args.heads:,} reminders: {best_sql:.3f}s (best of {args.repeat})")
    print(f"run-once finding and queueing them:   {best_tick:.3f}s (best of {args.repeat}); per job: "
          + ", ".join(f"{r.job} {r.seconds:.3f}s" for r in result.runs))
    ratio = best_tick / best_sql
    print(f"ratio: {ratio:.2f}× (goal: within 5×) — {'met' if ratio <= 5 else 'NOT met'}")


def _stamp(ics: str) -> str:
    """The DTSTAMP line differs by the instant each was made."""
    return next(line for line in ics.splitlines() if line.startswith("DTSTAMP"))


if __name__ == "__main__":
    main()
