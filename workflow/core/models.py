"""The declarative base, column types and mixins shared by every model, and the clock they
and the operations read (`utcnow`)."""

from __future__ import annotations

import enum
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, Integer, MetaData, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# A moment that stands for "now" while a story is told at its own times (the demo province's
# past years): set by `simulated_time`, read by `utcnow`, so every timestamp an operation and
# the columns' defaults write is that of the story.
_simulated: ContextVar[tuple[datetime, float] | None] = ContextVar("simulated_now", default=None)


def utcnow() -> datetime:
    simulated = _simulated.get()
    if simulated is None:
        return datetime.now(UTC)
    moment, set_at = simulated
    return moment + timedelta(seconds=time.monotonic() - set_at)  # runs on, so steps keep their order


@contextmanager
def simulated_time(moment: datetime) -> Iterator[datetime]:
    """`utcnow()` is `moment` (an aware datetime), running on from there, inside the block,
    which is given the moment."""
    if moment.tzinfo is None:
        raise ValueError("simulated_time needs an aware datetime")
    token = _simulated.set((moment.astimezone(UTC), time.monotonic()))
    try:
        yield moment
    finally:
        _simulated.reset(token)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database (SQLite keeps no zone, so it stores naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    # Given as a registry (not class attributes) so Flask-SQLAlchemy's subclass inherits it.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class CreatedAt:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Versioned:
    """Optimistic concurrency: every UPDATE checks and bumps `version`.

    A writer that loaded version N and saves after someone else saved N+1 gets StaleDataError at
    flush; callers that carry the version through a form or an If-Match header check it earlier
    with `workflow.core.concurrency.check_version` to give a clear message.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}


def enum_column(enum_cls: type[enum.Enum], **kw: object) -> Enum:
    """Store an enum as a string of its value rather than a database ENUM type, so adding a
    state needs no ALTER TYPE on PostgreSQL; Python refuses values outside the enum."""
    return Enum(
        enum_cls,
        values_callable=lambda cls: [m.value for m in cls],
        native_enum=False,
        validate_strings=True,
        length=max(len(m.value) for m in enum_cls),
        **kw,
    )


# JSON everywhere, stored as JSONB on PostgreSQL.
JSONType = JSON().with_variant(JSONB(), "postgresql")
