"""draws: the product version that drew each run; third-party values of a day after the freeze

Revision ID: b7d3e5f1a920
Revises: 7c3f1e5a9d20
Create Date: 2026-12-05 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d3e5f1a920'
down_revision = '7c3f1e5a9d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('product_version', sa.String(length=32), nullable=True))
    # A plan may no longer name a third-party value of its freeze day (docs/draw-verification.md).
    op.execute("UPDATE plan SET beacon_delay_days = 1 WHERE beacon_delay_days < 1")


def downgrade():
    with op.batch_alter_table('plan_run', schema=None) as batch_op:
        batch_op.drop_column('product_version')
