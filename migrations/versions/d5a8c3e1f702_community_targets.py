"""community targets: home-care beds in the registry (bed number, ability level, assessment
date); a home-care bed carries its provider's credit code, so the credit code is unique only
among the other facility types

Revision ID: d5a8c3e1f702
Revises: 8d4a2f6c1e93
Create Date: 2026-12-04 21:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd5a8c3e1f702'
down_revision = '8d4a2f6c1e93'
branch_labels = None
depends_on = None

NOT_A_BED = sa.text("type <> 'home_care_bed'")


def upgrade():
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bed_code', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('care_level', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('assessed_on', sa.Date(), nullable=True))
        batch_op.drop_constraint('uq_institution_credit_code', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_institution_bed_code'), ['bed_code'])
    op.create_index('uq_institution_credit_code', 'institution', ['credit_code'], unique=True,
                    sqlite_where=NOT_A_BED, postgresql_where=NOT_A_BED)


def downgrade():
    beds = op.get_bind().execute(sa.text("SELECT count(*) FROM institution WHERE type = 'home_care_bed'")).scalar()
    if beds:
        raise RuntimeError(f"{beds} home-care beds are registered; the older schema cannot hold them "
                           "(their credit codes repeat their providers'). Remove them first.")
    op.drop_index('uq_institution_credit_code', table_name='institution')
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_institution_bed_code'), type_='unique')
        batch_op.create_unique_constraint('uq_institution_credit_code', ['credit_code'])
        batch_op.drop_column('assessed_on')
        batch_op.drop_column('care_level')
        batch_op.drop_column('bed_code')
