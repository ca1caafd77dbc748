"""Migrations: up, down and up again on a database of their own; the result matches the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from conftest import database_url, is_postgres
from workflow import create_app
from workflow.extensions import db


@pytest.fixture
def scratch_app(tmp_path):
    """An application on an empty database of its own (a separate schema on PostgreSQL)."""
    url = database_url(tmp_path / "scratch")
    if is_postgres():
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
            conn.execute(text("CREATE SCHEMA migration_test"))
        engine.dispose()
        url += ("&" if "?" in url else "?") + "options=-csearch_path%3Dmigration_test"
    else:
        (tmp_path / "scratch").mkdir()
    app = create_app(overrides={"env": "testing", "database_url": url})
    yield app
    with app.app_context():
        db.engine.dispose()
    if is_postgres():
        engine = create_engine(database_url(tmp_path).replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
        engine.dispose()


@pytest.mark.real_commits
def test_upgrade_downgrade_upgrade_and_no_drift(scratch_app):
    with scratch_app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"person", "unit", "cycle", "audit_entry"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"


def test_a_single_head(app):
    from alembic.script import ScriptDirectory

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}; give one a down_revision"
