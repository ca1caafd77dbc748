"""The month's figures of citizens' ratings kept beside them, per unit and per official

- rating_unit_month (unit, yyyymm) and rating_official_month (official, unit, yyyymm): ratings,
  satisfied, cases opened, answered and found unjustified; maintained in the transaction that
  receives ratings or answers a case (workflow.ratings.months), read by the dashboards and the
  evidence instead of the ratings. Filled here from the ratings and cases already stored.

Revision ID: 0023_ratings_months
Revises: 0022_monthly_imports
Create Date: 2026-12-07 13:10:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0023_ratings_months'
down_revision = '0022_monthly_imports'
branch_labels = None
depends_on = None

COUNTS = ("total", "satisfied", "cases", "answered", "unjustified")
COUNTED = ("count(r.id), sum(CASE WHEN r.verdict IN ('very_satisfied', 'satisfied') THEN 1 ELSE 0 END), count(c.id), "
           "sum(CASE WHEN c.state = 'answered' THEN 1 ELSE 0 END), sum(CASE WHEN c.justified IS NOT NULL AND NOT c.justified THEN 1 ELSE 0 END) "
           "FROM rating r LEFT JOIN rating_case c ON c.rating_id = r.id")


def _counts():
    return [sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS]


def upgrade():
    op.create_table('rating_unit_month',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    *_counts(),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_rating_unit_month_unit_id_unit')),
    sa.PrimaryKeyConstraint('unit_id', 'month', name=op.f('pk_rating_unit_month'))
    )
    op.create_table('rating_official_month',
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    *_counts(),
    sa.ForeignKeyConstraint(['official_id'], ['person.id'], name=op.f('fk_rating_official_month_official_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_rating_official_month_unit_id_unit')),
    sa.PrimaryKeyConstraint('official_id', 'unit_id', 'month', name=op.f('pk_rating_official_month'))
    )
    with op.batch_alter_table('rating_official_month', schema=None) as batch_op:
        batch_op.create_index('ix_rating_official_month_unit_month', ['unit_id', 'month'], unique=False)
    columns = ", ".join(COUNTS)
    op.execute(f"INSERT INTO rating_unit_month (unit_id, month, {columns}) SELECT r.unit_id, r.month, {COUNTED} GROUP BY r.unit_id, r.month")
    op.execute(f"INSERT INTO rating_official_month (official_id, unit_id, month, {columns}) SELECT r.official_id, r.unit_id, r.month, {COUNTED} "
               "WHERE r.official_id IS NOT NULL GROUP BY r.official_id, r.unit_id, r.month")


def downgrade():
    with op.batch_alter_table('rating_official_month', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_official_month_unit_month')
    op.drop_table('rating_official_month')
    op.drop_table('rating_unit_month')
