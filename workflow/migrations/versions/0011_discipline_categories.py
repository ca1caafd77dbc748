"""Discipline records get the regimes' categories of "không hoàn thành nhiệm vụ"

- discipline_record.category: a disciplinary decision ("discipline", what every existing record
  is), a competent body's conclusion of degradation ("degradation"), or the head's agency dealt
  with for corruption or waste ("corruption_in_agency") — Nghị định 335/2025 Điều 20 k4 b–d,
  Quy định 366-QĐ/TW Điều 11 k4 điểm 4.2;
- discipline_record.form: the form of a disciplinary decision (khiển trách … khai trừ), unknown
  (NULL) for the records made before;
- discipline_record.duty_related: whether the violation was related to public duty (false for
  the records made before: the secretary sets it where it was).

Revision ID: 0011_discipline_categories
Revises: 0010_sessions_counters
Create Date: 2026-12-07 01:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0011_discipline_categories'
down_revision = '0010_sessions_counters'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('discipline_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.Enum('discipline', 'degradation', 'corruption_in_agency', name='disciplinecategory',
                                                          native_enum=False, length=20), server_default='discipline', nullable=False))
        batch_op.add_column(sa.Column('form', sa.Enum('reprimand', 'warning', 'salary_downgrade', 'demotion', 'dismissal', 'forced_resignation',
                                                      'expulsion', name='disciplineform', native_enum=False, length=18), nullable=True))
        batch_op.add_column(sa.Column('duty_related', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('discipline_record', schema=None) as batch_op:
        batch_op.drop_column('duty_related')
        batch_op.drop_column('form')
        batch_op.drop_column('category')
