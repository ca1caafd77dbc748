"""Tracks, subjects and periods: the evaluation framework

- track: the groups of subjects evaluated together (nhóm đối tượng), by code; the rules of each
  are in the rules file's [tracks], snapshotted into the cycle;
- subject: a person in a unit, or the unit itself, in a track (đối tượng đánh giá);
- period: the months, quarters or year of a cycle in a track (kỳ đánh giá);
- registration.track_id, registration.subject_id: a plan is a subject's, in a track; one per
  cycle, track and subject (it was one per cycle and unit);
- quarterly_report.period_id: a report belongs to a period of the registration's track; its
  number may be a month's (1–12).

Existing data: the heads track is made, every head who registered becomes its subject (person
and unit), every cycle gets its four quarters as the heads track's periods (dates and due dates
from the cycle's own calendar rules), and every report its quarter's period.

Revision ID: 0012_tracks_subjects_periods
Revises: 0011_discipline_categories
Create Date: 2026-12-07 03:30:00

"""
from types import SimpleNamespace

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0012_tracks_subjects_periods'
down_revision = '0011_discipline_categories'
branch_labels = None
depends_on = None

HEADS = {"code": "heads", "name_vi": "Người đứng đầu cơ quan, đơn vị", "name_en": "Heads of agencies and units"}


def _quarters(cycle_row):
    """The four quarters of a cycle as the calendar of its rules snapshot gives them."""
    from workflow.framework.periods import spans

    cycle = SimpleNamespace(year=cycle_row.year, starts_on=cycle_row.starts_on, ends_on=cycle_row.ends_on, rules=cycle_row.rules)
    return spans(cycle, {"periods": "quarter"})


