"""Administration pages (quản trị): the landing page, unit groups and units, people and their
roles, cycles and their phases, and the audit log. The pages call the operations of the packages
that own the data (`workflow.units`, `workflow.accounts`, `workflow.cycles`); the same actions
are in the API of those packages."""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.admin import cycles, people, tracks, units, views  # noqa: F401  (the modules add their pages to views.bp)

    app.register_blueprint(views.bp)
