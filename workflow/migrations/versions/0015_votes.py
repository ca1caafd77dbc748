"""Confidence votes and secret-ballot classification

- vote_round: a conference taking a vote (organising unit, term, date, paper or electronic, the
  rules copied in from config/votes.toml, its state);
- vote_candidate, vote_voter, vote_counting_member: who is voted on (or excluded, with why), who
  is summoned and attends, who counts;
- vote_paper_count, vote_paper_tally: the board's figures for paper ballots, entered and confirmed;
- vote_ballot_code, vote_ballot_tally, vote_receipt: electronic ballots — code digests, the
  ballots as counts per person and level (no row per ballot), receipts with a random key;
- vote_result, vote_follow_up: each person's published result and what it calls for.

Revision ID: 0015_votes
Revises: 0014_ratings
Create Date: 2026-12-07 02:49:07.046102

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0015_votes'
down_revision = '0014_ratings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('vote_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=40), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('method', sa.Enum('paper', 'electronic', name='method', native_enum=False), nullable=False),
    sa.Column('profile', sa.String(length=32), nullable=False),
    sa.Column('rules', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('state', sa.Enum('preparing', 'voting', 'counting', 'closed', name='roundstate', native_enum=False), nullable=False),
    sa.Column('secretary_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('codes_issued', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_vote_round_created_by_id_person')),
    sa.ForeignKeyConstraint(['organiser_id'], ['unit.id'], name=op.f('fk_vote_round_organiser_id_unit')),
    sa.ForeignKeyConstraint(['secretary_id'], ['person.id'], name=op.f('fk_vote_round_secretary_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_round'))
    )
    with op.batch_alter_table('vote_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_round_organiser_id'), ['organiser_id'], unique=False)

    op.create_table('vote_ballot_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('spent', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['vote_round.id'], name=op.f('fk_vote_ballot_code_round_id_vote_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_ballot_code')),
    sa.UniqueConstraint('round_id', 'digest', name=op.f('uq_vote_ballot_code_round_id_digest'))
    )
    with op.batch_alter_table('vote_ballot_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_ballot_code_round_id'), ['round_id'], unique=False)

    op.create_table('vote_candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('post', sa.String(length=200), nullable=False),
    sa.Column('appointed_on', sa.Date(), nullable=True),
    sa.Column('retirement_announced', sa.Boolean(), nullable=False),
    sa.Column('excluded_reason', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_vote_candidate_person_id_person')),
    sa.ForeignKeyConstraint(['round_id'], ['vote_round.id'], name=op.f('fk_vote_candidate_round_id_vote_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_candidate')),
    sa.UniqueConstraint('round_id', 'person_id', name=op.f('uq_vote_candidate_round_id_person_id'))
    )
    with op.batch_alter_table('vote_candidate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_candidate_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vote_candidate_round_id'), ['round_id'], unique=False)

    op.create_table('vote_counting_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('chair', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_vote_counting_member_person_id_person')),
    sa.ForeignKeyConstraint(['round_id'], ['vote_round.id'], name=op.f('fk_vote_counting_member_round_id_vote_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_counting_member')),
    sa.UniqueConstraint('round_id', 'person_id', name=op.f('uq_vote_counting_member_round_id_person_id'))
    )
    with op.batch_alter_table('vote_counting_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_counting_member_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vote_counting_member_round_id'), ['round_id'], unique=False)

    op.create_table('vote_paper_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('issued', sa.Integer(), nullable=False),
    sa.Column('collected', sa.Integer(), nullable=False),
    sa.Column('invalid', sa.Integer(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('invalid <= collected AND collected <= issued', name=op.f('ck_vote_paper_count_ordered')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['person.id'], name=op.f('fk_vote_paper_count_confirmed_by_id_person')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['person.id'], name=op.f('fk_vote_paper_count_entered_by_id_person')),
    sa.ForeignKeyConstraint(['round_id'], ['vote_round.id'], name=op.f('fk_vote_paper_count_round_id_vote_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_paper_count')),
    sa.UniqueConstraint('round_id', name=op.f('uq_vote_paper_count_round_id'))
    )
    op.create_table('vote_receipt',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['vote_round.id'], name=op.f('fk_vote_receipt_round_id_vote_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_receipt')),
    sa.UniqueConstraint('round_id', 'digest', name=op.f('uq_vote_receipt_round_id_digest'))
    )
    with op.batch_alter_table('vote_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_receipt_round_id'), ['round_id'], unique=False)

    op.create_table('vote_voter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_vote_voter_person_id_person')),
    sa.ForeignKeyConstraint(['round_id'], ['vote_round.id'], name=op.f('fk_vote_voter_round_id_vote_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_voter')),
    sa.UniqueConstraint('round_id', 'person_id', name=op.f('uq_vote_voter_round_id_person_id'))
    )
    with op.batch_alter_table('vote_voter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_voter_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vote_voter_round_id'), ['round_id'], unique=False)

    op.create_table('vote_paper_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('count_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['vote_candidate.id'], name=op.f('fk_vote_paper_tally_candidate_id_vote_candidate'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['count_id'], ['vote_paper_count.id'], name=op.f('fk_vote_paper_tally_count_id_vote_paper_count'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_paper_tally')),
    sa.UniqueConstraint('count_id', 'candidate_id', name=op.f('uq_vote_paper_tally_count_id_candidate_id'))
    )
    with op.batch_alter_table('vote_paper_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_paper_tally_candidate_id'), ['candidate_id'], unique=False)

    op.create_table('vote_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('denominator', sa.Integer(), nullable=False),
    sa.Column('low_share', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['vote_candidate.id'], name=op.f('fk_vote_result_candidate_id_vote_candidate'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_vote_result_person_id_person')),
    sa.ForeignKeyConstraint(['round_id'], ['vote_round.id'], name=op.f('fk_vote_result_round_id_vote_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_result')),
    sa.UniqueConstraint('candidate_id', name=op.f('uq_vote_result_candidate_id'))
    )
    with op.batch_alter_table('vote_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_result_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vote_result_round_id'), ['round_id'], unique=False)

    op.create_table('vote_follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('state', sa.Enum('open', 'recorded', name='followupstate', native_enum=False), nullable=False),
    sa.Column('decision', sa.String(length=200), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['person.id'], name=op.f('fk_vote_follow_up_recorded_by_id_person')),
    sa.ForeignKeyConstraint(['result_id'], ['vote_result.id'], name=op.f('fk_vote_follow_up_result_id_vote_result'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_follow_up')),
    sa.UniqueConstraint('result_id', name=op.f('uq_vote_follow_up_result_id'))
    )

    op.create_table('vote_ballot_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['vote_candidate.id'], name=op.f('fk_vote_ballot_tally_candidate_id_vote_candidate'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['vote_round.id'], name=op.f('fk_vote_ballot_tally_round_id_vote_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_ballot_tally')),
    sa.UniqueConstraint('round_id', 'candidate_id', 'level', name=op.f('uq_vote_ballot_tally_round_id_candidate_id_level'))
    )
    with op.batch_alter_table('vote_ballot_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_ballot_tally_candidate_id'), ['candidate_id'], unique=False)


def downgrade():
    with op.batch_alter_table('vote_ballot_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_ballot_tally_candidate_id'))

    op.drop_table('vote_ballot_tally')
    op.drop_table('vote_follow_up')
    with op.batch_alter_table('vote_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_result_round_id'))
        batch_op.drop_index(batch_op.f('ix_vote_result_person_id'))

    op.drop_table('vote_result')
    with op.batch_alter_table('vote_paper_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_paper_tally_candidate_id'))

    op.drop_table('vote_paper_tally')
    with op.batch_alter_table('vote_voter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_voter_round_id'))
        batch_op.drop_index(batch_op.f('ix_vote_voter_person_id'))

    op.drop_table('vote_voter')
    with op.batch_alter_table('vote_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_receipt_round_id'))

    op.drop_table('vote_receipt')
    op.drop_table('vote_paper_count')
    with op.batch_alter_table('vote_counting_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_counting_member_round_id'))
        batch_op.drop_index(batch_op.f('ix_vote_counting_member_person_id'))

    op.drop_table('vote_counting_member')
    with op.batch_alter_table('vote_candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_candidate_round_id'))
        batch_op.drop_index(batch_op.f('ix_vote_candidate_person_id'))

    op.drop_table('vote_candidate')
    with op.batch_alter_table('vote_ballot_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_ballot_code_round_id'))

    op.drop_table('vote_ballot_code')
    with op.batch_alter_table('vote_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_round_organiser_id'))

    op.drop_table('vote_round')
