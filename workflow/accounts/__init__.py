"""People, sign-in, roles and personal API tokens."""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.accounts import api, people_api, views
    from workflow.core.api import register

    app.register_blueprint(views.bp)
    register(api.blp)
    register(people_api.blp)
    views.init_app(app)
