"""Monthly self-scoring of collectives and its recognition by the committee above

- collective_self_score: one row per collective subject, cycle and month (1–12): the self-score
  (0–100, empty in a draft) and its note, the state (draft, submitted, recognised, returned), who
  submitted it and when, who recognised or returned it and when, the reason of a return, and a
  version for concurrent edits. Downgrading drops the months.

Revision ID: 0026_collective_self_scoring
Revises: 0025_notification_pending
Create Date: 2026-12-07 16:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0026_collective_self_scoring'
down_revision = '0025_notification_pending'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('collective_self_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'recognised', 'returned', name='selfscorestate', native_enum=False, length=10), nullable=False),
    sa.Column('points', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('returned_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_collective_self_score_month_range')),
    sa.CheckConstraint('points IS NULL OR (points >= 0 AND points <= 100)', name=op.f('ck_collective_self_score_points_range')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_collective_self_score_cycle_id_cycle'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['person.id'], name=op.f('fk_collective_self_score_reviewed_by_id_person')),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_collective_self_score_subject_id_subject')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['person.id'], name=op.f('fk_collective_self_score_submitted_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collective_self_score')),
    sa.UniqueConstraint('subject_id', 'cycle_id', 'month', name=op.f('uq_collective_self_score_subject_id_cycle_id_month'))
    )
    with op.batch_alter_table('collective_self_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collective_self_score_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collective_self_score_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_collective_self_score_subject_id'), ['subject_id'], unique=False)


def downgrade():
    with op.batch_alter_table('collective_self_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collective_self_score_subject_id'))
        batch_op.drop_index(batch_op.f('ix_collective_self_score_state'))
        batch_op.drop_index(batch_op.f('ix_collective_self_score_cycle_id'))

    op.drop_table('collective_self_score')
