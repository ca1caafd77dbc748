"""Sign-in with the province's directory (LDAP, Active Directory).

The password a person types is checked by binding to the directory as their entry, found by
`ldap_user_filter` with the service account. The entry is matched to a person imported from the
personnel records by its personnel code (`ldap_personnel_code_attribute`), else by its e-mail;
no account is ever made from the directory, and a person deactivated here cannot sign in,
whatever the directory says. The groups of the entry (`ldap_group_filter`) give the roles that
`ldap_group_roles` maps them to: at each sign-in the person holds exactly the mapped roles of the
groups they are in (each grant and revocation audited). The head role is the import's: it follows
the position a person holds, never a group.

Registered as a password check of `workflow.accounts.operations`: asked only when the local
password does not match. An unreachable directory refuses the sign-in (and is logged).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask_babel import gettext
from workflow.accounts.models import Person, Role
from workflow.directory.queries import person_for

log = logging.getLogger(__name__)
MAPPABLE = (Role.STAFF, Role.COMMITTEE, Role.COUNCIL, Role.ADMIN)


class DirectoryError(ValueError):
    """The directory's settings cannot be read; the message names the setting."""


def group_roles(setting: str) -> dict[str, Role]:
    """`ldap_group_roles` read: "admin=cn=kpi-admins,dc=…; staff=cn=…" → {group DN (lower): role}."""
    mapping: dict[str, Role] = {}
    for part in filter(None, (p.strip() for p in setting.split(";"))):
        name, sep, dn = part.partition("=")
        if not sep or name.strip() not in {r.value for r in MAPPABLE} or not dn.strip():
            raise DirectoryError(f"ldap_group_roles: {part!r} is not role=group DN (roles: {', '.join(r.value for r in MAPPABLE)})")
        mapping[_dn(dn)] = Role(name.strip())
    return mapping


def _dn(dn: str) -> str:
    return ",".join(p.strip() for p in dn.strip().lower().split(","))


def _first(entry: Any, attribute: str) -> str:
    values = entry["attributes"].get(attribute) if attribute else None
    if isinstance(values, list):
        values = values[0] if values else ""
    return str(values or "").strip()


def _lookup(settings: Mapping[str, Any], username: str, password: str) -> tuple[str, str, set[str]] | None:
    """(personnel code, e-mail, group DNs) of the entry these credentials prove, or None."""
    from ldap3 import BASE, SUBTREE, Connection, Server
    from ldap3.core.exceptions import LDAPException
    from ldap3.utils.conv import escape_filter_chars

    timeout = settings["ldap_timeout_seconds"]
    server = Server(settings["ldap_url"], connect_timeout=timeout)
    code_attribute, email_attribute = settings["ldap_personnel_code_attribute"], settings["ldap_email_attribute"]
    try:
        with Connection(server, settings["ldap_bind_dn"] or None, settings["ldap_bind_password"] or None, auto_bind=True,
                        receive_timeout=timeout, read_only=True) as service:
            service.search(settings["ldap_base_dn"], settings["ldap_user_filter"].replace("{username}", escape_filter_chars(username)),
                           SUBTREE, attributes=[a for a in (code_attribute, email_attribute) if a], size_limit=2)
            entries = [e for e in service.response if e.get("type") == "searchResEntry"]
            if len(entries) != 1:
                return None
            entry = entries[0]
            # The person's own bind proves the password; an empty one would be an anonymous bind.
            with Connection(server, entry["dn"], password, receive_timeout=timeout, read_only=True) as own:
                if not own.bind():
                    return None
                own.search(entry["dn"], "(objectClass=*)", BASE, attributes=["1.1"])
            service.search(settings["ldap_base_dn"], settings["ldap_group_filter"].replace("{dn}", escape_filter_chars(entry["dn"])),
                           SUBTREE, attributes=["1.1"])
            groups = {_dn(e["dn"]) for e in service.response if e.get("type") == "searchResEntry"}
    except LDAPException as exc:
        log.warning("directory sign-in refused: the directory could not be asked (%s)", exc)
        return None
    return _first(entry, code_attribute), _first(entry, email_attribute).lower(), groups


def sync_roles(person: Person, groups: set[str], mapping: dict[str, Role]) -> None:
    """The person holds exactly the mapped roles of their groups."""
    from workflow import policy
    from workflow.accounts import operations

    wanted = {role for dn, role in mapping.items() if dn in groups}
    for role in sorted(set(mapping.values()) - wanted):
        for grant in [g for g in person.roles if g.role == role]:
            operations.revoke_role(grant, actor=policy.SYSTEM, reason=gettext("No longer in the directory's group of this role."))
    for role in sorted(wanted - person.role_set):
        operations.grant_role(person, role, actor=policy.SYSTEM)


def check_password(username: str, password: str) -> Person | None:
    """The active, imported person whom the directory knows by these credentials, or None."""
    settings = current_app.config["KPI"]
    if not settings["ldap_url"] or not password:
        return None
    found = _lookup(settings, username.strip(), password)
    if found is None:
        return None
    code, email, groups = found
    person = person_for(code, email)
    if person is None or not person.active:
        # The sign-in fails as a wrong password does (audited by the caller); the log says why.
        log.info("directory sign-in refused: %s", "deactivated person" if person else "no imported person with this code or e-mail")
        return None
    sync_roles(person, groups, group_roles(settings["ldap_group_roles"]))
    return person
