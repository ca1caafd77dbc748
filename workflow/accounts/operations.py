"""Changes to people, roles and tokens. Every function takes the acting person explicitly,
checks their permission and writes the audit entry; callers commit.

Administrators create and edit accounts, set temporary passwords (the person must then choose
their own), deactivate and reactivate accounts, sign people out everywhere and grant or revoke
roles. Two refusals protect the service from its administrators: nobody removes their own admin
role or deactivates themself, so an administrator always remains; and a unit has one head at a
time (granting a second is refused, or replaces the first when asked to).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import timedelta

from flask_babel import gettext
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from workflow import policy
from workflow.accounts import sessions
from workflow.accounts.models import TOKEN_PREFIX, ApiToken, Person, Role, RoleGrant
from workflow.accounts.passwords import dummy_verify, hash_password, needs_rehash, verify_password
from workflow.core import audit
from workflow.core.concurrency import check_version
from workflow.core.errors import DomainError, ValidationFailed
from workflow.core.i18n import LOCALES
from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.units.models import Unit

MIN_PASSWORD_LENGTH = 10
PERSON_FIELDS = ("full_name", "email", "title", "unit_id", "locale")


def find_by_username(username: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.username == username.strip().lower()))


# Other ways to check a password than the local one (the province's directory, registered by
# `workflow.directory`): each returns the active person the credentials prove, or None. They are
# asked only when the local password does not match, so a break-glass administrator's local
# password works while the directory is down.
PasswordCheck = Callable[[str, str], "Person | None"]
_password_checks: list[PasswordCheck] = []


def add_password_check(check: PasswordCheck) -> None:
    if check not in _password_checks:
        _password_checks.append(check)


def _other_checks(username: str, password: str) -> Person | None:
    for check in _password_checks:
        person = check(username, password)
        if person is not None:
            return person
    return None


def authenticate(username: str, password: str) -> Person | None:
    """The person whose credentials these are, or None; failures are audited."""
    person = find_by_username(username) if username else None
    local = person is not None and verify_password(person.password_hash, password)
    if local and person.active:
        return signed_in(person, password=password)
    other = _other_checks(username, password) if username and password and not local else None
    if other is not None:
        return signed_in(other, via="directory")
    if person is None:
        dummy_verify(password)
        sign_in_refused(username)
        return None
    audit.record("account.login_failed", person, actor=None, summary=person.username)
    return None


def sign_in_refused(username: str, *, via: str | None = None) -> None:
    """Audit a sign-in refused for someone this service does not know by that name."""
    audit.record("account.login_failed", actor=None, object_type="person", summary=username[:100], data={"via": via} if via else None)


def signed_in(person: Person, *, password: str | None = None, via: str | None = None) -> Person:
    """Record a successful sign-in (and rehash a local password stored with old parameters)."""
    # Bookkeeping, written without the version check: a person signing in on two devices at once,
    # or while an administrator edits their account, must not be refused as a conflicting edit.
    values = {"last_login_at": utcnow()}
    if password is not None and needs_rehash(person.password_hash):
        values["password_hash"] = hash_password(password)
    db.session.execute(update(Person.__table__).where(Person.__table__.c.id == person.id).values(**values))
    for name, value in values.items():
        set_committed_value(person, name, value)
    audit.record("account.login", person, actor=person, summary=person.username, data={"via": via} if via else None)
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
    actor: Person,
    username: str,
    full_name: str,
    email: str,
    password: str | None = None,
    title: str = "",
    unit_id: int | None = None,
    locale: str = "vi",
    password_hash: str | None = None,
    must_change_password: bool = False,
) -> Person:
    """A new account. `must_change_password` when someone other than the person chose the
    password (an administrator): the person is asked to replace it at their first sign-in."""
    policy.require(actor, "admin.accounts.manage")
    username = username.strip().lower()
    errors: dict[str, list[str]] = {}
    if find_by_username(username) is not None:
        errors["username"] = [gettext("This username is already taken.")]
    errors.update(_unit_errors(unit_id))
    if errors:
        raise ValidationFailed(errors)
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
        must_change_password=must_change_password,
    )
    db.session.add(person)
    audit.record("account.create", person, actor=actor, summary=f"{username} — {full_name}")
    return person


def set_password(person: Person, password: str, *, actor: Person) -> None:
    """A new password, chosen by the person or (a reset) by an administrator; every session of
    the person ends. After a reset the person must choose their own at the next sign-in."""
    policy.require(actor, "account.password.set", person)
    check_password_rules(password, person.username)
    person.password_hash = hash_password(password)
    sessions.end_all(person)
    person.must_change_password = actor.id != person.id
    action = "account.password" if actor.id == person.id else "account.password_reset"
    audit.record(action, person, actor=actor, summary=person.username)


def _unit_errors(unit_id: int | None) -> dict[str, list[str]]:
    if unit_id is not None and db.session.get(Unit, unit_id) is None:
        return {"unit_id": [gettext("Unknown unit.")]}
    return {}


def update_person(person: Person, *, actor: Person, version: int | None, **values: object) -> dict[str, list[object]]:
    """Edit the profile of an account (not its username, password or roles); returns the changes."""
    policy.require(actor, "admin.accounts.manage", person)
    check_version(person, version)
    values = {k: v for k, v in values.items() if k in PERSON_FIELDS}
    errors = _unit_errors(values.get("unit_id"))  # type: ignore[arg-type]
    if "locale" in values and values["locale"] not in LOCALES:
        errors["locale"] = [gettext("Unknown language.")]
    if errors:
        raise ValidationFailed(errors)
    changed = audit.apply_changes(person, values)
    if changed:
        audit.record("account.update", person, actor=actor, summary=f"{person.username} — {person.full_name}", data={"changes": changed})
    return changed


def deactivate_person(person: Person, *, actor: Person) -> None:
    """Close an account: the person can no longer sign in or use their tokens, and every session
    they have ends now. Their roles stay, so a reactivation restores them as they were."""
    policy.require(actor, "admin.accounts.manage", person)
    if person.id == actor.id:
        raise DomainError(gettext("You cannot deactivate your own account. Ask another administrator."))
    if not person.active:
        raise DomainError(gettext("This account is already deactivated."))
    person.active = False
    sessions.end_all(person)
    audit.record("account.deactivate", person, actor=actor, summary=person.username)


def reactivate_person(person: Person, *, actor: Person) -> None:
    policy.require(actor, "admin.accounts.manage", person)
    if person.active:
        raise DomainError(gettext("This account is already active."))
    person.active = True
    audit.record("account.reactivate", person, actor=actor, summary=person.username)


def sign_out_everywhere(person: Person, *, actor: Person) -> None:
    """End every session of the person (API tokens are separate and stay valid)."""
    policy.require(actor, "account.sessions.end", person)
    sessions.end_all(person)
    audit.record("account.sign_out_everywhere", person, actor=actor, summary=person.username)


def _role_summary(person: Person, unit_id: int | None) -> str:
    """Who was given or lost a role, and the unit a head leads; the role itself is in the
    entry's data, shown in words by the audit log."""
    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    return f"{person.username} — {unit.name}" if unit is not None else person.username


