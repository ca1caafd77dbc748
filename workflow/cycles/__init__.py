"""Evaluation cycles (kỳ đánh giá): one per year, each with the rules in force snapshotted, moving
through registration → execution → scoring → closed (`workflow.cycles.workflow`)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.core.api import register
    from workflow.cycles import api, models  # noqa: F401  (models registers the tables)

    register(api.blp)
