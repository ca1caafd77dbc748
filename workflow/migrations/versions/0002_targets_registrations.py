"""Registrations of targets and tasks, their targets, revisions, proposals, comments and
amendments

A registration (bản đăng ký chỉ tiêu, nhiệm vụ) is unique per cycle and unit; targets carry
their quarter plans, tags and a soft "dropped" flag; revisions keep the field-level changes
and a snapshot of the targets after each change; proposals, comments and amendments belong to
a registration and go with it.

Revision ID: 0002_targets
Revises: 0001
Create Date: 2026-11-22 03:22:06.108150

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0002_targets'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('head_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'reviewed', 'returned', 'assigned', name='registrationstate', native_enum=False), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('returned_reason', sa.Text(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_number', sa.String(length=100), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('signer_name', sa.String(length=200), nullable=False),
    sa.Column('signer_title', sa.String(length=200), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['person.id'], name=op.f('fk_registration_assigned_by_id_person')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_registration_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['head_id'], ['person.id'], name=op.f('fk_registration_head_id_person')),
    sa.ForeignKeyConstraint(['signer_id'], ['person.id'], name=op.f('fk_registration_signer_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_registration_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration')),
    sa.UniqueConstraint('cycle_id', 'unit_id', name=op.f('uq_registration_cycle_id_unit_id'))
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_head_id'), ['head_id'], unique=False)
        batch_op.create_index('ix_registration_state', ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_unit_id'), ['unit_id'], unique=False)

    op.create_table('amendment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('items', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('state', sa.Enum('requested', 'approved', 'rejected', name='amendmentstate', native_enum=False), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('decision_number', sa.String(length=100), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], name=op.f('fk_amendment_decided_by_id_person')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_amendment_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['person.id'], name=op.f('fk_amendment_requested_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment'))
    )
    with op.batch_alter_table('amendment', schema=None) as batch_op:
        batch_op.create_index('ix_amendment_registration_state', ['registration_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_amendment_requested_by_id'), ['requested_by_id'], unique=False)

    op.create_table('revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('submitted', 'reviewed', 'returned', 'edited', 'supplemented', 'proposal_accepted', 'assigned', 'amended', name='revisionkind', native_enum=False), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changes', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('snapshot', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['person.id'], name=op.f('fk_revision_actor_id_person')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_revision_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revision')),
    sa.UniqueConstraint('registration_id', 'number', name=op.f('uq_revision_registration_id_number'))
    )
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revision_registration_id'), ['registration_id'], unique=False)

    op.create_table('target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('quantitative', 'task', name='targetkind', native_enum=False), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('field', sa.String(length=200), nullable=False),
    sa.Column('measure', sa.String(length=100), nullable=False),
    sa.Column('baseline', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('target_value', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('direction', sa.Enum('higher', 'lower', name='direction', native_enum=False), nullable=True),
    sa.Column('weight', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('plan_q1', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('plan_q2', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('plan_q3', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('plan_q4', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('product', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('milestone_q1', sa.Text(), nullable=False),
    sa.Column('milestone_q2', sa.Text(), nullable=False),
    sa.Column('milestone_q3', sa.Text(), nullable=False),
    sa.Column('milestone_q4', sa.Text(), nullable=False),
    sa.Column('is_new', sa.Boolean(), nullable=False),
    sa.Column('is_difficult', sa.Boolean(), nullable=False),
    sa.Column('is_focal', sa.Boolean(), nullable=False),
    sa.Column('is_bottleneck', sa.Boolean(), nullable=False),
    sa.Column('origin', sa.Enum('registered', 'supplementary', 'proposal', 'amendment', name='targetorigin', native_enum=False), nullable=False),
    sa.Column('previous_target_id', sa.Integer(), nullable=True),
    sa.Column('dropped', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('weight > 0 AND weight <= 100', name=op.f('ck_target_weight_range')),
    sa.ForeignKeyConstraint(['previous_target_id'], ['target.id'], name=op.f('fk_target_previous_target_id_target'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_target_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target'))
    )
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_previous_target_id'), ['previous_target_id'], unique=False)
        batch_op.create_index('ix_target_registration_position', ['registration_id', 'position'], unique=False)

    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('add', 'change', 'drop', name='changekind', native_enum=False), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('values', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('open', 'accepted', 'rejected', 'withdrawn', name='proposalstate', native_enum=False), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_proposal_author_id_person')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], name=op.f('fk_proposal_decided_by_id_person')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_proposal_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], name=op.f('fk_proposal_target_id_target')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal'))
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_proposal_registration_state', ['registration_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_target_id'), ['target_id'], unique=False)

    op.create_table('registration_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_registration_comment_author_id_person')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_registration_comment_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], name=op.f('fk_registration_comment_target_id_target'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_comment'))
    )
    with op.batch_alter_table('registration_comment', schema=None) as batch_op:
        batch_op.create_index('ix_registration_comment_registration', ['registration_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('registration_comment', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_comment_registration')

    op.drop_table('registration_comment')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_target_id'))
        batch_op.drop_index('ix_proposal_registration_state')
        batch_op.drop_index(batch_op.f('ix_proposal_author_id'))

    op.drop_table('proposal')
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_index('ix_target_registration_position')
        batch_op.drop_index(batch_op.f('ix_target_previous_target_id'))

    op.drop_table('target')
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revision_registration_id'))

    op.drop_table('revision')
    with op.batch_alter_table('amendment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendment_requested_by_id'))
        batch_op.drop_index('ix_amendment_registration_state')

    op.drop_table('amendment')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_unit_id'))
        batch_op.drop_index('ix_registration_state')
        batch_op.drop_index(batch_op.f('ix_registration_head_id'))
        batch_op.drop_index(batch_op.f('ix_registration_cycle_id'))

    op.drop_table('registration')