def grant_role(
    person: Person, role: Role, *, actor: Person, unit_id: int | None = None, replace_head: bool = False
) -> RoleGrant:
    """Give `person` a role; a head is given the unit they lead. A unit has one head: granting
    the head of a unit that has one is refused unless `replace_head`, which first revokes the
    current head's grant (both audited)."""
    policy.require(actor, "admin.accounts.manage", person)
    if role == Role.HEAD:
        if unit_id is None:
            raise ValidationFailed({"unit_id": [gettext("A head must be given the unit they lead.")]})
        unit = db.session.get(Unit, unit_id)
        if unit is None:
            raise ValidationFailed({"unit_id": [gettext("Unknown unit.")]})
        if not unit.active:
            raise ValidationFailed({"unit_id": [gettext("This unit is deactivated.")]})
    elif unit_id is not None:
        raise ValidationFailed({"unit_id": [gettext("Only the head role is tied to a unit; leave the unit empty.")]})
    if any(g.role == role and g.unit_id == unit_id for g in person.roles):
        raise DomainError(gettext("This person already has this role."))
    if role == Role.HEAD:
        current = db.session.scalar(select(RoleGrant).where(RoleGrant.role == Role.HEAD, RoleGrant.unit_id == unit_id))
        if current is not None:
            if not replace_head:
                raise ValidationFailed(
                    {
                        "unit_id": [
                            gettext(
                                "%(unit)s already has a head: %(name)s (%(username)s). Revoke that role first, "
                                "or choose to replace the current head.",
                                unit=unit.name,
                                name=current.person.full_name,
                                username=current.person.username,
                            )
                        ]
                    }
                )
            revoke_role(current, actor=actor, reason=gettext("Replaced as head by %(username)s.", username=person.username))
            # The old grant must be gone before the new one is written (one head per unit).
            db.session.flush()
    grant = RoleGrant(role=role, unit_id=unit_id)
    person.roles.append(grant)
    audit.record(
        "account.role_grant",
        person,
        actor=actor,
        summary=_role_summary(person, unit_id),
        data={"role": role.value, "unit_id": unit_id},
    )
    return grant


def revoke_role(grant: RoleGrant, *, actor: Person, reason: str | None = None) -> None:
    person = grant.person
    policy.require(actor, "admin.accounts.manage", person)
    if grant.role == Role.ADMIN and person.id == actor.id:
        raise DomainError(gettext("You cannot remove your own administrator role. Ask another administrator."))
    person.roles.remove(grant)
    audit.record(
        "account.role_revoke",
        person,
        actor=actor,
        summary=_role_summary(person, grant.unit_id),
        reason=reason,
        data={"role": grant.role.value, "unit_id": grant.unit_id},
    )


def set_locale(person: Person, locale: str, *, actor: Person) -> None:
    policy.require(actor, "account.profile.edit", person)
    if locale not in LOCALES:
        raise ValidationFailed({"locale": [gettext("Unknown language.")]})
    person.locale = locale


def create_token(person: Person, name: str, *, actor: Person, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """A new personal API token; the returned secret is shown once and never stored."""
    policy.require(actor, "account.tokens.manage", person)
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
    policy.require(actor, "account.tokens.manage", token.person)
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

