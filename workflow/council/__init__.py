"""The advisory council (Hội đồng tư vấn) and the standing committee's classification: council
seats and conflicts, scorecards, the proposals, the session, decisions, publication and
objections, the exports.

- `models.py`: the tables; `workflow.py`: the steps; `operations.py`: every change;
- `rules.py`: the `[council]` rules section, and the rubric snapshotted when scoring opens;
- `inputs.py`: from the year's reports (`workflow.reports.facts`) to the engine's inputs;
- `proposals.py`: the panel, levels and quota for the whole cycle (`workflow.scoring.engine`);
- `queries.py`: membership, recusal, progress, decisions in force;
- `views.py`, `api.py`, `schemas.py`, `presenters.py`: pages and the API;
- `export.py` (Excel), `sheet.py` (the printable evaluation sheet, PDF);
- `mail.py`: e-mail; `dashboard.py`: home-page panels; `demo.py`: the 2025 demo cycle.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow import rules
    from workflow.core.api import register
    from workflow.council import api, collectives, dashboard, demo, models, views  # noqa: F401  (collectives, dashboard, demo: register on import)
    from workflow.council.rules import CouncilRulesSchema

    rules.section("council", CouncilRulesSchema)
    app.register_blueprint(views.bp)
    register(api.blp)
