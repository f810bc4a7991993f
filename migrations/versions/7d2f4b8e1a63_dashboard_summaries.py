"""dashboard speed: a partial index on unresolved findings, an index on when findings were
issued, and the monthly finding counts of the months that are over (ranking_finding_month)

Revision ID: 7d2f4b8e1a63
Revises: 5a7e2c9d41b3
Create Date: 2026-12-04 21:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7d2f4b8e1a63'
down_revision = '5a7e2c9d41b3'
branch_labels = None
depends_on = None

# The unresolved states (domain.rectification.states.UNRESOLVED), as the model's index has them.
UNRESOLVED_SQL = "state IN ('open', 'responded', 'contested', 'reopened')"


def upgrade():
    # IF NOT EXISTS: on a large table the two indexes may have been built beforehand with
    # CREATE INDEX CONCURRENTLY under these names (docs/operations.md).
    op.create_table(
        'ranking_finding_month',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('department', sa.String(length=24), nullable=False),
        sa.Column('district', sa.String(length=40), nullable=False),
        sa.Column('type', sa.String(length=24), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('findings', sa.Integer(), nullable=False),
        sa.Column('on_time', sa.Integer(), nullable=False),
        sa.Column('late', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('month', 'department', 'district', 'type'),
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index('ix_finding_unresolved', ['deadline_at', 'institution_id', 'department',
                                                        'escalation_level', 'created_at', 'state', 'id'],
                              unique=False, postgresql_where=sa.text(UNRESOLVED_SQL),
                              sqlite_where=sa.text(UNRESOLVED_SQL), if_not_exists=True)
        batch_op.create_index('ix_finding_created_at', ['created_at'], unique=False, if_not_exists=True)


def downgrade():
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_created_at')
        batch_op.drop_index('ix_finding_unresolved')
    op.drop_table('ranking_finding_month')
