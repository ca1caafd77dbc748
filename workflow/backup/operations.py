"""Backing up and restoring: the procedures behind `kpi backup` and `kpi restore`.

Backup: a consistent copy of the database first, then every file of the upload directory, then
the manifest. The database comes first because files are written before the rows that name
them: a file the copy refers to is already there when the directory is read (a file added
after the copy is harmless extra).

Restore changes nothing until the archive has been read through once and every checksum, the
schema revision and the target have been checked. Then: the database (all or nothing), then
the files (the upload directory ends up holding exactly the archive's files), then an audit
entry in the restored database. The services should be stopped meanwhile (see the README).

Both write an audit entry (`backup.create`, `backup.restore`) with no person as actor: the
command line has none; the operating-system user and host are recorded instead.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import socket
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from workflow.backup import databases
from workflow.backup.archive import FORMAT, FORMAT_VERSION, UPLOADS, ArchiveWriter, BackupError, extract, verify
from workflow.core.models import utcnow
from workflow.extensions import db

Say = Callable[[str], Any]
ARCHIVE_NAME = re.compile(r"^kpi-backup-\d{8}T\d{6}Z\.tar\.gz$")
# Left inside the upload directory while a restore runs; never backed up.
STAGING_PREFIX = ".kpi-restore-"


@dataclass
class BackupResult:
    path: Path
    sha256: str
    size: int
    manifest: dict[str, Any]
    pruned: list[Path] = field(default_factory=list)


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    files_restored: int
    files_removed: int
    upgrade_needed: bool
    notes: list[str]


def application_version() -> str:
    try:
        return metadata.version("kpi-workflow")
    except metadata.PackageNotFoundError:
        return "unknown"


def archive_name(now: datetime) -> str:
    return f"kpi-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]).resolve()


def _upload_files(root: Path) -> list[tuple[str, Path]]:
    """(name in the archive, path) of every regular file under `root`, in a stable order;
    symbolic links and a restore's staging directory are left out."""
    found: list[tuple[str, Path]] = []
    if not root.is_dir():
        return found
    for current, dirs, files in os.walk(root):
        here = Path(current)
        dirs[:] = sorted(d for d in dirs if not (here == root and d.startswith(STAGING_PREFIX)) and not (here / d).is_symlink())
        for name in sorted(files):
            path = here / name
            if path.is_symlink() or not path.is_file():
                continue
            found.append((UPLOADS + path.relative_to(root).as_posix(), path))
    return found


def _record(engine: Engine, action: str, summary: str, data: dict[str, Any]) -> None:
    """An audit entry written straight to the table. Right after a restore the schema may be
    older than the code (until `kpi db upgrade`), so only the columns the table has are set."""
    from workflow.core.audit import AuditEntry

    table = AuditEntry.__table__
    values = {
        "at": utcnow(),
        "actor_id": None,
        "action": action,
        "object_type": "backup",
        "object_id": None,
        "summary": summary[:500],
        "reason": "",
        "data": {**data, "os_user": _os_user(), "host": socket.gethostname()},
        "ip": "",
        "request_id": "",
    }
    with engine.connect() as connection:
        present = {c["name"] for c in inspect(connection).get_columns(table.name)}
    # A transaction of its own that starts by writing: on SQLite one that read first could not
    # take the write lock once another process had written meanwhile (no busy wait for that).
    with engine.begin() as connection:
        connection.execute(table.insert().values({k: v for k, v in values.items() if k in present}))


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def _resolve_output(output: Path | None, now: datetime) -> Path:
    if output is None:
        return Path.cwd() / archive_name(now)
    output = output.expanduser()
    if output.is_dir():
        return output.resolve() / archive_name(now)
    if not output.parent.is_dir():
        raise BackupError(f"{output.parent} is not a directory")
    return output.resolve()


def _prune(directory: Path, keep: int, current: Path) -> list[Path]:
    """Delete all but the `keep` newest archives named as `kpi backup` names them."""
    archives = sorted((p for p in directory.iterdir() if ARCHIVE_NAME.match(p.name) and p.is_file()), key=lambda p: p.name)
    old = [p for p in archives[:-keep] if p != current] if keep else []
    for path in old:
        path.unlink()
    return old


def create_backup(output: Path | None = None, *, keep: int | None = None, say: Say = lambda message: None) -> BackupResult:
    """Write one archive of the database and the upload directory; see the module docstring."""
    settings = current_app.config["KPI"]
    engine = db.engine
    dialect = databases.dialect(engine)
    now = utcnow()
    path = _resolve_output(output, now)
    uploads = upload_dir()
    if path.is_relative_to(uploads):
        raise BackupError(f"write the backup outside the upload directory ({uploads})")
    if dialect == "postgresql":
        databases.find_tool("pg_dump", settings)  # before any work: say at once what is missing
    member = databases.MEMBER[dialect]
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".kpi-backup-") as tmp:
        dump = Path(tmp) / member
        say(f"copying the {dialect} database")
        if dialect == "postgresql":
            snapshot = databases.dump_postgres(engine, settings, dump)
        else:
            snapshot = databases.dump_sqlite(engine, dump)
        if snapshot.revision is None:
            raise BackupError("the database has no schema yet (run: kpi db upgrade); there is nothing to back up")
        writer = ArchiveWriter(path)
        try:
            writer.add_file(member, dump)
            dump.unlink()  # its space is needed no longer
            files = _upload_files(uploads)
            say(f"adding {len(files)} uploaded files from {uploads}")
            upload_bytes = 0
            for name, source in files:
                try:
                    upload_bytes += writer.add_file(name, source, mode=0o644)["size"]
                except FileNotFoundError:
                    continue  # deleted since the directory was read: it was not needed by the copy
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": now.isoformat(),
                "application_version": application_version(),
                "alembic_revision": snapshot.revision,
                "database": {"dialect": dialect, "file": member, **snapshot.details},
                "tables": snapshot.tables,
                "uploads": {"files": len(writer.files) - 1, "bytes": upload_bytes},
            }
            sha, size = writer.finish(manifest)
        except BaseException:
            writer.abort()
            raise
    manifest["files"] = writer.files
    _record(
        engine,
        "backup.create",
        path.name,
        {"archive": path.name, "sha256": sha, "size": size, "revision": snapshot.revision, "rows": sum(snapshot.tables.values()),
         "files": manifest["uploads"]["files"]},
    )
    pruned = _prune(path.parent, keep, path) if keep else []
    return BackupResult(path, sha, size, manifest, pruned)


