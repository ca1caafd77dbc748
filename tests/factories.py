"""Factories for the objects tests need: groups, units, people with roles, cycles.

Each returns a flushed object with sensible Vietnamese defaults; keyword arguments override.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from workflow.accounts.models import Person, Role, RoleGrant
from workflow.accounts.passwords import hash_password
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.rules import load_rules
from workflow.units.models import Unit, UnitGroup

PASSWORD = "mat-khau-thu-nghiem"
_seq = itertools.count(1)
_password_hash: dict[str, str] = {}


def _n() -> int:
    return next(_seq)


def group(**kw: Any) -> UnitGroup:
    n = _n()
    obj = UnitGroup(code=kw.pop("code", f"G{n}"), name=kw.pop("name", f"Nhóm {n}"), **kw)
    db.session.add(obj)
    db.session.flush()
    return obj


def unit(**kw: Any) -> Unit:
    n = _n()
    if "group" not in kw and "group_id" not in kw:
        kw["group"] = group()
    obj = Unit(code=kw.pop("code", f"U{n}"), name=kw.pop("name", f"Sở số {n}"), **kw)
    db.session.add(obj)
    db.session.flush()
    return obj


def person(*roles: Role | tuple[Role, Unit], **kw: Any) -> Person:
    """person(Role.STAFF) or person((Role.HEAD, some_unit)); a head without a unit gets a new one."""
    n = _n()
    if PASSWORD not in _password_hash:
        _password_hash[PASSWORD] = hash_password(PASSWORD)
    obj = Person(
        username=kw.pop("username", f"user{n}"),
        full_name=kw.pop("full_name", f"Nguyễn Văn {n}"),
        email=kw.pop("email", f"user{n}@kpi.test"),
        password_hash=kw.pop("password_hash", _password_hash[PASSWORD]),
        **kw,
    )
    for r in roles:
        role, scope = (r, None) if isinstance(r, Role) else r
        if role == Role.HEAD and scope is None:
            scope = unit()
        obj.roles.append(RoleGrant(role=role, unit=scope))
        if role == Role.HEAD and obj.unit_id is None and "unit" not in kw:
            obj.unit = scope
    db.session.add(obj)
    db.session.flush()
    return obj


_rules_cache: dict[str, Any] = {}


def cycle(year: int = 2027, **kw: Any) -> Cycle:
    if "rules" not in kw:
        if "default" not in _rules_cache:
            _rules_cache["default"] = load_rules("config/rules/default.toml")
        kw["rules"] = _rules_cache["default"]
    obj = Cycle(
        year=year,
        name=kw.pop("name", f"Năm {year}"),
        starts_on=kw.pop("starts_on", date(year, 1, 1)),
        ends_on=kw.pop("ends_on", date(year, 12, 31)),
        rules_version=kw["rules"]["version"],
        **kw,
    )
    db.session.add(obj)
    db.session.flush()
    return obj


def api_headers(person: Person) -> dict[str, str]:
    """Headers for an API call as `person`, with a new personal token (committed, so the request,
    in its own session, finds it)."""
    from workflow.accounts.operations import create_token

    _, secret = create_token(person, "test", actor=person)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}
