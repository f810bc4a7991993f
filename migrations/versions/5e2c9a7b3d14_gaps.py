"""gaps: the bureau's decision on credit records (blacklist proposals); a plan run's last error

Revision ID: 5e2c9a7b3d14
Revises: a0d17c5e9b21
Create Date: 2026-11-24 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5e2c9a7b3d14'
down_revision = 'a0d17c5e9b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decision_note', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_credit_record_decided_by_id_user_account'),
                                    'user_account', ['decided_by_id'], ['id'])
    with op.batch_alter_table('plan_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_error', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failures', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('plan_run', schema=None) as batch_op:
        batch_op.drop_column('failures')
        batch_op.drop_column('last_error_at')
        batch_op.drop_column('last_error')
    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_credit_record_decided_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('decision_note')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('decision')
