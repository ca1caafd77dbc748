"""Citizens' ratings of the service at the one-stop counter (issue 14; HCMC District 1: 48,310
ratings on tablets in 2023, a "không hài lòng" looked into and leading to a reminder, a
criticism or a lower quarterly emulation rating).

- `models.py`: counters, devices, ratings, cases; `rules.py`: `[ratings]` in the rules file;
- `operations.py`: every change (counters, devices, receiving ratings once each, answering a
  case); `imports.py`: CSV and Excel files; `months.py`: each unit's and official's month of
  ratings kept beside them; `queries.py`: the figures by unit, official, month (from those);
  `cli.py`: `kpi ratings-recount`;
- `photos.py`: the photo of the official on duty the kiosk shows; `qr.py`: a dossier's rating
  link and its QR code (API, printed slip);
- `evidence.py`: the `ratings` evidence source; `jobs.py`: reminders and escalation of cases;
- `views.py` (counters, kiosk, QR page, cases, dashboard, import), `api.py` (devices),
  `schemas.py`, `display.py`, `demo.py`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow import rules
    from workflow.core.api import register
    from workflow.ratings import api, cli, dashboard, demo, evidence, jobs, models, views  # noqa: F401  (dashboard, demo, evidence, jobs register themselves)
    from workflow.ratings.rules import RatingRulesSchema

    rules.section("ratings", RatingRulesSchema)
    app.register_blueprint(views.bp)
    register(api.blp)
    app.cli.add_command(cli.recount_command)
