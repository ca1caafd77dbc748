"""The dispatcher's claim read off an index of the pending messages

- ix_notification_pending: notification (next_attempt_at, id) WHERE state = 'pending' — the
  claim takes the never tried by id, then the due retries by when they fell due, each read off
  this index: with a month's reminders waiting (340,000 at the scale of a civil service) a claim
  reads its batch instead of sorting every pending row.

Revision ID: 0025_notification_pending
Revises: 0024_person_photo
Create Date: 2026-12-15 09:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0025_notification_pending'
down_revision = '0024_person_photo'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_notification_pending', 'notification', ['next_attempt_at', 'id'], unique=False,
                    postgresql_where=sa.text("state = 'pending'"), sqlite_where=sa.text("state = 'pending'"))


def downgrade():
    op.drop_index('ix_notification_pending', table_name='notification',
                  postgresql_where=sa.text("state = 'pending'"), sqlite_where=sa.text("state = 'pending'"))
