"""Evaluation cycles (kỳ đánh giá): one per year, each with the rules in force snapshotted."""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.cycles import models  # noqa: F401  (registers the tables)
