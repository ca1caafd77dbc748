"""Monthly self-scoring of collectives (tự chấm điểm hằng tháng của tập thể) and its recognition
by the committee above (cấp ủy công nhận) — the 12-month rule of Hòa Bình (Hướng dẫn số 12,
Quy định số 31 của BTV Tỉnh ủy, 2018): a collective without every required month recognised is
not classified at the year's end.

- `models.py`: one row per collective, cycle and month; `workflow.py`: the steps;
- `operations.py`: save, submit, recognise, return (audited, mail queued: `mail.py`);
- `jobs.py`: on a month's last two working days, the collectives reminded of the months not
  submitted and their recognisers of the months waiting;
- `standing.py`: the months recognised and what they mean at the year's end, read by the council;
- `views.py`, `api.py`, `schemas.py`: the collective's year, the months waiting for recognition,
  the API; `demo.py`: months for the demo province's collectives.

The rule is `[tracks.collectives.self_scoring]` in the rules file (`workflow.framework.rules`).
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.core.api import register
    from workflow.selfscoring import api, demo, jobs, models, views  # noqa: F401  (demo, jobs register themselves)

    app.register_blueprint(views.bp)
    register(api.blp)
