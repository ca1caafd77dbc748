"""The home page: for each role a person holds, what is waiting for them.

Domain packages contribute panels with `panel(...)`; each panel's loader returns the context
for its template, or None when it has nothing to show. Loaders must run a fixed number of
statements whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, render_template
from flask_login import current_user

from workflow.accounts.models import Person, Role

bp = Blueprint("dashboard", __name__)


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    roles: frozenset[Role]
    load: Callable[[Person], dict[str, Any] | None]
    order: int = 100


_PANELS: list[Panel] = []


def panel(name: str, template: str, *, roles: set[Role] | frozenset[Role], order: int = 100) -> Callable:
    def register(load: Callable[[Person], dict[str, Any] | None]) -> Callable:
        if any(p.name == name for p in _PANELS):
            raise ValueError(f"dashboard panel {name!r} registered twice")
        _PANELS.append(Panel(name, template, frozenset(roles), load, order))
        _PANELS.sort(key=lambda p: p.order)
        return load

    return register


def panels_for(person: Person) -> list[tuple[Panel, dict[str, Any]]]:
    held = person.role_set
    shown = []
    for p in _PANELS:
        if p.roles & held:
            context = p.load(person)
            if context is not None:
                shown.append((p, context))
    return shown


@bp.get("/")
def index():
    return render_template("dashboard/index.html", panels=panels_for(current_user))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
