"""People, their sign-in credentials, their roles and their personal API tokens.

A Person is a human who signs in (cán bộ, chuyên viên, thành viên hội đồng …). Roles are granted
separately, each optionally scoped to a unit, so one person can be the head of a unit and sit on
the council at the same time.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.core.models import CreatedAt, Versioned, enum_column, utcnow
from workflow.extensions import db

if TYPE_CHECKING:
    from workflow.units.models import Unit


class Role(enum.StrEnum):
    HEAD = "head"  # người đứng đầu: scoped to the unit they lead
    STAFF = "staff"  # cơ quan tham mưu (Ban Tổ chức)
    COMMITTEE = "committee"  # Ban Thường vụ
    COUNCIL = "council"  # Hội đồng tư vấn; positions per cycle live with the council
    ADMIN = "admin"  # quản trị


ROLE_LABELS = {
    Role.HEAD: _l("Head of unit"),
    Role.STAFF: _l("Staff agency"),
    Role.COMMITTEE: _l("Standing committee"),
    Role.COUNCIL: _l("Advisory council"),
    Role.ADMIN: _l("Administrator"),
}


class Person(CreatedAt, Versioned, db.Model):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")  # chức vụ
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # The direct manager (lãnh đạo trực tiếp) who assigns and assesses the person's monthly
    # products; None: the head of the person's unit.
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    # Set when an administrator chose the password (a new account, a reset): the person is asked
    # to choose their own before doing anything else, since the administrator knows this one.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    # From the province's personnel records (workflow.directory): the key an import matches
    # people by (mã cán bộ), the position held and the day the person took up the post (the
    # direct manager is `manager_id` above, which an import sets too). Empty for accounts made by hand.
    personnel_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("position.id"), index=True)
    started_on: Mapped[date | None]

    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])
    manager: Mapped[Person | None] = relationship(remote_side=[id], foreign_keys=[manager_id])
    roles: Mapped[list[RoleGrant]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )

    # Flask-Login protocol
    is_authenticated = True
    is_anonymous = False
    # The key of the sign-in session this person object was loaded through (not stored: see
    # SignInSession). Flask-Login keeps `get_id()` in the cookie, so the cookie names a session
    # that the server can end, never the person alone.
    session_key = None  # str while signed in through a session

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        if not self.session_key:
            raise RuntimeError("no sign-in session: use workflow.accounts.sessions.begin")
        return self.session_key

    def has_role(self, role: Role, unit_id: int | None = None) -> bool:
        return any(g.role == role and (unit_id is None or g.unit_id == unit_id) for g in self.roles)

    @property
    def role_set(self) -> set[Role]:
        return {g.role for g in self.roles}

    @property
    def head_unit_ids(self) -> set[int]:
        return {g.unit_id for g in self.roles if g.role == Role.HEAD and g.unit_id is not None}

    def __repr__(self) -> str:
        return f"<Person {self.username}>"


class RoleGrant(CreatedAt, db.Model):
    """A role held by a person, optionally scoped to a unit (head of unit X)."""

    __tablename__ = "role_grant"
    __table_args__ = (
        UniqueConstraint("person_id", "role", "unit_id"),
        # One head per unit: the rule `grant_role` explains to the user, kept by the database
        # against two administrators granting at the same moment.
        Index(
            "uq_role_grant_one_head_per_unit",
            "unit_id",
            unique=True,
            sqlite_where=text("role = 'head'"),
            postgresql_where=text("role = 'head'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)

    person: Mapped[Person] = relationship(back_populates="roles")
    unit: Mapped[Unit | None] = relationship()


class SignInSession(CreatedAt, db.Model):
    """A browser signed in as a person (phiên đăng nhập).

    The signed session cookie carries a random key; only its hash is stored here. Signing out
    deletes the row, and so do a password change, a deactivation and "sign out everywhere" for
    all of a person's rows: a copy of the cookie made before stops working at once. Idle time and
    the absolute lifetime are checked from the signed cookie (workflow.core.security), so a
    request costs one indexed lookup and no write.
    """

    __tablename__ = "sign_in_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Shown to the person on their account page, so they can recognise their own browsers.
    address: Mapped[str] = mapped_column(String(45), default="")
    agent: Mapped[str] = mapped_column(String(200), default="")

    person: Mapped[Person] = relationship()

    @staticmethod
    def hash_key(key: str) -> str:
        # A random 256-bit key: a fast hash is enough, as for API tokens.
        return hashlib.sha256(key.encode()).hexdigest()


TOKEN_PREFIX = "kpi_"


class ApiToken(CreatedAt, db.Model):
    """A personal token for the JSON API. Only a hash is stored; the secret is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    lookup: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()

    @staticmethod
    def hash_secret(secret: str) -> str:
        # Tokens are long random strings, so a fast hash is enough (no dictionary to attack).
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def generate(cls) -> tuple[str, str, str]:
        """Return (token shown to the user, lookup part, hash of the secret part)."""
        lookup = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        return f"{TOKEN_PREFIX}{lookup}_{secret}", lookup, cls.hash_secret(secret)

    def usable(self) -> bool:
        now = utcnow()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
