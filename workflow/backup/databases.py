"""A consistent copy of the database, and putting one back, for each dialect the service runs on.

PostgreSQL: `pg_dump --format=custom` into a file, run inside a REPEATABLE READ transaction whose
snapshot it shares (`--snapshot`), so the row counts written to the manifest are those of the
dump even while the service keeps writing. Restoring runs `pg_restore --clean --if-exists
--no-owner --no-acl --single-transaction` into the configured database: all or nothing.
The tools are looked for in `pg_bin_dir`, else on PATH; a client older than the server is
refused up front (pg_dump would refuse later, less clearly). The password goes to the tools in
the environment (PGPASSWORD), never on a command line that `ps` would show.

SQLite: the online backup API copies the live file page by page in one step (a consistent
snapshot; writers are not blocked under WAL); restoring checks the copy's integrity and renames
it over the database file, after dropping the old file's write-ahead log, which would otherwise
be replayed onto the new file.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from psycopg.conninfo import make_conninfo
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Connection, Engine

from workflow.backup.archive import BackupError, sync_directory

SUPPORTED = ("postgresql", "sqlite")
MEMBER = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
VERSION_TABLE = "alembic_version"


@dataclass
class Snapshot:
    """What the copied database holds: its schema revision, its tables with their row counts,
    and facts about the copy worth keeping in the manifest (tool and server versions)."""

    revision: str | None
    tables: dict[str, int]
    details: dict[str, Any] = field(default_factory=dict)


def dialect(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in SUPPORTED:
        raise BackupError(f"backups support PostgreSQL and SQLite, not {name}")
    return name


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _revision(rows: list[str]) -> str | None:
    return " ".join(sorted(rows)) or None


# --- the configured database, through SQLAlchemy -----------------------------------------------


def table_names(connection: Connection) -> list[str]:
    return sorted(inspect(connection).get_table_names())


def read_revision(connection: Connection, tables: list[str] | None = None) -> str | None:
    tables = table_names(connection) if tables is None else tables
    if VERSION_TABLE not in tables:
        return None
    return _revision(list(connection.scalars(text(f"SELECT version_num FROM {VERSION_TABLE}"))))


def row_counts(connection: Connection, tables: list[str] | None = None) -> dict[str, int]:
    tables = table_names(connection) if tables is None else tables
    return {name: int(connection.scalar(text(f"SELECT count(*) FROM {_quote(name)}")) or 0) for name in tables}


def tables_with_rows(engine: Engine) -> list[str]:
    """The tables that hold data (the schema's own version table aside): what restore would
    overwrite."""
    with engine.connect() as connection:
        names = [n for n in table_names(connection) if n != VERSION_TABLE]
        return [n for n in names if connection.scalar(text(f"SELECT EXISTS (SELECT 1 FROM {_quote(n)})"))]


def state(engine: Engine) -> Snapshot:
    with engine.connect() as connection:
        tables = table_names(connection)
        return Snapshot(read_revision(connection, tables), row_counts(connection, tables))


# --- PostgreSQL ---------------------------------------------------------------------------------

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


def find_tool(name: str, settings: dict[str, Any]) -> str:
    directory = settings.get("pg_bin_dir") or ""
    if directory:
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
        raise BackupError(f"{name} not found in {directory} (the pg_bin_dir setting, KPI_PG_BIN_DIR)")
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} not found on PATH. Install the PostgreSQL client tools of the server's major version or newer "
            f"(Debian, Ubuntu: apt install postgresql-client-NN; RHEL: dnf install postgresqlNN) and put them on PATH, "
            f"or set KPI_PG_BIN_DIR to their directory (e.g. /usr/lib/postgresql/NN/bin)"
        )
    return found


def client_major(output: str) -> int:
    """The major version in `pg_dump --version` output: "pg_dump (PostgreSQL) 16.4 (Debian …)" → 16."""
    match = _VERSION.search(output)
    if match is None:
        raise BackupError(f"cannot tell the version of the PostgreSQL client tools from {output.strip()!r}")
    return int(match.group(1))


def server_major(version_num: int) -> int:
    """The major version from `server_version_num`: 160004 → 16 (and 90624 → 9 before 10)."""
    return version_num // 10000


def tool_major(path: str) -> int:
    result = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    return client_major(result.stdout or result.stderr)


def check_client(tool: str, client: int, server: int) -> None:
    if client < server:
        raise BackupError(
            f"{tool} is version {client}, older than the PostgreSQL server ({server}): install the client tools of "
            f"version {server} or newer (e.g. postgresql-client-{server}) and put them on PATH or set KPI_PG_BIN_DIR"
        )


def libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """The connection string for pg_dump/pg_restore (no password) and the environment carrying
    the password, from the SQLAlchemy URL."""
    params: dict[str, Any] = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    for key, value in url.query.items():
        params[key] = value[-1] if isinstance(value, tuple) else value
    params.setdefault("application_name", "kpi-backup")
    dsn = make_conninfo("", **{k: v for k, v in params.items() if v is not None})
    env = {"PGPASSWORD": url.password} if url.password else {}
    return dsn, env


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        message = result.stderr.strip()[-3000:] or f"exit status {result.returncode}"
        raise BackupError(f"{Path(args[0]).name} failed: {message}")


def dump_postgres(engine: Engine, settings: dict[str, Any], dest: Path) -> Snapshot:
    pg_dump = find_tool("pg_dump", settings)
    client = tool_major(pg_dump)
    dsn, env = libpq_target(engine.url)
    with engine.connect() as base:
        connection = base.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # The first statement fixes the transaction's snapshot; pg_dump then reads the same one.
            snapshot_id = connection.scalar(text("SELECT pg_export_snapshot()"))
            server = server_major(int(connection.scalar(text("SHOW server_version_num"))))
            check_client("pg_dump", client, server)
            tables = table_names(connection)
            snapshot = Snapshot(read_revision(connection, tables), row_counts(connection, tables), {"server_major": server, "pg_dump_major": client})
            _run([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot_id}", f"--file={dest}", f"--dbname={dsn}"], env)
    return snapshot


def check_restore_tool(settings: dict[str, Any], manifest: dict[str, Any]) -> str:
    pg_restore = find_tool("pg_restore", settings)
    made_by = int(manifest["database"].get("pg_dump_major") or 0)
    client = tool_major(pg_restore)
    if client < made_by:
        raise BackupError(f"pg_restore is version {client} but the archive was made by pg_dump {made_by}: install the client tools of version {made_by} or newer")
    return pg_restore


def restore_postgres(engine: Engine, settings: dict[str, Any], source: Path, manifest: dict[str, Any]) -> list[str]:
    pg_restore = check_restore_tool(settings, manifest)
    dsn, env = libpq_target(engine.url)
    notes: list[str] = []
    with engine.connect() as connection:
        tables = table_names(connection)
        revision = read_revision(connection, tables)
        schema = inspect(connection).default_schema_name
    if tables and revision != manifest["alembic_revision"]:
        # --clean drops only what the archive holds; tables of another schema version (a column,
        # a foreign key, a table added since) would survive it or block its DROPs. So the old
        # tables go first, in a transaction of their own: pg_restore's stays all or nothing.
        with engine.begin() as connection:
            names = ", ".join(f"{_quote(schema)}.{_quote(t)}" for t in tables) if schema else ", ".join(_quote(t) for t in tables)
            connection.execute(text(f"DROP TABLE IF EXISTS {names} CASCADE"))
        notes.append(f"the database was at schema {revision or 'none'}: its {len(tables)} tables were dropped before restoring")
    engine.dispose()
    _run(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error", "--no-password", f"--dbname={dsn}", str(source)],
        env,
    )
    engine.dispose()
    return notes


# --- SQLite ---------------------------------------------------------------------------------------


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("an in-memory SQLite database cannot be backed up or restored; set KPI_DATABASE_URL to a file")
    return Path(url.database).resolve()


def _sqlite_snapshot(connection: sqlite3.Connection) -> Snapshot:
    tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    revision = _revision([r[0] for r in connection.execute(f"SELECT version_num FROM {VERSION_TABLE}")]) if VERSION_TABLE in tables else None
    counts = {name: connection.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0] for name in tables}
    return Snapshot(revision, counts, {"sqlite_version": sqlite3.sqlite_version})


def dump_sqlite(engine: Engine, dest: Path) -> Snapshot:
    source = sqlite_path(engine.url)
    if not source.exists():
        raise BackupError(f"the SQLite database {source} does not exist (run: kpi db upgrade)")
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(dest))
    try:
        src.backup(dst)  # every page in one step: one consistent snapshot
        # A file on its own, without the live database's write-ahead log mode.
        dst.execute("PRAGMA journal_mode=DELETE")
        return _sqlite_snapshot(dst)
    finally:
        dst.close()
        src.close()


def sqlite_staging_dir(engine: Engine) -> Path:
    """Where to put the restored file before the rename: beside the database, so that the rename
    stays on one file system and is atomic."""
    target = sqlite_path(engine.url)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.parent


def restore_sqlite(engine: Engine, staged: Path) -> list[str]:
    check = sqlite3.connect(str(staged))
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if result != "ok":
        raise BackupError(f"the database in the archive fails SQLite's integrity check ({result}); nothing was restored")
    target = sqlite_path(engine.url)
    engine.dispose()
    if target.exists():
        old = sqlite3.connect(str(target), timeout=30)
        try:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            old.close()
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(staged, target)
    sync_directory(target.parent)
    return []
