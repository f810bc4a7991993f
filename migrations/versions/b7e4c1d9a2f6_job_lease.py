"""jobs: a running job's lease (extended by its worker's heartbeats)

Revision ID: b7e4c1d9a2f6
Revises: 9c4b7e1f2a60
Create Date: 2026-12-04 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e4c1d9a2f6'
down_revision = '9c4b7e1f2a60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
    # The processes are stopped during an upgrade: a job still marked running lost its worker.
    op.execute("UPDATE job SET lease_until = started_at WHERE state = 'running'")


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
