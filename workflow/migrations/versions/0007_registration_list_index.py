"""An index for lists of registrations: units by group, name and id

The registration list (page and API) shows a cycle's registrations by group and unit name; with
this index the database reads the first page in that order instead of sorting every unit.

Revision ID: 0007_list_index
Revises: 0006_council
Create Date: 2026-11-22 07:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_list_index'
down_revision = '0006_council'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index('ix_unit_group_name', ['group_id', 'name', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_group_name')
