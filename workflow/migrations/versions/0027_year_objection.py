"""Objections of civil servants to the level of their year

- monthly_year_objection: a servant's objection (kiến nghị) to the level the head of agency
  decided for their year: its text, when it was filed and by whom, the level objected to, its
  state (filed, upheld, rejected), the head's answer, the level after an upheld objection, who
  answered and when, and a version for concurrent answers. Downgrading drops the objections.

Revision ID: 0027_year_objection
Revises: 0026_collective_self_scoring
Create Date: 2026-12-07 20:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0027_year_objection'
down_revision = '0026_collective_self_scoring'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monthly_year_objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('filed_at', sa.DateTime(), nullable=False),
    sa.Column('level_before', sa.String(length=32), nullable=False),
    sa.Column('state', sa.Enum('filed', 'upheld', 'rejected', name='objectionstate', native_enum=False, length=8), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('level_after', sa.String(length=32), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], name=op.f('fk_monthly_year_objection_decided_by_id_person')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['person.id'], name=op.f('fk_monthly_year_objection_filed_by_id_person')),
    sa.ForeignKeyConstraint(['result_id'], ['monthly_year.id'], name=op.f('fk_monthly_year_objection_result_id_monthly_year'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_year_objection'))
    )
    with op.batch_alter_table('monthly_year_objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_year_objection_result_id'), ['result_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monthly_year_objection_state'), ['state'], unique=False)


def downgrade():
    with op.batch_alter_table('monthly_year_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monthly_year_objection_state'))
        batch_op.drop_index(batch_op.f('ix_monthly_year_objection_result_id'))

    op.drop_table('monthly_year_objection')
