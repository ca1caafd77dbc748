"""The `kpi demo` command."""

from __future__ import annotations

from datetime import date

import click
from sqlalchemy import select

from workflow import policy
from workflow.accounts import operations as accounts
from workflow.accounts.models import Person, Role
from workflow.accounts.passwords import hash_password
from workflow.core.transaction import unit_of_work
from workflow.demo import province
from workflow.demo.steps import DemoContext, at, run_all
from workflow.extensions import db
from workflow.units.models import Unit, UnitGroup

# When the province began to use the system: its people and units were set up then; each
# cycle is created by the demo step that tells its year.
SET_UP = date(2024, 11, 4)


def build_province(ctx: DemoContext) -> None:
    # One hash for every demo account: hashing 60 passwords would only slow the demo down.
    password_hash = hash_password(province.DEMO_PASSWORD)

    def person(username: str, full_name: str, title: str, unit: Unit | None = None) -> Person:
        p = accounts.create_person(
            actor=policy.SYSTEM,
            username=username,
            full_name=full_name,
            email=f"{username}@vinhphuc.demo",
            title=title,
            unit_id=unit.id if unit else None,
            password_hash=password_hash,
        )
        db.session.flush()
        ctx.people[username] = p
        return p

    admin = person(*province.ADMIN)
    accounts.grant_role(admin, Role.ADMIN, actor=policy.SYSTEM)
    groups = {}
    for position, (code, name) in enumerate(province.GROUPS):
        groups[code] = UnitGroup(code=code, name=name, position=position)
        db.session.add(groups[code])
    db.session.flush()
    for code, name, group, *_ in province.UNITS:
        ctx.units[code] = Unit(code=code, name=name, group_id=groups[group].id)
        db.session.add(ctx.units[code])
    db.session.flush()
    for code, _, _, username, full_name, title in province.UNITS:
        head = person(username, full_name, title, ctx.units[code])
        accounts.grant_role(head, Role.HEAD, actor=admin, unit_id=ctx.units[code].id)
        ctx.heads[code] = head
    for username, full_name, title, followed in province.STAFF:
        staff = person(username, full_name, title, ctx.units["BTCTU"])
        accounts.grant_role(staff, Role.STAFF, actor=admin)
        for code, _, group, *_ in province.UNITS:
            if group in followed:
                ctx.units[code].staff_officer_id = staff.id
    for username, full_name, title in province.COMMITTEE:
        accounts.grant_role(person(username, full_name, title), Role.COMMITTEE, actor=admin)
    for username, full_name, title, unit_code in province.COUNCIL_PEOPLE:
        person(username, full_name, title, ctx.units[unit_code] if unit_code else None)
    for username, _ in province.COUNCIL:
        accounts.grant_role(ctx.people[username], Role.COUNCIL, actor=admin)
    db.session.flush()


def print_logins(echo=click.echo) -> None:
    heads = [(u[3], u[5]) for u in province.UNITS]
    rows = [
        ("admin", province.ADMIN[0], province.ADMIN[1]),
        *[("staff", s[0], s[2]) for s in province.STAFF],
        *[("committee", c[0], c[2]) for c in province.COMMITTEE],
        *[(f"council {pos}", u, next((p[2] for p in province.COUNCIL_PEOPLE if p[0] == u), "(also a head)")) for u, pos in province.COUNCIL],
        *[("head", u, t) for u, t in heads[:4]],
    ]
    echo("")
    echo(f"Demo logins (password for every account: {province.DEMO_PASSWORD})")
    width = max(len(r[1]) for r in rows)
    for role, username, title in rows:
        echo(f"  {role:<18} {username:<{width}}  {title}")
    echo(f"  … and {len(heads) - 4} more heads: {', '.join(u for u, _ in heads[4:8])}, …")
    echo("")


@click.command("demo")
def demo() -> None:
    """Load the demo province (once) and print the demo logins."""
    if db.session.scalar(select(Person.id).where(Person.username == province.ADMIN[0])) is not None:
        click.echo("The demo province is already loaded.")
        print_logins()
        return
    click.echo("Loading the demo province…")
    ctx = DemoContext()
    with unit_of_work():
        with at(SET_UP, 8):
            build_province(ctx)
        run_all(ctx, click.echo)
    for note in ctx.notes:
        click.echo(note)
    print_logins()
