"""Monthly products of civil servants (Nghị định 335/2025/NĐ-CP), and each person's direct manager

- monthly_product: an agency's product catalogue (danh mục sản phẩm), or a shared template
  (no unit): unit of measure, conversion coefficient, group;
- monthly_plan: a subject's month in the civil-servants track — its state, the
  self-assessment's and the manager's points with the rubric version, the approval;
- monthly_line: a product of the month, assigned, proposed or carried over, with what was
  delivered and what the manager judged;
- person.manager_id: the direct manager (lãnh đạo trực tiếp); none: the head of the unit.

Revision ID: 0013_monthly
Revises: 0012_tracks_subjects_periods
Create Date: 2026-12-07 03:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_monthly'
down_revision = '0012_tracks_subjects_periods'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monthly_product',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('measure', sa.String(length=50), nullable=False),
    sa.Column('coefficient', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('group_name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('coefficient > 0', name=op.f('ck_monthly_product_coefficient_positive')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_monthly_product_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_product')),
    sa.UniqueConstraint('unit_id', 'code', name=op.f('uq_monthly_product_unit_id_code'))
    )
    with op.batch_alter_table('monthly_product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_product_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('uq_monthly_product_template_code', ['code'], unique=True, sqlite_where=sa.text('unit_id IS NULL'), postgresql_where=sa.text('unit_id IS NULL'))

    op.create_table('monthly_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'proposed', 'agreed', 'self_assessed', 'assessed', 'returned', 'approved', name='monthstate', native_enum=False), nullable=False),
    sa.Column('agreed_at', sa.DateTime(), nullable=True),
    sa.Column('self_assessed_at', sa.DateTime(), nullable=True),
    sa.Column('self_note', sa.Text(), nullable=False),
    sa.Column('assessed_at', sa.DateTime(), nullable=True),
    sa.Column('assessed_by_id', sa.Integer(), nullable=True),
    sa.Column('manager_note', sa.Text(), nullable=False),
    sa.Column('without_self_assessment', sa.Boolean(), nullable=False),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('returned_reason', sa.Text(), nullable=False),
    sa.Column('self_points', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('points', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('rubric_version', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['person.id'], name=op.f('fk_monthly_plan_approved_by_id_person')),
    sa.ForeignKeyConstraint(['assessed_by_id'], ['person.id'], name=op.f('fk_monthly_plan_assessed_by_id_person')),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_monthly_plan_period_id_period'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_monthly_plan_subject_id_subject')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_plan')),
    sa.UniqueConstraint('subject_id', 'period_id', name=op.f('uq_monthly_plan_subject_id_period_id'))
    )
    with op.batch_alter_table('monthly_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_plan_period_id'), ['period_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monthly_plan_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_monthly_plan_subject_id'), ['subject_id'], unique=False)

    op.create_table('monthly_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('origin', sa.Enum('assigned', 'proposed', 'carried', name='lineorigin', native_enum=False), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('measure', sa.String(length=50), nullable=False),
    sa.Column('coefficient', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('quality_standard', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('recurring', sa.Boolean(), nullable=False),
    sa.Column('delivered_quantity', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('evidence_link', sa.String(length=500), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('assessed_quantity', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('assessed_on', sa.Date(), nullable=True),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('delays', sa.Integer(), nullable=False),
    sa.Column('result_percent', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.CheckConstraint('coefficient > 0', name=op.f('ck_monthly_line_coefficient_positive')),
    sa.CheckConstraint('errors >= 0 AND delays >= 0', name=op.f('ck_monthly_line_counts')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_monthly_line_quantity_positive')),
    sa.ForeignKeyConstraint(['plan_id'], ['monthly_plan.id'], name=op.f('fk_monthly_line_plan_id_monthly_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['monthly_product.id'], name=op.f('fk_monthly_line_product_id_monthly_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_line'))
    )
    with op.batch_alter_table('monthly_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_line_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monthly_line_product_id'), ['product_id'], unique=False)

    # In place on both databases: batch mode would copy `person`, which the rows of many tables
    # refer to, and SQLite refuses to drop the original then (see 0010).
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE person ADD COLUMN manager_id INTEGER CONSTRAINT fk_person_manager_id_person REFERENCES person (id)')
    else:
        op.add_column('person', sa.Column('manager_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_person_manager_id_person'), 'person', 'person', ['manager_id'], ['id'])
    op.create_index(op.f('ix_person_manager_id'), 'person', ['manager_id'], unique=False)



def downgrade():
    op.drop_index(op.f('ix_person_manager_id'), table_name='person')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_person_manager_id_person'), 'person', type_='foreignkey')
        op.drop_column('person', 'manager_id')
    else:
        # A later migration may have copied `person` (batch mode, 0016), which makes the column's
        # reference a table constraint that DROP COLUMN refuses; a batch copy drops both (foreign
        # keys are not enforced while migrating, and checked before commit: env.py).
        with op.batch_alter_table('person', schema=None) as batch_op:
            batch_op.drop_column('manager_id')

    with op.batch_alter_table('monthly_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monthly_line_product_id'))
        batch_op.drop_index(batch_op.f('ix_monthly_line_plan_id'))

    op.drop_table('monthly_line')
    with op.batch_alter_table('monthly_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monthly_plan_subject_id'))
        batch_op.drop_index(batch_op.f('ix_monthly_plan_state'))
        batch_op.drop_index(batch_op.f('ix_monthly_plan_period_id'))

    op.drop_table('monthly_plan')
    with op.batch_alter_table('monthly_product', schema=None) as batch_op:
        batch_op.drop_index('uq_monthly_product_template_code', sqlite_where=sa.text('unit_id IS NULL'), postgresql_where=sa.text('unit_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_monthly_product_unit_id'))

    op.drop_table('monthly_product')
