"""on-the-spot rectification (当场整改) and enforcement credentials (执法证)

The marks an inspector submits for failed minor items put right during the visit
(``on_spot_rectification``), the stage of an evidence photo (``found`` or ``after``), the
finding's ``on_spot`` flag, and an inspector's enforcement certificate (number, issuing
authority, last valid day).

Revision ID: 5e0b7c31d2a4
Revises: d5a8c3e1f7b2
Create Date: 2026-12-04 21:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5e0b7c31d2a4'
down_revision = 'd5a8c3e1f7b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'on_spot_rectification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('inspection_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.String(length=40), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'],
                                name=op.f('fk_on_spot_rectification_inspection_id_inspection'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_on_spot_rectification')),
        sa.UniqueConstraint('inspection_id', 'item_id', name=op.f('uq_on_spot_rectification_inspection_id')),
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=8), server_default='found', nullable=False))
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_spot', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credential_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('credential_authority', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('credential_expires_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('credential_expires_on')
        batch_op.drop_column('credential_authority')
        batch_op.drop_column('credential_number')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_column('on_spot')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_column('stage')
    op.drop_table('on_spot_rectification')
