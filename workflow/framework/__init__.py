"""The evaluation framework: tracks (nhóm đối tượng), subjects (đối tượng đánh giá) and periods
(kỳ đánh giá), and the seam through which evidence sources give facts to the engine.

- `models.py`: the tables; `rules.py`: `[tracks]` in the rules file; `periods.py`: a cycle's
  periods per track (pure); `operations.py`: every change; `queries.py`: reads;
- `sources.py`: the registry of evidence sources (discipline today; ratings, opinions, votes
  plug in the same way) and `evidence_for`, which the council reads;
- `api.py`, `schemas.py`: the API (the administrators' pages are `workflow.admin.tracks`).

docs/architecture.md describes the design with a worked example.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow import rules
    from workflow.core.api import register
    from workflow.framework import api, demo, models  # noqa: F401  (demo: registers its step; the pages are in workflow.admin.tracks)
    from workflow.framework.rules import TracksRulesSchema

    rules.section("tracks", TracksRulesSchema)
    register(api.blp)
