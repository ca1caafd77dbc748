"""Quarterly reports, their entries, evidence files, versions, requests for support and directions

- quarterly_report: one per registration and quarter, its state, due date, submission and
  lateness, acceptance and reopenings; unique (registration_id, quarter);
- report_entry: what the head reports on one target (value, milestone, product, narrative,
  confidence); unique (report_id, target_id);
- report_evidence: files stored by content hash, kept when removed (removed_at);
- report_version: a snapshot of the report at each step;
- support_request and support_direction: kiến nghị, đề xuất and the chỉ đạo that answer them.

Revision ID: 0005_reports
Revises: 0004_notifications
Create Date: 2026-11-22 04:14:34.099968

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005_reports'
down_revision = '0004_notifications'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quarterly_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'returned', 'accepted', name='reportstate', native_enum=False), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('first_submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('days_late', sa.Integer(), nullable=False),
    sa.Column('returned_reason', sa.Text(), nullable=False),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('reopened', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('quarter BETWEEN 1 AND 4', name=op.f('ck_quarterly_report_quarter_range')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['person.id'], name=op.f('fk_quarterly_report_accepted_by_id_person')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_quarterly_report_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarterly_report')),
    sa.UniqueConstraint('registration_id', 'quarter', name=op.f('uq_quarterly_report_registration_id_quarter'))
    )
    with op.batch_alter_table('quarterly_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarterly_report_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index('ix_quarterly_report_state', ['state'], unique=False)

    op.create_table('report_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('actual', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('milestone_status', sa.Enum('not_started', 'in_progress', 'behind', 'done', name='milestonestatus', native_enum=False), nullable=True),
    sa.Column('product_delivered', sa.Text(), nullable=False),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('confidence', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['quarterly_report.id'], name=op.f('fk_report_entry_report_id_quarterly_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], name=op.f('fk_report_entry_target_id_target'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_entry')),
    sa.UniqueConstraint('report_id', 'target_id', name=op.f('uq_report_entry_report_id_target_id'))
    )
    with op.batch_alter_table('report_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_entry_target_id'), ['target_id'], unique=False)

    op.create_table('report_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['removed_by_id'], ['person.id'], name=op.f('fk_report_evidence_removed_by_id_person')),
    sa.ForeignKeyConstraint(['report_id'], ['quarterly_report.id'], name=op.f('fk_report_evidence_report_id_quarterly_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], name=op.f('fk_report_evidence_target_id_target'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['person.id'], name=op.f('fk_report_evidence_uploaded_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_evidence'))
    )
    with op.batch_alter_table('report_evidence', schema=None) as batch_op:
        batch_op.create_index('ix_report_evidence_report', ['report_id', 'target_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_evidence_sha256'), ['sha256'], unique=False)

    op.create_table('report_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('submitted', 'returned', 'accepted', 'reopened', name='versionkind', native_enum=False), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('snapshot', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['person.id'], name=op.f('fk_report_version_actor_id_person')),
    sa.ForeignKeyConstraint(['report_id'], ['quarterly_report.id'], name=op.f('fk_report_version_report_id_quarterly_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_version')),
    sa.UniqueConstraint('report_id', 'number', name=op.f('uq_report_version_report_id_number'))
    )
    with op.batch_alter_table('report_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_version_report_id'), ['report_id'], unique=False)

    op.create_table('support_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('obstacle', 'support', name='requestkind', native_enum=False), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('open', 'answered', 'closed', name='requeststate', native_enum=False), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_support_request_created_by_id_person')),
    sa.ForeignKeyConstraint(['report_id'], ['quarterly_report.id'], name=op.f('fk_support_request_report_id_quarterly_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], name=op.f('fk_support_request_target_id_target'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_request'))
    )
    with op.batch_alter_table('support_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_request_report_id'), ['report_id'], unique=False)
        batch_op.create_index('ix_support_request_state', ['state', 'report_id'], unique=False)

    op.create_table('support_direction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_support_direction_author_id_person')),
    sa.ForeignKeyConstraint(['request_id'], ['support_request.id'], name=op.f('fk_support_direction_request_id_support_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_direction'))
    )
    with op.batch_alter_table('support_direction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_direction_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('support_direction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_direction_request_id'))

    op.drop_table('support_direction')
    with op.batch_alter_table('support_request', schema=None) as batch_op:
        batch_op.drop_index('ix_support_request_state')
        batch_op.drop_index(batch_op.f('ix_support_request_report_id'))

    op.drop_table('support_request')
    with op.batch_alter_table('report_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_version_report_id'))

    op.drop_table('report_version')
    with op.batch_alter_table('report_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_evidence_sha256'))
        batch_op.drop_index('ix_report_evidence_report')

    op.drop_table('report_evidence')
    with op.batch_alter_table('report_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_entry_target_id'))

    op.drop_table('report_entry')
    with op.batch_alter_table('quarterly_report', schema=None) as batch_op:
        batch_op.drop_index('ix_quarterly_report_state')
        batch_op.drop_index(batch_op.f('ix_quarterly_report_registration_id'))

    op.drop_table('quarterly_report')
