"""`kpi backup` and `kpi restore`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from flask.cli import with_appcontext

from workflow.backup.archive import BackupError

T = TypeVar("T")


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def _say(message: str) -> None:
    click.echo(f"… {message}", err=True)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _run(procedure: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a procedure with progress on standard error; its refusal becomes the command's error."""
    try:
        return procedure(*args, say=_say, **kwargs)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None


def _database_line(m: dict[str, Any]) -> str:
    return (f"database: {m['database']['dialect']}, schema {m['alembic_revision']}, "
            f"{_plural(sum(m['tables'].values()), 'row')} in {_plural(len(m['tables']), 'table')}")


@click.command("backup")
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), default=None,
    help="The archive to write, or a directory to write kpi-backup-<UTC time>.tar.gz into (default: the current directory).",
)
@click.option("--keep", type=click.IntRange(1), default=None, help="Then delete all but the N newest kpi-backup-*.tar.gz in that directory.")
@with_appcontext
def backup(output: Path | None, keep: int | None) -> None:
    """Write one archive of the database and every uploaded file (safe while the service runs)."""
    from workflow.backup.operations import create_backup

    result = _run(create_backup, output, keep=keep)
    m = result.manifest
    click.echo(f"wrote {result.path} ({_size(result.size)})")
    click.echo(f"sha256 {result.sha256}")
    click.echo(f"{_database_line(m)}; uploads: {_plural(m['uploads']['files'], 'file')} ({_size(m['uploads']['bytes'])})")
    for path in result.pruned:
        click.echo(f"deleted the older {path.name}")


@click.command("restore")
@click.argument("archive", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace a database and an upload directory that already hold data.")
@with_appcontext
def restore(archive: Path, yes: bool) -> None:
    """Verify ARCHIVE, then replace the configured database and upload directory with its content.

    Stop the web service and the scheduler first. Nothing is changed unless every checksum in
    the archive is right and its schema is one this version knows.
    """
    from workflow.backup.operations import restore_backup

    result = _run(restore_backup, archive, replace=yes)
    m = result.manifest
    click.echo(f"restored {archive.name}, made {m['created_at']} by KPI Workflow {m.get('application_version', '?')}")
    for note in result.notes:
        click.echo(f"note: {note}")
    click.echo(_database_line(m))
    width = max((len(name) for name in m["tables"]), default=0)
    for name, count in sorted(m["tables"].items()):
        click.echo(f"  {name:<{width}}  {count}")
    click.echo(f"uploads: {_plural(result.files_restored, 'file')} restored, {_plural(result.files_removed, 'file')} not in the backup removed")
    if result.upgrade_needed:
        click.echo("The backup's schema is older than this version's: run `kpi db upgrade` now, before starting the service.")
