"""An exception to the quota belongs to a track (the committee counts each track's quota apart)

- quota_exception.track: the code of the track whose quota the committee exceeds; "heads" for
  every exception recorded before.

Revision ID: 0017_quota_exception_track
Revises: 0016_directory
Create Date: 2026-12-07 04:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0017_quota_exception_track'
down_revision = '0016_directory'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('quota_exception', sa.Column('track', sa.String(length=32), server_default='heads', nullable=False))


def downgrade():
    with op.batch_alter_table('quota_exception', schema=None) as batch_op:
        batch_op.drop_column('track')
