"""The scheduler process: `kpi scheduler run` (the service) and `kpi scheduler run-once`.

It runs beside the web workers, never inside them. Every tick (`scheduler_tick_seconds`) it runs
each registered job once, as of the tick's time, each in its own transaction, and records a
`JobRun` row (what ran, as of when, what it did, or the error) for operators and health checks.

Writing a job (the contract every package follows)
--------------------------------------------------
Register a function of the tick's time that returns counts of what it did::

    from scheduler import job
    from workflow.calendar import WorkingCalendar, calendar_rules, report_windows
    from workflow.notifications.keys import reminder_key
    from workflow.notifications.operations import notify

    @job("reports.remind", order=50)
    def send_reminders(now):
        # remind the heads whose quarterly report is due or late
        queued = 0
        for cycle in cycles_in_execution():                        # a query
            cal = WorkingCalendar(calendar_rules(cycle))
            for window in report_windows(cycle):
                schedule = cal.reminder_schedule(window, OFFSETS, on_opening="window_open")
                kind = cal.latest_reminder(schedule, now)          # None: nothing due yet
                if kind is None:
                    continue
                for head in heads_yet_to_report(cycle, window.quarter):    # a query
                    key = reminder_key(head, cycle, window.quarter, kind)
                    queued += notify(head, kind, key, "report_reminder", {"window": window},
                                     when=now, cycle=cycle, quarter=window.quarter)
        return {"queued": queued}

- **State-based**: select what is due as of `now` with a query; never count ticks or remember
  what the last run did. After downtime the first tick sees everything that fell due meanwhile,
  so catching up is one ordinary run. `kpi scheduler run-once --at …` runs every job as of any
  instant, which is how tests simulate a year.
- **Idempotent**: whatever a job creates carries a unique key enforced by the database (for
  mail, `notify` with `reminder_key`/`event_key`), so a rerun, a restart, or two schedulers at
  once never do anything twice. A job that finds its work done returns zero counts.
- **One transaction**: the runner wraps each job in `unit_of_work()`; do not commit (the
  dispatcher `notifications.send` is the one exception: it commits per batch because sending
  mail is outside the database). An exception rolls the job back, is recorded and logged, and
  the other jobs still run.
- **Order**: jobs run by `order`, then name; the dispatcher runs last (order 1000) so that
  mail queued by earlier jobs goes out in the same tick. Pass `when=now` to `notify`.

Only one scheduler acts at a time: see `lease.py`. Start a second `kpi scheduler run` as a
standby; it takes over when the active one stops renewing its lease. How monitoring and the
service manager see that it is alive: `liveness.py`.
"""

from flask import Flask

from scheduler.registry import Job, job, jobs

__all__ = ["Job", "job", "jobs"]


def init_app(app: Flask) -> None:
    from scheduler import housekeeping, liveness, models  # noqa: F401  (registers the tables, the housekeeping job, the readiness check)
    from scheduler.cli import scheduler

    app.cli.add_command(scheduler)
