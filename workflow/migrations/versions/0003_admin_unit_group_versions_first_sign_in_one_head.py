"""Unit groups get a version (concurrent edits), people a "must change password" flag (after an
administrator set it), and a unit at most one head

Revision ID: 0003_admin
Revises: 0002_targets
Create Date: 2026-11-22 03:15:54.125675

"""
from alembic import op
import sqlalchemy as sa


revision = '0003_admin'
down_revision = '0002_targets'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows get the values a new row would: a first version, no forced change.
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('unit_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))

    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.create_index(
            'uq_role_grant_one_head_per_unit', ['unit_id'], unique=True,
            sqlite_where=sa.text("role = 'head'"), postgresql_where=sa.text("role = 'head'"),
        )


def downgrade():
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.drop_index('uq_role_grant_one_head_per_unit')

    with op.batch_alter_table('unit_group', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
