"""grading scheme: a grade application and a grade record know their rating, the GB/T 37276
stars (``star``, every existing row) or the community-centre A-levels (``a_level``)

Revision ID: d41a7c2e9b50
Revises: 7d2f4b8e1a63
Create Date: 2026-12-04 22:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd41a7c2e9b50'
down_revision = '7d2f4b8e1a63'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('grade_application') as batch:
        batch.add_column(sa.Column('scheme', sa.String(length=12), nullable=False, server_default='star'))
    with op.batch_alter_table('grade_record') as batch:
        batch.add_column(sa.Column('scheme', sa.String(length=12), nullable=False, server_default='star'))
        batch.create_index('ix_grade_record_scheme', ['scheme'])


def downgrade():
    with op.batch_alter_table('grade_record') as batch:
        batch.drop_index('ix_grade_record_scheme')
        batch.drop_column('scheme')
    with op.batch_alter_table('grade_application') as batch:
        batch.drop_column('scheme')
