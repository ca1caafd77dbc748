"""Every civil servant, every month (Nghị định 335/2025/NĐ-CP): the product catalogue of each
agency, each servant's monthly plan of products, the self-assessment, the direct manager's
assessment on one screen for the team, the head of agency's approval, and the year's task
points from the months.

- `models.py`: the tables; `workflow.py`: the month's states and steps; `operations.py`: every
  change; `queries.py`: reads; `scoring.py`: the lines as the engine's targets (the engine
  computes every figure); `catalogue.py`: reading a catalogue from Excel; `deliveries.py`: the
  products delivered imported from other systems (E-Office, one-stop, document management);
- `views.py`, `api.py`, `schemas.py`: the pages and the API; `jobs.py`: the reminders and the
  escalation to the head of agency;
  `demo.py`: months for the demo's civil servants.

What lives elsewhere: the track, its subjects and its periods (`workflow.framework`), the rubric
(`config/rubrics/335-civil-servants.toml`) and the engine (`workflow.scoring`).
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.core.api import register
    from workflow.monthly import api, dashboard, demo, jobs, models, views  # noqa: F401  (dashboard, demo, jobs: register their panel, step and job)

    app.register_blueprint(views.bp)
    register(api.blp)
