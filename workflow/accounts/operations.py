"""Changes to people, roles and tokens. Every function takes the acting person explicitly and
writes the audit entry; callers commit."""

from __future__ import annotations

import hmac
from datetime import timedelta

from flask_babel import gettext
from sqlalchemy import select

from workflow.accounts.models import TOKEN_PREFIX, ApiToken, Person, Role, RoleGrant
from workflow.accounts.passwords import dummy_verify, hash_password, needs_rehash, verify_password
from workflow.core import audit
from workflow.core.errors import DomainError, ValidationFailed
from workflow.core.i18n import LOCALES
from workflow.core.models import utcnow
from workflow.extensions import db

MIN_PASSWORD_LENGTH = 10


def find_by_username(username: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.username == username.strip().lower()))


def authenticate(username: str, password: str) -> Person | None:
    """The person whose credentials these are, or None; failures are audited."""
    person = find_by_username(username) if username else None
    if person is None:
        dummy_verify(password)
        audit.record("account.login_failed", actor=None, object_type="person", summary=username[:100])
        return None
    if not verify_password(person.password_hash, password) or not person.active:
        audit.record("account.login_failed", person, actor=None, summary=person.username)
        return None
    if needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
    person.last_login_at = utcnow()
    audit.record("account.login", person, actor=person, summary=person.username)
    return person


def check_password_rules(password: str, username: str) -> None:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(gettext("At least %(min)s characters.", min=MIN_PASSWORD_LENGTH))
    if username and username.lower() in password.lower():
        problems.append(gettext("Must not contain the username."))
    if problems:
        raise ValidationFailed({"password": problems})


def create_person(
    *,
    actor: Person | None,
    username: str,
    full_name: str,
    email: str,
    password: str | None = None,
    title: str = "",
    unit_id: int | None = None,
    locale: str = "vi",
    password_hash: str | None = None,
) -> Person:
    username = username.strip().lower()
    if find_by_username(username) is not None:
        raise ValidationFailed({"username": [gettext("This username is already taken.")]})
    if password is not None:
        check_password_rules(password, username)
        password_hash = hash_password(password)
    person = Person(
        username=username,
        full_name=full_name,
        email=email,
        title=title,
        unit_id=unit_id,
        locale=locale if locale in LOCALES else "vi",
        password_hash=password_hash or "",
    )
    db.session.add(person)
    audit.record("account.create", person, actor=actor, summary=f"{username} — {full_name}")
    return person


def set_password(person: Person, password: str, *, actor: Person) -> None:
    check_password_rules(password, person.username)
    person.password_hash = hash_password(password)
    person.auth_epoch += 1  # signs out every other session of this person
    audit.record("account.password", person, actor=actor, summary=person.username)


def grant_role(person: Person, role: Role, *, actor: Person | None, unit_id: int | None = None) -> RoleGrant:
    if role == Role.HEAD and unit_id is None:
        raise ValidationFailed({"unit_id": [gettext("A head must be given the unit they lead.")]})
    if any(g.role == role and g.unit_id == unit_id for g in person.roles):
        raise DomainError(gettext("This person already has this role."))
    grant = RoleGrant(role=role, unit_id=unit_id)
    person.roles.append(grant)
    audit.record("account.role_grant", person, actor=actor, summary=f"{person.username}: {role.value}", data={"role": role.value, "unit_id": unit_id})
    return grant


def revoke_role(grant: RoleGrant, *, actor: Person) -> None:
    person = grant.person
    person.roles.remove(grant)
    audit.record("account.role_revoke", person, actor=actor, summary=f"{person.username}: {grant.role.value}", data={"role": grant.role.value, "unit_id": grant.unit_id})


def set_locale(person: Person, locale: str, *, actor: Person) -> None:
    if locale not in LOCALES:
        raise ValidationFailed({"locale": [gettext("Unknown language.")]})
    person.locale = locale


def create_token(person: Person, name: str, *, actor: Person, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """A new personal API token; the returned secret is shown once and never stored."""
    shown, lookup, secret_hash = ApiToken.generate()
    token = ApiToken(
        person_id=person.id,
        name=name,
        lookup=lookup,
        secret_hash=secret_hash,
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    db.session.add(token)
    audit.record("account.token_create", token, actor=actor, summary=f"{person.username}: {name}")
    return token, shown


def revoke_token(token: ApiToken, *, actor: Person) -> None:
    if token.revoked_at is not None:
        raise DomainError(gettext("This token was already revoked."))
    token.revoked_at = utcnow()
    audit.record("account.token_revoke", token, actor=actor, summary=token.name)


def person_for_token(raw: str) -> Person | None:
    """The active person a bearer token belongs to, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    lookup, _, secret = raw[len(TOKEN_PREFIX):].partition("_")
    token = db.session.scalar(select(ApiToken).where(ApiToken.lookup == lookup))
    if token is None or not token.usable():
        return None
    if not hmac.compare_digest(token.secret_hash, ApiToken.hash_secret(secret)):
        return None
    now = utcnow()
    # Recording every use would write on every API read; once a minute is enough to audit.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    person = token.person
    return person if person.active else None