def needs_upgrade(revision: str | None) -> bool:
    """Whether the code can use a database at `revision`: False when it is the code's own head,
    True when it is older (`kpi db upgrade` must follow); refused when the code does not know it
    (a backup made by a newer version)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    heads = set(script.get_heads())
    if revision is None:
        raise BackupError("the archive records no schema revision; it cannot be restored")
    if set(revision.split()) == heads:
        return False
    known = {r.revision for r in script.walk_revisions()}
    unknown = [r for r in revision.split() if r not in known]
    if unknown:
        raise BackupError(
            f"the backup was made by a newer version of KPI Workflow (schema {revision}; this version knows up to {', '.join(sorted(heads))}): "
            "install that version or a later one, then restore"
        )
    return True


def _install_uploads(staging: Path, root: Path, expected: set[str]) -> tuple[int, int]:
    """Make `root` hold exactly the staged files: remove the others first (a directory may have to
    become a file or the reverse), then move each staged file in with an atomic rename."""
    removed = 0
    for current, dirs, files in os.walk(root, topdown=False):
        here = Path(current)
        if here == staging or staging in here.parents:
            continue
        for name in files:
            path = here / name
            if UPLOADS + path.relative_to(root).as_posix() not in expected:
                path.unlink()
                removed += 1
        for name in dirs:
            path = here / name
            if path != staging and path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
                path.rmdir()
    for name in sorted(expected):
        relative = name[len(UPLOADS):]
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relative, target)
    return len(expected), removed


def restore_backup(path: Path, *, replace: bool = False, say: Say = lambda message: None) -> RestoreResult:
    """Verify `path`, then put its database and files in place of the configured ones."""
    settings = current_app.config["KPI"]
    engine = db.engine
    dialect = databases.dialect(engine)
    say(f"verifying {path.name}")
    manifest = verify(path)
    if manifest["database"]["dialect"] != dialect:
        raise BackupError(f"the archive holds a {manifest['database']['dialect']} database but the configured database is {dialect}")
    upgrade_needed = needs_upgrade(manifest["alembic_revision"])
    if dialect == "postgresql":
        databases.check_restore_tool(settings, manifest)
    root = upload_dir()
    db.session.remove()
    if not replace:
        busy = databases.tables_with_rows(engine)
        present = len(_upload_files(root))
        if busy or present:
            what = []
            if busy:
                what.append(f"the database holds data ({', '.join(busy[:6])}{'…' if len(busy) > 6 else ''})")
            if present:
                what.append(f"{root} holds {present} files")
            raise BackupError(f"{' and '.join(what)}; run again with --yes to replace them with the backup")
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f"{STAGING_PREFIX}{uuid.uuid4().hex[:12]}"
    staging.mkdir()
    database_dir = databases.sqlite_staging_dir(engine) if dialect == "sqlite" else None
    scratch = Path(tempfile.mkdtemp(prefix=".kpi-restore-", dir=database_dir))
    staged_database = scratch / manifest["database"]["file"]
    expected = {name for name in manifest["files"] if name.startswith(UPLOADS)}
    try:
        say("unpacking")

        def open_target(member: Any) -> IO[bytes]:
            if member.name == manifest["database"]["file"]:
                return staged_database.open("wb")
            target = staging / member.name[len(UPLOADS):]
            target.parent.mkdir(parents=True, exist_ok=True)
            return target.open("wb")

        def written(member: Any) -> None:
            if member.name.startswith(UPLOADS):
                target = staging / member.name[len(UPLOADS):]
                os.utime(target, (member.mtime, member.mtime))

        extract(path, manifest, open_target, written)
        say(f"restoring the {dialect} database")
        if dialect == "postgresql":
            notes = databases.restore_postgres(engine, settings, staged_database, manifest)
        else:
            notes = databases.restore_sqlite(engine, staged_database)
        restored = databases.state(engine)
        if restored.tables != manifest["tables"]:
            differ = sorted(t for t in set(restored.tables) | set(manifest["tables"]) if restored.tables.get(t) != manifest["tables"].get(t))
            raise BackupError(f"the restored database does not hold what the archive lists ({', '.join(differ[:6])}); check the database")
        say(f"restoring {len(expected)} files into {root}")
        files_restored, files_removed = _install_uploads(staging, root, expected)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)
    _record(
        engine,
        "backup.restore",
        path.name,
        {"archive": path.name, "created_at": manifest["created_at"], "revision": manifest["alembic_revision"],
         "application_version": manifest.get("application_version"), "rows": sum(manifest["tables"].values()), "files": files_restored,
         "files_removed": files_removed},
    )
    return RestoreResult(manifest, files_restored, files_removed, upgrade_needed, notes)
