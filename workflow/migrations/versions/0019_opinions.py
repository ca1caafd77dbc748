"""Opinions from above and below (lấy ý kiến đánh giá đa chiều)

- opinion_round: a round for a track in a cycle, its window, secretary and copied rules;
- opinion_subject: the subjects opinions are collected about;
- opinion_respondent: who is asked, as what, and whether they answered (no answer id, no time);
- opinion_tally, opinion_comments: the answers as counts per value and a shuffled list of
  comments, made when a subject is added (see workflow.opinions.models).

Revision ID: 0019_opinions
Revises: 0018_vote_exclusion_code
Create Date: 2026-12-07 05:45:42.398963

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0019_opinions'
down_revision = '0018_vote_exclusion_code'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('opinion_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('secretary_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('rules', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('state', sa.Enum('open', 'closed', name='roundstate', native_enum=False), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_opinion_round_created_by_id_person')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_opinion_round_cycle_id_cycle'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['secretary_id'], ['person.id'], name=op.f('fk_opinion_round_secretary_id_person')),
    sa.ForeignKeyConstraint(['track_id'], ['track.id'], name=op.f('fk_opinion_round_track_id_track')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_round'))
    )
    with op.batch_alter_table('opinion_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_round_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_round_track_id'), ['track_id'], unique=False)

    op.create_table('opinion_subject',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['opinion_round.id'], name=op.f('fk_opinion_subject_round_id_opinion_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_opinion_subject_subject_id_subject')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_subject')),
    sa.UniqueConstraint('round_id', 'subject_id', name=op.f('uq_opinion_subject_round_id_subject_id'))
    )
    with op.batch_alter_table('opinion_subject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_subject_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_subject_subject_id'), ['subject_id'], unique=False)

    op.create_table('opinion_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opinion_subject_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.Enum('superior', 'subordinate', 'peer', name='relation', native_enum=False), nullable=False),
    sa.Column('texts', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['opinion_subject_id'], ['opinion_subject.id'], name=op.f('fk_opinion_comments_opinion_subject_id_opinion_subject'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_comments')),
    sa.UniqueConstraint('opinion_subject_id', 'relation', name=op.f('uq_opinion_comments_opinion_subject_id_relation'))
    )
    with op.batch_alter_table('opinion_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_comments_opinion_subject_id'), ['opinion_subject_id'], unique=False)

    op.create_table('opinion_respondent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('opinion_subject_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.Enum('superior', 'subordinate', 'peer', name='relation', native_enum=False), nullable=False),
    sa.Column('on_behalf_of_id', sa.Integer(), nullable=True),
    sa.Column('criteria', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['on_behalf_of_id'], ['unit.id'], name=op.f('fk_opinion_respondent_on_behalf_of_id_unit')),
    sa.ForeignKeyConstraint(['opinion_subject_id'], ['opinion_subject.id'], name=op.f('fk_opinion_respondent_opinion_subject_id_opinion_subject'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_opinion_respondent_person_id_person')),
    sa.ForeignKeyConstraint(['round_id'], ['opinion_round.id'], name=op.f('fk_opinion_respondent_round_id_opinion_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_respondent')),
    sa.UniqueConstraint('opinion_subject_id', 'person_id', name=op.f('uq_opinion_respondent_opinion_subject_id_person_id'))
    )
    with op.batch_alter_table('opinion_respondent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_respondent_opinion_subject_id'), ['opinion_subject_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_respondent_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_respondent_round_id'), ['round_id'], unique=False)

    op.create_table('opinion_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opinion_subject_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.Enum('superior', 'subordinate', 'peer', name='relation', native_enum=False), nullable=False),
    sa.Column('criterion', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['opinion_subject_id'], ['opinion_subject.id'], name=op.f('fk_opinion_tally_opinion_subject_id_opinion_subject'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_tally')),
    sa.UniqueConstraint('opinion_subject_id', 'relation', 'criterion', 'value', name=op.f('uq_opinion_tally_opinion_subject_id_relation_criterion_value'))
    )
    with op.batch_alter_table('opinion_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_tally_opinion_subject_id'), ['opinion_subject_id'], unique=False)



def downgrade():
    with op.batch_alter_table('opinion_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_tally_opinion_subject_id'))

    op.drop_table('opinion_tally')
    with op.batch_alter_table('opinion_respondent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_respondent_round_id'))
        batch_op.drop_index(batch_op.f('ix_opinion_respondent_person_id'))
        batch_op.drop_index(batch_op.f('ix_opinion_respondent_opinion_subject_id'))

    op.drop_table('opinion_respondent')
    with op.batch_alter_table('opinion_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_comments_opinion_subject_id'))

    op.drop_table('opinion_comments')
    with op.batch_alter_table('opinion_subject', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_subject_subject_id'))
        batch_op.drop_index(batch_op.f('ix_opinion_subject_round_id'))

    op.drop_table('opinion_subject')
    with op.batch_alter_table('opinion_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_round_track_id'))
        batch_op.drop_index(batch_op.f('ix_opinion_round_cycle_id'))

    op.drop_table('opinion_round')
