"""Citizens' ratings at the one-stop counter

- rating_counter: a unit's counters, with the official on duty;
- rating_device: kiosks bound to a counter and machine clients bound to a unit, each with its
  own token (its SHA-256 only);
- rating: one per dossier and per idempotency key, anonymous, grouped by unit or official and
  month;
- rating_case: the manager's answer to each "không hài lòng";
- rating_import_mapping: saved column mappings of other systems' exports.

Revision ID: 0014_ratings
Revises: 0013_monthly
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0014_ratings'
down_revision = '0013_monthly'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table('rating_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['official_id'], ['person.id'], name=op.f('fk_rating_counter_official_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_rating_counter_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_counter')),
    sa.UniqueConstraint('unit_id', 'name', name=op.f('uq_rating_counter_unit_id_name'))
    )
    with op.batch_alter_table('rating_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_counter_official_id'), ['official_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_counter_unit_id'), ['unit_id'], unique=False)

    op.create_table('rating_device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('kiosk', 'client', name='devicekind', native_enum=False, length=6), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('token_hint', sa.String(length=8), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(kind = 'kiosk') = (counter_id IS NOT NULL)", name=op.f('ck_rating_device_kiosk_iff_counter')),
    sa.ForeignKeyConstraint(['counter_id'], ['rating_counter.id'], name=op.f('fk_rating_device_counter_id_rating_counter')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_rating_device_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_device')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_rating_device_token_hash'))
    )
    with op.batch_alter_table('rating_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_device_counter_id'), ['counter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_device_unit_id'), ['unit_id'], unique=False)

    op.create_table('rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('dossier', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('official_id', sa.Integer(), nullable=True),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Enum('kiosk', 'qr', 'import', 'api', name='channel', native_enum=False, length=6), nullable=False),
    sa.Column('verdict', sa.Enum('very_satisfied', 'satisfied', 'unsatisfied', name='verdict', native_enum=False, length=14), nullable=False),
    sa.Column('scores', JSON, nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('rated_at', sa.DateTime(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['rating_counter.id'], name=op.f('fk_rating_counter_id_rating_counter')),
    sa.ForeignKeyConstraint(['device_id'], ['rating_device.id'], name=op.f('fk_rating_device_id_rating_device')),
    sa.ForeignKeyConstraint(['official_id'], ['person.id'], name=op.f('fk_rating_official_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_rating_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating')),
    sa.UniqueConstraint('dossier', name=op.f('uq_rating_dossier')),
    sa.UniqueConstraint('key', name=op.f('uq_rating_key'))
    )
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index('ix_rating_official_month', ['official_id', 'month'], unique=False)
        batch_op.create_index('ix_rating_unit_month', ['unit_id', 'month'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_counter_id'), ['counter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_device_id'), ['device_id'], unique=False)

    op.create_table('rating_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('open', 'answered', name='casestate', native_enum=False, length=8), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('justified', sa.Boolean(), nullable=True),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('escalated_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['person.id'], name=op.f('fk_rating_case_answered_by_id_person')),
    sa.ForeignKeyConstraint(['official_id'], ['person.id'], name=op.f('fk_rating_case_official_id_person')),
    sa.ForeignKeyConstraint(['rating_id'], ['rating.id'], name=op.f('fk_rating_case_rating_id_rating')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_rating_case_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_case')),
    sa.UniqueConstraint('rating_id', name=op.f('uq_rating_case_rating_id'))
    )
    with op.batch_alter_table('rating_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_case_official_id'), ['official_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_case_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_case_unit_id'), ['unit_id'], unique=False)

    op.create_table('rating_import_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('columns', JSON, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_import_mapping')),
    sa.UniqueConstraint('name', name=op.f('uq_rating_import_mapping_name'))
    )


def downgrade():
    op.drop_table('rating_import_mapping')
    op.drop_table('rating_case')
    op.drop_table('rating')
    op.drop_table('rating_device')
    op.drop_table('rating_counter')
