"""Form drafts (bản nháp của biểu mẫu): what a person typed in a long form and has not yet saved
through the form itself, kept by the page's autosave and filled in again when they come back.

Forms whose object has a draft state of its own (the quarterly report, the scorecard, the
self-assessment) save into that object instead; this package serves the forms whose submission
is a step that cannot be half done (a target, a proposal, an assignment decision, the
committee's decision on a head).

- `models.py`: `FormDraft`, one per person and form;
- `operations.py`: keep, find and forget a draft (the permission of the form is checked first);
- `web.py`: what the views of such forms call (`handle`, `restored`, `forget`) and the JSON
  answer every autosave endpoint gives.

The page side is `static/js/keepwork.js` and `templates/macros/keepwork.html`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.drafts import models  # noqa: F401  (the table, for the metadata)
