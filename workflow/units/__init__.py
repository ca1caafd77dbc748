"""Units (cơ quan, đơn vị) and the groups they belong to: models, operations, list queries and
the API. The admin pages that edit them are in `workflow.admin`."""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.core.api import register
    from workflow.units import api

    register(api.groups_blp)
    register(api.units_blp)
