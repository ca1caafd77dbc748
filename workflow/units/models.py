"""Units and unit groups.

The articles name four groups of agencies and units (provincial departments, districts and
cities, Party advisory bodies, the Fatherland Front and mass organisations). Units form a
hierarchy (a district and its communes); a leader's result can depend on subordinate units.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from workflow.core.models import CreatedAt, Versioned
from workflow.extensions import db

if TYPE_CHECKING:
    from workflow.accounts.models import Person


class UnitGroup(Versioned, db.Model):
    """Nhóm cơ quan, đơn vị."""

    __tablename__ = "unit_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    # Filled only by queries that ask for it (`workflow.units.queries.groups`).
    unit_count: Mapped[int | None] = query_expression()


class Unit(CreatedAt, Versioned, db.Model):
    """Cơ quan, đơn vị, địa phương."""

    __tablename__ = "unit"
    # Lists of registrations show units by group and name: this order, read from the index,
    # gives a page without sorting every unit of the province.
    __table_args__ = (Index("ix_unit_group_name", "group_id", "name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    group_id: Mapped[int] = mapped_column(ForeignKey("unit_group.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # The staff officer (chuyên viên Ban Tổ chức) who follows this unit: reviews its
    # registration, chases its reports and receives escalations about it.
    staff_officer_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", use_alter=True), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    group: Mapped[UnitGroup] = relationship()
    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    staff_officer: Mapped[Person | None] = relationship(foreign_keys=[staff_officer_id])

    # The current head, when a query attached it (`workflow.units.queries.attach_heads`): heads
    # are role grants, and loading them unit by unit would cost a statement per row.
    head = None
