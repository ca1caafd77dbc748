"""Collectives decided before their leaders (tập thể trước, cá nhân sau)

- collective_waiver: the standing committee's recorded reason for deciding the leaders of a
  collective before the collective itself (the committee's decision on such a leader is refused
  without one);
- leader_recheck: a leader whose collective's decision came or changed after the leader was
  scored or decided: the recomputed level, and the committee's new decision that clears it.

Revision ID: 0020_collective_waivers
Revises: 0019_opinions
Create Date: 2026-12-07 06:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0020_collective_waivers'
down_revision = '0019_opinions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('collective_waiver',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('collective_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['collective_id'], ['registration.id'], name=op.f('fk_collective_waiver_collective_id_registration')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_collective_waiver_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['person.id'], name=op.f('fk_collective_waiver_recorded_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collective_waiver')),
    sa.UniqueConstraint('cycle_id', 'collective_id', name=op.f('uq_collective_waiver_cycle_id_collective_id'))
    )
    with op.batch_alter_table('collective_waiver', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collective_waiver_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('leader_recheck',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('collective_decision_id', sa.Integer(), nullable=False),
    sa.Column('collective_level', sa.String(length=32), nullable=False),
    sa.Column('previous_collective_level', sa.String(length=32), nullable=True),
    sa.Column('proposed_level', sa.String(length=32), nullable=True),
    sa.Column('recomputed_level', sa.String(length=32), nullable=True),
    sa.Column('decided_level', sa.String(length=32), nullable=True),
    sa.Column('cleared_at', sa.DateTime(), nullable=True),
    sa.Column('cleared_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cleared_by_id'], ['council_decision.id'], name=op.f('fk_leader_recheck_cleared_by_id_council_decision')),
    sa.ForeignKeyConstraint(['collective_decision_id'], ['council_decision.id'], name=op.f('fk_leader_recheck_collective_decision_id_council_decision')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_leader_recheck_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_leader_recheck_registration_id_registration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leader_recheck'))
    )
    with op.batch_alter_table('leader_recheck', schema=None) as batch_op:
        batch_op.create_index('ix_leader_recheck_open', ['cycle_id', 'registration_id', 'cleared_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_leader_recheck_registration_id'), ['registration_id'], unique=False)


def downgrade():
    with op.batch_alter_table('leader_recheck', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leader_recheck_registration_id'))
        batch_op.drop_index('ix_leader_recheck_open')
    op.drop_table('leader_recheck')
    with op.batch_alter_table('collective_waiver', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collective_waiver_cycle_id'))
    op.drop_table('collective_waiver')
