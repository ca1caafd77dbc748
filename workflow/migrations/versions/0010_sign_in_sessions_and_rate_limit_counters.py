"""Sign-in sessions kept on the server, and rate-limit counters in the database

`sign_in_session`: one row per signed-in browser; the session cookie names it by a random key
(its hash is stored). Signing out, a password change, a deactivation and "sign out everywhere"
delete rows, so they end sessions at once. It replaces `person.auth_epoch`: everyone signed in
before this upgrade is asked to sign in again.

`rate_limit_counter`: the counters of sign-in throttling, shared by every worker and instance
(the default `ratelimit_storage_uri = "database://"`).

Revision ID: 0010_sessions_counters
Revises: 0009_quota_exception
Create Date: 2026-12-06 23:02:22.229961

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_sessions_counters'
down_revision = '0009_quota_exception'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_counter',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counter'))
    )
    with op.batch_alter_table('rate_limit_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_counter_expires_at'), ['expires_at'], unique=False)

    op.create_table('sign_in_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.Column('agent', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_sign_in_session_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_session')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_sign_in_session_key_hash'))
    )
    with op.batch_alter_table('sign_in_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_session_person_id'), ['person_id'], unique=False)

    # In place (SQLite ≥ 3.35 drops a column itself): batch mode would copy `person`, which the
    # rows of many tables refer to, and SQLite refuses to drop the original then.
    op.drop_column('person', 'auth_epoch')


def downgrade():
    # Every session cookie of the newer version names a row dropped here: all are signed out.
    op.add_column('person', sa.Column('auth_epoch', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('sign_in_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_session_person_id'))
    op.drop_table('sign_in_session')

    with op.batch_alter_table('rate_limit_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_counter_expires_at'))
    op.drop_table('rate_limit_counter')
