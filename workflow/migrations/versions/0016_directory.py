"""The province's organisation from its personnel records

- position: the posts of the personnel records (chức vụ, chức danh) by code, each mapped to the
  track its holders are evaluated in, the title whose scoring sheet applies, and whether its
  holder leads the unit;
- person.personnel_code (mã cán bộ, unique), person.position_id, person.started_on: what an
  import matches and keeps (the direct manager it sets is person.manager_id, added by 0013);
- directory_import: a file kept between its preview and its apply, with what the preview found.

Existing data: nothing to move; people made by hand have no personnel code until an import
adopts them by e-mail.

Revision ID: 0016_directory
Revises: 0015_votes
Create Date: 2026-12-07 03:10:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0016_directory'
down_revision = '0015_votes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('position',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=32), nullable=False),
    sa.Column('leads_unit', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['track_id'], ['track.id'], name=op.f('fk_position_track_id_track')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position')),
    sa.UniqueConstraint('code', name=op.f('uq_position_code'))
    )
    with op.batch_alter_table('position', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_position_track_id'), ['track_id'], unique=False)

    op.create_table('directory_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('state', sa.Enum('previewed', 'applied', 'discarded', name='importstate', native_enum=False, length=9), nullable=False),
    sa.Column('preview', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=True),
    sa.Column('applied_by_id', sa.Integer(), nullable=True),
    sa.Column('valid_only', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['applied_by_id'], ['person.id'], name=op.f('fk_directory_import_applied_by_id_person')),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_directory_import_created_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_import'))
    )
    with op.batch_alter_table('directory_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_import_created_by_id'), ['created_by_id'], unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personnel_code', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('position_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('started_on', sa.Date(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_person_personnel_code'), ['personnel_code'])
        batch_op.create_index(batch_op.f('ix_person_position_id'), ['position_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_person_position_id_position'), 'position', ['position_id'], ['id'])


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_person_position_id_position'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_person_position_id'))
        batch_op.drop_constraint(batch_op.f('uq_person_personnel_code'), type_='unique')
        batch_op.drop_column('started_on')
        batch_op.drop_column('position_id')
        batch_op.drop_column('personnel_code')

    with op.batch_alter_table('directory_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_import_created_by_id'))
    op.drop_table('directory_import')
    with op.batch_alter_table('position', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_position_track_id'))
    op.drop_table('position')
