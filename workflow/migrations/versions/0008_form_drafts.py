"""Form drafts: what a person typed in a long form and has not saved through it yet

- form_draft: one per person and form (the form's address), the typed inputs as JSON, a
  version for the page's autosave, and when it was kept; unique (person_id, form).

Revision ID: 0008_form_drafts
Revises: 0007_list_index
Create Date: 2026-12-07 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0008_form_drafts'
down_revision = '0007_list_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=300), nullable=False),
    sa.Column('fields', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_form_draft_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_draft')),
    sa.UniqueConstraint('person_id', 'form', name=op.f('uq_form_draft_person_id_form'))
    )


def downgrade():
    op.drop_table('form_draft')
