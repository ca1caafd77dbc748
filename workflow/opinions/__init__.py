"""Opinions from above and below (lấy ý kiến đánh giá đa chiều — Hòa Bình, Hướng dẫn 14-HD/BTCTU):
before the council or the manager scores, the direct superior (on its own field) and the direct
subordinates — peers only where a track asks them — give their opinion of each leader and
collective, criterion by criterion, on the rules' scale.

- `models.py`: rounds, subjects, respondents, counts and comments (the anonymity design is there);
- `rules.py`: `[opinions]` in the rules file, per-track overrides, copied into each round;
- `results.py`: means, the threshold and the gap (pure); `queries.py`: reads;
- `operations.py`: every change; `facts.py`: the evidence source `opinions`; `jobs.py`: the
  request and reminders of each round's window;
- `views.py`: the secretary's pages, the respondent's form, the dossier panel (`templates/
  opinions/`); `api.py`, `schemas.py`: the API (rounds, response rates, results); `demo.py`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow import rules
    from workflow.core.api import register
    from workflow.opinions import api, demo, facts, jobs, models, views  # noqa: F401  (demo, facts, jobs register themselves)
    from workflow.opinions.rules import OpinionRulesSchema

    rules.section("opinions", OpinionRulesSchema)
    app.register_blueprint(views.bp)
    register(api.blp)
