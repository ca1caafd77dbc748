"""Quarterly reports (báo cáo quý): each quarter every head with an assigned registration
reports on every target in force; staff accept or return the report; obstacles and requests
for support are answered with directions; staff and the committee monitor the year.

- `models.py`: reports, entries, evidence, versions, requests and directions;
- `workflow.py`: the steps; `operations.py`: every change; `progress.py`: progress, status
  and forecast (pure); `evidence.py`: file types from content, storage;
- `facts.py`: what the year's accepted reports say, for the council (the contract);
- `jobs.py`: the scheduler jobs (open windows, reminders, escalation); `mail.py`: event mail;
- `views.py`, `api.py`, `schemas.py`, `monitoring.py`, `export.py`: pages, API, the
  monitoring matrix and the Excel workbook; `dashboard.py`, `demo.py`.

The `reports` section of the rules file is declared in `rules.py`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow import rules
    from workflow.core.api import register
    from workflow.reports import api, dashboard, demo, jobs, models, views  # noqa: F401  (dashboard, demo, jobs register themselves)
    from workflow.reports.rules import ReportRulesSchema

    rules.section("reports", ReportRulesSchema)
    app.register_blueprint(views.bp)
    register(api.blp)
