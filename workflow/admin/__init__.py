"""Administration pages: the audit log (and, with their own packages' operations, units,
accounts and cycles)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.admin import views

    app.register_blueprint(views.bp)
