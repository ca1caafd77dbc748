"""Products delivered imported from other systems, each line keeping its source

- monthly_line.source: where the delivered figures came from — the source system's name (the
  saved column mapping's) and the file's row keys; "" when the servant typed them.
- rating_import_mapping.purpose: what the saved column mapping is for ("ratings": the one-stop
  system's ratings; "monthly": products delivered); a name is unique per purpose. Downgrading
  drops the mappings that are not for ratings.

Revision ID: 0022_monthly_imports
Revises: 0021_monthly_year
Create Date: 2026-12-07 06:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0022_monthly_imports'
down_revision = '0021_monthly_year'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('monthly_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=300), server_default='', nullable=False))
    with op.batch_alter_table('rating_import_mapping', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=32), server_default='ratings', nullable=False))
        batch_op.drop_constraint('uq_rating_import_mapping_name', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_rating_import_mapping_purpose_name'), ['purpose', 'name'])


def downgrade():
    op.execute(sa.text("DELETE FROM rating_import_mapping WHERE purpose <> 'ratings'"))
    with op.batch_alter_table('rating_import_mapping', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_rating_import_mapping_purpose_name'), type_='unique')
        batch_op.create_unique_constraint('uq_rating_import_mapping_name', ['name'])
        batch_op.drop_column('purpose')
    with op.batch_alter_table('monthly_line', schema=None) as batch_op:
        batch_op.drop_column('source')
