"""`kpi ratings-recount`: check the months kept beside the ratings against the ratings
themselves, and count them again (after ratings were loaded straight into the database, or a
restore of part of it)."""

from __future__ import annotations

import click


@click.command("ratings-recount")
@click.option("--check", is_flag=True, help="Only say where the months kept differ from the ratings (exit 1 when they do).")
def recount_command(check: bool) -> None:
    """Count each unit's and official's months of ratings again from the ratings and cases."""
    from workflow.core.transaction import unit_of_work
    from workflow.ratings import months

    with unit_of_work():
        found = months.differences()
        for line in found:
            click.echo(line)
        if check:
            if found:
                raise SystemExit(1)
            click.echo("the months kept agree with the ratings")
            return
        months.rebuild()
    click.echo(f"counted again ({len(found)} months differed)")
