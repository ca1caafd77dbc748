"""The photo of an official shown by the kiosk at their counter

- person_photo: one per person (the person's id is the key), the image as uploaded (JPEG, PNG
  or WebP, at most 2 MB), its media type, the SHA-256 of its content (the kiosk's ETag) and when
  it was last replaced. Downgrading drops the photos.

Revision ID: 0024_person_photo
Revises: 0023_ratings_months
Create Date: 2026-12-14 09:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0024_person_photo'
down_revision = '0023_ratings_months'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_photo',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('media_type', sa.String(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_photo_person_id_person')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_person_photo'))
    )


def downgrade():
    op.drop_table('person_photo')
