"""People, sign-in, roles and personal API tokens."""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.accounts import api, views
    from workflow.core.api import register

    app.register_blueprint(views.bp)
    register(api.blp)
