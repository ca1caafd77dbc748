"""The year of a civil servant: general criteria, the cases of "không hoàn thành", the decision

- monthly_year: one subject's year in a cycle, in a track the direct manager assesses — the
  general criteria the direct manager scores once (and the task results where the year has no
  monthly plans), a case of Nghị định 335/2025 Điều 20 k4 b–d with its reference, and the head of agency's
  decision (level, the proposal it departs from with a reason, the figures frozen then).

Revision ID: 0021_monthly_year
Revises: 0020_collective_waivers
Create Date: 2026-12-07 06:15:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0021_monthly_year'
down_revision = '0020_collective_waivers'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    op.create_table(
        'monthly_year',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('cycle_id', sa.Integer(), nullable=False),
        sa.Column('general', JSON, nullable=False),
        sa.Column('general_note', sa.Text(), nullable=False),
        sa.Column('tasks', JSON, nullable=False),
        sa.Column('assessed_at', sa.DateTime(), nullable=True),
        sa.Column('assessed_by_id', sa.Integer(), nullable=True),
        sa.Column('case', sa.Enum('degradation', 'duty_discipline', 'corruption_in_agency', name='yearcase', native_enum=False), nullable=True),
        sa.Column('case_reference', sa.String(length=200), nullable=False),
        sa.Column('level', sa.String(length=32), nullable=True),
        sa.Column('proposed_level', sa.String(length=32), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('task_points', sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column('total', sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column('trace', JSON, nullable=False),
        sa.Column('rubric_version', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['assessed_by_id'], ['person.id'], name=op.f('fk_monthly_year_assessed_by_id_person')),
        sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_monthly_year_cycle_id_cycle')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], name=op.f('fk_monthly_year_decided_by_id_person')),
        sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_monthly_year_subject_id_subject')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_year')),
        sa.UniqueConstraint('subject_id', 'cycle_id', name=op.f('uq_monthly_year_subject_id_cycle_id')),
    )
    with op.batch_alter_table('monthly_year', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_year_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monthly_year_subject_id'), ['subject_id'], unique=False)


def downgrade():
    with op.batch_alter_table('monthly_year', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monthly_year_subject_id'))
        batch_op.drop_index(batch_op.f('ix_monthly_year_cycle_id'))
    op.drop_table('monthly_year')
