"""Units (cơ quan, đơn vị, địa phương) and the groups they belong to."""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.units import models  # noqa: F401  (registers the tables)
