"""The advisory council and the committee's classification

- council_member: seats per cycle (chair, secretary, member); one chair and one secretary;
- council_conflict: declared conflicts of interest (they recuse the member);
- scorecard: a member's scores and judgements for a head, with the computed total and counts;
- self_assessment, discipline_record: the head's own assessment; discipline in the year;
- council_session, council_attendance: the session, who attended, the frozen list's round,
  publication and the objection window;
- council_proposal: the proposal list as finalised, per round;
- council_decision: the committee's decisions, one row per version (never updated);
- objection: a head's objection and its outcome. council_decision.objection_id refers to the
  objection a decision answers, added after both tables exist (the two refer to each other).

Revision ID: 0006_council
Revises: 0005_reports
Create Date: 2026-11-22 04:34:04.947698

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0006_council'
down_revision = '0005_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('council_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Enum('chair', 'secretary', 'member', name='position', native_enum=False), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_council_member_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_council_member_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_member')),
    sa.UniqueConstraint('cycle_id', 'person_id', name=op.f('uq_council_member_cycle_id_person_id'))
    )
    with op.batch_alter_table('council_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_member_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_council_member_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_council_member_one_per_position', ['cycle_id', 'position'], unique=True, sqlite_where=sa.text("position IN ('chair', 'secretary')"), postgresql_where=sa.text("position IN ('chair', 'secretary')"))

    op.create_table('council_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('open', 'finalised', 'published', name='sessionstate', native_enum=False), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('finalised_at', sa.DateTime(), nullable=True),
    sa.Column('finalised_by_id', sa.Integer(), nullable=True),
    sa.Column('reopen_reason', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('objection_deadline', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_council_session_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['finalised_by_id'], ['person.id'], name=op.f('fk_council_session_finalised_by_id_person')),
    sa.ForeignKeyConstraint(['published_by_id'], ['person.id'], name=op.f('fk_council_session_published_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_session')),
    sa.UniqueConstraint('cycle_id', name=op.f('uq_council_session_cycle_id'))
    )
    op.create_table('council_attendance',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['council_member.id'], name=op.f('fk_council_attendance_member_id_council_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['council_session.id'], name=op.f('fk_council_attendance_session_id_council_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'member_id', name=op.f('pk_council_attendance'))
    )
    op.create_table('council_conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('head_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('declared_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_council_conflict_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['head_id'], ['person.id'], name=op.f('fk_council_conflict_head_id_person')),
    sa.ForeignKeyConstraint(['member_id'], ['council_member.id'], name=op.f('fk_council_conflict_member_id_council_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_conflict')),
    sa.UniqueConstraint('member_id', 'head_id', name=op.f('uq_council_conflict_member_id_head_id'))
    )
    with op.batch_alter_table('council_conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_conflict_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_council_conflict_head_id'), ['head_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_council_conflict_member_id'), ['member_id'], unique=False)

    op.create_table('council_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('panel_score', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('ratings', sa.Integer(), nullable=False),
    sa.Column('stdev', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('spread', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('level', sa.String(length=32), nullable=True),
    sa.Column('classified_level', sa.String(length=32), nullable=True),
    sa.Column('quota_status', sa.String(length=32), nullable=False),
    sa.Column('options', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('flags', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('notes', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('checks', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('facts', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_council_proposal_registration_id_registration')),
    sa.ForeignKeyConstraint(['session_id'], ['council_session.id'], name=op.f('fk_council_proposal_session_id_council_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_proposal')),
    sa.UniqueConstraint('session_id', 'round', 'registration_id', name=op.f('uq_council_proposal_session_id_round_registration_id'))
    )
    with op.batch_alter_table('council_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_proposal_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_council_proposal_session_id'), ['session_id'], unique=False)

    op.create_table('discipline_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_discipline_record_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['person.id'], name=op.f('fk_discipline_record_recorded_by_id_person')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_discipline_record_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discipline_record')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_discipline_record_registration_id'))
    )
    with op.batch_alter_table('discipline_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discipline_record_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('scorecard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'reopened', name='scorecardstate', native_enum=False), nullable=False),
    sa.Column('general', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('judgements', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('reopen_reason', sa.Text(), nullable=False),
    sa.Column('total', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('task_points', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('general_points', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('level', sa.String(length=32), nullable=True),
    sa.Column('n_targets', sa.Integer(), nullable=False),
    sa.Column('n_done', sa.Integer(), nullable=False),
    sa.Column('n_on_time', sa.Integer(), nullable=False),
    sa.Column('n_exceeded', sa.Integer(), nullable=False),
    sa.Column('n_late', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_scorecard_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['member_id'], ['council_member.id'], name=op.f('fk_scorecard_member_id_council_member')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_scorecard_registration_id_registration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard')),
    sa.UniqueConstraint('member_id', 'registration_id', name=op.f('uq_scorecard_member_id_registration_id'))
    )
    with op.batch_alter_table('scorecard', schema=None) as batch_op:
        batch_op.create_index('ix_scorecard_cycle_state', ['cycle_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_scorecard_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_scorecard_registration', ['registration_id'], unique=False)

    op.create_table('self_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('shortcomings', sa.Text(), nullable=False),
    sa.Column('proposed_level', sa.String(length=32), nullable=True),
    sa.Column('state', sa.Enum('draft', 'submitted', name='selfassessmentstate', native_enum=False), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_self_assessment_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessment')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_self_assessment_registration_id'))
    )
    op.create_table('council_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=32), nullable=False),
    sa.Column('follows_proposal', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.Column('objection_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_council_decision_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], name=op.f('fk_council_decision_decided_by_id_person')),
    sa.ForeignKeyConstraint(['proposal_id'], ['council_proposal.id'], name=op.f('fk_council_decision_proposal_id_council_proposal')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_council_decision_registration_id_registration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_decision')),
    sa.UniqueConstraint('registration_id', 'number', name=op.f('uq_council_decision_registration_id_number'))
    )
    with op.batch_alter_table('council_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_decision_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_council_decision_registration_id'), ['registration_id'], unique=False)

    op.create_table('objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('filed_at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.Enum('filed', 'upheld', 'rejected', name='objectionstate', native_enum=False), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_objection_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], name=op.f('fk_objection_decided_by_id_person')),
    sa.ForeignKeyConstraint(['decision_id'], ['council_decision.id'], name=op.f('fk_objection_decision_id_council_decision')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['person.id'], name=op.f('fk_objection_filed_by_id_person')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_objection_registration_id_registration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objection'))
    )
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objection_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objection_registration_id'), ['registration_id'], unique=False)
    with op.batch_alter_table('council_decision', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_council_decision_objection_id_objection'), 'objection', ['objection_id'], ['id'])



def downgrade():
    with op.batch_alter_table('council_decision', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_council_decision_objection_id_objection'), type_='foreignkey')
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objection_registration_id'))
        batch_op.drop_index(batch_op.f('ix_objection_cycle_id'))

    op.drop_table('objection')
    with op.batch_alter_table('council_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_decision_registration_id'))
        batch_op.drop_index(batch_op.f('ix_council_decision_cycle_id'))

    op.drop_table('council_decision')
    op.drop_table('self_assessment')
    with op.batch_alter_table('scorecard', schema=None) as batch_op:
        batch_op.drop_index('ix_scorecard_registration')
        batch_op.drop_index(batch_op.f('ix_scorecard_member_id'))
        batch_op.drop_index('ix_scorecard_cycle_state')

    op.drop_table('scorecard')
    with op.batch_alter_table('discipline_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discipline_record_cycle_id'))

    op.drop_table('discipline_record')
    with op.batch_alter_table('council_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_proposal_session_id'))
        batch_op.drop_index(batch_op.f('ix_council_proposal_registration_id'))

    op.drop_table('council_proposal')
    with op.batch_alter_table('council_conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_conflict_member_id'))
        batch_op.drop_index(batch_op.f('ix_council_conflict_head_id'))
        batch_op.drop_index(batch_op.f('ix_council_conflict_cycle_id'))

    op.drop_table('council_conflict')
    op.drop_table('council_attendance')
    op.drop_table('council_session')
    with op.batch_alter_table('council_member', schema=None) as batch_op:
        batch_op.drop_index('uq_council_member_one_per_position', sqlite_where=sa.text("position IN ('chair', 'secretary')"), postgresql_where=sa.text("position IN ('chair', 'secretary')"))
        batch_op.drop_index(batch_op.f('ix_council_member_person_id'))
        batch_op.drop_index(batch_op.f('ix_council_member_cycle_id'))

    op.drop_table('council_member')