def upgrade():
    op.create_table('track',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('subject_kind', sa.Enum('person', 'collective', name='subjectkind', native_enum=False, length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_track')),
    sa.UniqueConstraint('code', name=op.f('uq_track_code'))
    )
    op.create_table('subject',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('person', 'collective', name='subjectkind', native_enum=False, length=10), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(kind = 'person') = (person_id IS NOT NULL)", name=op.f('ck_subject_person_iff_kind')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_subject_person_id_person')),
    sa.ForeignKeyConstraint(['track_id'], ['track.id'], name=op.f('fk_subject_track_id_track')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_subject_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject')),
    sa.UniqueConstraint('track_id', 'unit_id', 'person_id', name='uq_subject_track_unit_person')
    )
    with op.batch_alter_table('subject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subject_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subject_track_id'), ['track_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subject_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('uq_subject_collective', ['track_id', 'unit_id'], unique=True,
                              sqlite_where=sa.text('person_id IS NULL'), postgresql_where=sa.text('person_id IS NULL'))
    op.create_table('period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('month', 'quarter', 'year', name='periodkind', native_enum=False, length=7), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.CheckConstraint('number BETWEEN 1 AND 12', name=op.f('ck_period_number_range')),
    sa.CheckConstraint('starts_on <= ends_on', name=op.f('ck_period_ordered')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_period_cycle_id_cycle'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['track_id'], ['track.id'], name=op.f('fk_period_track_id_track')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period')),
    sa.UniqueConstraint('cycle_id', 'track_id', 'kind', 'number', name=op.f('uq_period_cycle_id_track_id_kind_number'))
    )
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_period_track_id'), ['track_id'], unique=False)

    bind = op.get_bind()
    meta = sa.MetaData()
    track = sa.Table('track', meta, autoload_with=bind)
    subject = sa.Table('subject', meta, autoload_with=bind)
    period = sa.Table('period', meta, autoload_with=bind)
    cycle = sa.Table('cycle', meta, autoload_with=bind)
    registration = sa.Table('registration', meta, autoload_with=bind)
    heads = bind.execute(track.insert().values(subject_kind='person', position=0, version=1, **HEADS).returning(track.c.id)).scalar_one()

    # Every cycle's quarters.
    for row in bind.execute(sa.select(cycle.c.id, cycle.c.year, cycle.c.starts_on, cycle.c.ends_on, cycle.c.rules)).all():
        bind.execute(period.insert(), [{"cycle_id": row.id, "track_id": heads, "kind": "quarter", "number": s.number,
                                        "starts_on": s.starts_on, "ends_on": s.ends_on, "due_on": s.due_on} for s in _quarters(row)])
    # Every head who registered, in the unit they registered for.
    pairs = bind.execute(sa.select(registration.c.unit_id, registration.c.head_id).distinct()).all()
    if pairs:
        now = sa.func.now() if bind.dialect.name == 'postgresql' else sa.text("CURRENT_TIMESTAMP")
        bind.execute(subject.insert().values(created_at=now), [{"track_id": heads, "kind": "person", "unit_id": u, "person_id": p, "title": "",
                                                                "active": True, "version": 1} for u, p in pairs])

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('track_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
    op.execute(f"UPDATE registration SET track_id = {int(heads)}")
    op.execute("UPDATE registration SET subject_id = (SELECT s.id FROM subject s WHERE s.track_id = registration.track_id "
               "AND s.unit_id = registration.unit_id AND s.person_id = registration.head_id)")
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('track_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('subject_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_registration_track_id_track'), 'track', ['track_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_registration_subject_id_subject'), 'subject', ['subject_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_registration_track_id'), ['track_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_subject_id'), ['subject_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('uq_registration_cycle_id_unit_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_registration_cycle_id_track_id_subject_id'), ['cycle_id', 'track_id', 'subject_id'])

    with op.batch_alter_table('quarterly_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_id', sa.Integer(), nullable=True))
    op.execute("UPDATE quarterly_report SET period_id = (SELECT p.id FROM period p JOIN registration g ON g.cycle_id = p.cycle_id "
               "AND g.track_id = p.track_id WHERE g.id = quarterly_report.registration_id AND p.number = quarterly_report.quarter)")
    with op.batch_alter_table('quarterly_report', schema=None) as batch_op:
        batch_op.alter_column('period_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_quarterly_report_period_id_period'), 'period', ['period_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_quarterly_report_period_id'), ['period_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('ck_quarterly_report_quarter_range'), type_='check')
        batch_op.create_check_constraint('period_number_range', 'quarter BETWEEN 1 AND 12')


def downgrade():
    # Only the heads track's quarterly plans and reports fit the old tables: others are refused
    # rather than lost silently.
    bind = op.get_bind()
    others = bind.execute(sa.text("SELECT count(*) FROM registration g JOIN track t ON t.id = g.track_id WHERE t.code <> 'heads'")).scalar()
    if others:
        raise RuntimeError(f"{others} plans belong to tracks other than the heads track; the old schema cannot hold them")
    with op.batch_alter_table('quarterly_report', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_quarterly_report_period_number_range'), type_='check')
        batch_op.create_check_constraint('quarter_range', 'quarter BETWEEN 1 AND 4')
        batch_op.drop_index(batch_op.f('ix_quarterly_report_period_id'))
        batch_op.drop_constraint(batch_op.f('fk_quarterly_report_period_id_period'), type_='foreignkey')
        batch_op.drop_column('period_id')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_registration_cycle_id_track_id_subject_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_registration_cycle_id_unit_id'), ['cycle_id', 'unit_id'])
        batch_op.drop_index(batch_op.f('ix_registration_subject_id'))
        batch_op.drop_index(batch_op.f('ix_registration_track_id'))
        batch_op.drop_constraint(batch_op.f('fk_registration_subject_id_subject'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_registration_track_id_track'), type_='foreignkey')
        batch_op.drop_column('subject_id')
        batch_op.drop_column('track_id')
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_period_track_id'))
        batch_op.drop_index(batch_op.f('ix_period_cycle_id'))
    op.drop_table('period')
    with op.batch_alter_table('subject', schema=None) as batch_op:
        batch_op.drop_index('uq_subject_collective', sqlite_where=sa.text('person_id IS NULL'), postgresql_where=sa.text('person_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_subject_unit_id'))
        batch_op.drop_index(batch_op.f('ix_subject_track_id'))
        batch_op.drop_index(batch_op.f('ix_subject_person_id'))
    op.drop_table('subject')
    op.drop_table('track')
