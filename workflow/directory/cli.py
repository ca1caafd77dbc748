"""`kpi import FILE…`: the organisation from the command line (a cron job after the personnel
office's nightly export, or the first load of a province)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--apply", "apply_now", is_flag=True, help="Write the changes (without it, only the preview is printed).")
@click.option("--valid-only", is_flag=True, help="With --apply: import the valid rows, leave the rows in error as they are.")
def import_command(files: tuple[Path, ...], apply_now: bool, valid_only: bool) -> None:
    """Import units, positions and people from an Excel workbook or CSV files; print what
    changes and every row in error (line, column, why)."""
    from workflow import policy
    from workflow.core.errors import DomainError
    from workflow.core.transaction import unit_of_work
    from workflow.directory import operations
    from workflow.directory.reading import join_csv

    contents = [f.read_bytes() for f in files]
    try:
        with unit_of_work():  # the preview is kept, as the admin page keeps it
            kind = operations.kind_of(contents)
            content = contents[0] if kind == "xlsx" else join_csv(contents)
            batch = operations.preview(content, kind=kind, filename=", ".join(f.name for f in files), actor=policy.SYSTEM)
        _echo(batch.preview)
        if not apply_now:
            click.echo(f"preview {batch.id} only: add --apply to write")
            return
        with unit_of_work():
            operations.apply(batch, actor=policy.SYSTEM, valid_only=valid_only)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"import {batch.id} applied")


def _echo(preview: dict) -> None:
    for sheet, tally in (preview.get("counts") or {}).items():
        click.echo(f"{sheet}: " + ", ".join(f"{action} {n}" for action, n in tally.items()))
    for sheet, line, column, message in preview.get("errors") or []:
        click.echo(f"{sheet} line {line}, {column}: {message}", err=True)


def init_app(app) -> None:
    app.cli.add_command(import_command)
