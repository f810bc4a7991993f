"""sign-in throttle: failed password checks per account, known device and client address

Revision ID: 7c3f1e5a9d20
Revises: 5e2c9a7b3d14
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7c3f1e5a9d20'
down_revision = '5e2c9a7b3d14'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signin_throttle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('refused', sa.Integer(), server_default='0', nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signin_throttle')),
    sa.UniqueConstraint('scope', 'key', name=op.f('uq_signin_throttle_scope'))
    )
    with op.batch_alter_table('signin_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signin_throttle_window_started_at'), ['window_started_at'], unique=False)


def downgrade():
    with op.batch_alter_table('signin_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signin_throttle_window_started_at'))
    op.drop_table('signin_throttle')
