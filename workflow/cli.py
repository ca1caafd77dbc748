"""The `kpi` command: Flask's CLI for this application plus its own commands.

`kpi db upgrade` (Flask-Migrate) applies migrations; `kpi serve` is the production server
(gunicorn) and `kpi run` the development server.
Commands live on `app.cli`, so they run inside the application; domain packages add theirs
(`kpi demo`, `kpi scheduler …`) in their own `init_app`.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup
from sqlalchemy import select

from workflow import create_app
from workflow.core.transaction import unit_of_work


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), load_dotenv=False, set_debug_flag=False)
def cli() -> None:
    """KPI Workflow: targets, quarterly reports, council scoring and decisions."""


@click.group()
def token() -> None:
    """Personal API tokens."""


@token.command("create")
@click.option("--user", "username", required=True, help="Username of the token's owner.")
@click.option("--name", required=True, help="What the token is for (shown in the account page).")
@click.option("--expires-days", type=click.IntRange(1, 3650), default=None, help="Expire after this many days.")
def token_create(username: str, name: str, expires_days: int | None) -> None:
    """Create a token and print it (it is shown only once)."""
    from workflow.accounts import operations

    with unit_of_work():
        person = operations.find_by_username(username)
        if person is None:
            raise click.ClickException(f"no user {username!r}")
        _, secret = operations.create_token(person, name, actor=person, expires_in_days=expires_days)
    click.echo(secret)


@click.group()
def user() -> None:
    """Accounts."""


@user.command("create")
@click.option("--username", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--email", required=True)
@click.option("--role", "roles", multiple=True, type=click.Choice(["head", "staff", "committee", "council", "admin"]))
@click.option("--unit", "unit_code", default=None, help="Unit code (for a head, the unit they lead).")
@click.password_option()
def user_create(username: str, full_name: str, email: str, roles: tuple[str, ...], unit_code: str | None, password: str) -> None:
    """Create an account (for example the first administrator)."""
    from workflow.accounts import operations
    from workflow import policy
    from workflow.accounts.models import Role
    from workflow.core.errors import ValidationFailed
    from workflow.extensions import db
    from workflow.units.models import Unit

    try:
        with unit_of_work():
            unit = None
            if unit_code:
                unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
                if unit is None:
                    raise click.ClickException(f"no unit {unit_code!r}")
            person = operations.create_person(
                actor=policy.SYSTEM, username=username, full_name=full_name, email=email, password=password, unit_id=unit.id if unit else None
            )
            for role in roles:
                operations.grant_role(person, Role(role), actor=policy.SYSTEM, unit_id=unit.id if unit and role == "head" else None)
    except ValidationFailed as exc:
        raise click.ClickException("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())) from None
    click.echo(f"created {username}")


@cli.command("serve")
@click.option("--bind", default=None, help="host:port to listen on (default: the web_bind setting).")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default: web_workers).")
@click.option("--threads", type=click.IntRange(1, 64), default=None, help="Threads per worker (default: web_threads).")
def serve(bind: str | None, workers: int | None, threads: int | None) -> None:
    """Serve the application in production (gunicorn). `kpi run` is for development only."""
    from workflow.server import serve as run_server
    from workflow.settings import SettingsError

    try:
        run_server(bind=bind, workers=workers, threads=threads)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def init_app(app) -> None:
    app.cli.add_command(token)
    app.cli.add_command(user)


def main() -> None:
    cli(prog_name="kpi")
