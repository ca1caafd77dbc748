"""E-mail: the outbox, its dispatcher, calendar attachments and the admins' outbox pages.

- `models.py`: the outbox table (`Notification`), one row per message, never deleted;
- `keys.py`: deduplication keys, so a message is queued at most once;
- `operations.py`: `notify(...)` queues a message in the current transaction; retry, cancel
  and the test message for admins;
- `dispatch.py`: `send_due(now)` sends what is due over SMTP, with retries and back-off;
- `ics.py`: .ics attachments for deadlines;
- `jobs.py`: the dispatcher as the scheduler job `notifications.send`;
- `views.py`, `api.py`, `schemas.py`: the admins' outbox page and `/api/v1/notifications`.

Templates of the messages are in `templates/mail/` (a .txt with a `subject` block and an .html).
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.core.api import register
    from workflow.notifications import api, jobs, models, views  # noqa: F401  (jobs registers itself)

    app.register_blueprint(views.bp)
    register(api.blp)
