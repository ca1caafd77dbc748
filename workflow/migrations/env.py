"""Alembic environment: migrations run inside the application (`kpi db upgrade`), never at start-up."""

import logging

import sqlalchemy as sa
from alembic import context
from flask import current_app

from workflow.core.models import UTCDateTime

config = context.config
logger = logging.getLogger("alembic.env")
target_db = current_app.extensions["migrate"].db


def render_item(type_, obj, autogen_context):
    if type_ != "type":
        return False
    # Our UTC wrapper is a plain timestamp column in the database.
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    # workflow.core.models.JSONType: JSON, stored as JSONB on PostgreSQL.
    if isinstance(obj, sa.JSON) and "postgresql" in getattr(obj, "_variant_mapping", {}):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return "sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')"
    return False


def run_migrations_online() -> None:
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)
    with target_db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a table's constraints by copying it (Alembic's batch mode) and
            # dropping the old one; with foreign keys enforced, that drop would first delete the
            # rows referring to it (ON DELETE CASCADE). Enforcement is off while migrating (the
            # pragma has no effect inside a transaction, so it is set before one begins) and
            # every reference is checked before the migration commits.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration left rows referring to missing rows: {broken[:5]}")
        if sqlite:
            # Never handed out again: the next connection is a new one, with enforcement on.
            connection.invalidate()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `kpi db upgrade` against the database.")
run_migrations_online()
