"""Exceptions to the quota at the committee's decision; opening scoring early; what a proposal replaces

- quota_exception: the committee's recorded exception (reason, legal basis, how many heads at
  the quota's level it covers) for deciding more heads at that level in one scope than the quota
  allows; publishing is refused without one;
- cycle.scoring_opened_at, early_scoring_reason, early_scoring_by_id: when scoring opened and,
  when an administrator opened it before the fourth quarter's reports were due, why and who;
- proposal.before: the values a proposed change replaces, as they stood when it was proposed.

Revision ID: 0009_quota_exception
Revises: 0008_form_drafts
Create Date: 2026-12-06 23:04:06.957061

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0009_quota_exception'
down_revision = '0008_form_drafts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quota_exception',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=32), nullable=False),
    sa.Column('heads', sa.Integer(), nullable=False),
    sa.Column('base', sa.Integer(), nullable=False),
    sa.Column('allowance', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_quota_exception_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['group_id'], ['unit_group.id'], name=op.f('fk_quota_exception_group_id_unit_group')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['person.id'], name=op.f('fk_quota_exception_recorded_by_id_person')),
    sa.ForeignKeyConstraint(['session_id'], ['council_session.id'], name=op.f('fk_quota_exception_session_id_council_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quota_exception'))
    )
    with op.batch_alter_table('quota_exception', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quota_exception_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quota_exception_session_id'), ['session_id'], unique=False)

    op.add_column('proposal', sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True))

    # Columns added in place: SQLite's batch mode would copy the cycle table, which the tables
    # referring to it forbid once they hold rows; there the foreign key is declared with its column.
    op.add_column('cycle', sa.Column('scoring_opened_at', sa.DateTime(), nullable=True))
    op.add_column('cycle', sa.Column('early_scoring_reason', sa.Text(), server_default='', nullable=False))
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE cycle ADD COLUMN early_scoring_by_id INTEGER '
                   'CONSTRAINT fk_cycle_early_scoring_by_id_person REFERENCES person (id)')
    else:
        op.add_column('cycle', sa.Column('early_scoring_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_cycle_early_scoring_by_id_person'), 'cycle', 'person', ['early_scoring_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_column('before')

    with op.batch_alter_table('cycle', schema=None) as batch_op:
        if op.get_bind().dialect.name != 'sqlite':  # there the key goes with its column
            batch_op.drop_constraint(batch_op.f('fk_cycle_early_scoring_by_id_person'), type_='foreignkey')
        batch_op.drop_column('early_scoring_by_id')
        batch_op.drop_column('early_scoring_reason')
        batch_op.drop_column('scoring_opened_at')

    with op.batch_alter_table('quota_exception', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quota_exception_session_id'))
        batch_op.drop_index(batch_op.f('ix_quota_exception_cycle_id'))

    op.drop_table('quota_exception')
