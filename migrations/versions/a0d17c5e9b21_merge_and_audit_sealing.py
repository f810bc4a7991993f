"""merge the feature branches; audit rows are sealed (chained) at commit

Revision ID: a0d17c5e9b21
Revises: 3b7d2e9a61c4, c4e1a7d2b9f0, f83ef24cc605
Create Date: 2026-11-23 13:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a0d17c5e9b21'
down_revision = ('3b7d2e9a61c4', 'c4e1a7d2b9f0', 'f83ef24cc605')
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
    # Rows written before this change were chained in id order.
    op.execute("UPDATE audit_event SET seq = id")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_seq'), ['seq'])


def downgrade():
    op.execute("DELETE FROM audit_event WHERE seq IS NULL")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_event_seq'), type_='unique')
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('seq')
