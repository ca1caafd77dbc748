"""Confidence votes (lấy phiếu tín nhiệm, bỏ phiếu tín nhiệm — Quy định 96-QĐ/TW, Nghị quyết
96/2023/QH15) and secret-ballot classification in Party cells, on one ballot engine.

- `models.py`: rounds, people voted on, those summoned, the counting board, paper counts,
  electronic codes, ballots and receipts, results, follow-ups (the secrecy design is there);
- `rules.py`: `config/votes.toml` (forms, profiles, thresholds), copied into each round;
- `results.py`: counts, shares, thresholds and levels (pure); `queries.py`: reads;
- `workflow.py`: the round's steps; `operations.py`: every change; `facts.py`: the evidence
  source `votes`; `jobs.py`: reminders of open follow-ups; `pdf.py`: ballots, codes, minutes;
- `views.py`: the organisers' pages and the voters' ballot page; `api.py`, `schemas.py`: the
  API (rounds, results, steps); `demo.py`: a mid-term round.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.core.api import register
    from workflow.votes import api, demo, facts, jobs, models, views  # noqa: F401  (demo, facts, jobs register themselves)

    app.register_blueprint(views.bp)
    app.register_blueprint(views.ballot_bp)
    register(api.blp)
