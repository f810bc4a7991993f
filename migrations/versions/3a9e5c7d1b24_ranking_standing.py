"""ranking standings: each institution's level, grading score, supervision index (with its
parts), on-time rectification rate, open findings and district band per local month; a year's league counts per district and department

Revision ID: 3a9e5c7d1b24
Revises: c3926b00e256
Create Date: 2026-12-04 18:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3a9e5c7d1b24'
down_revision = 'c3926b00e256'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ranking_standing',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('policy_version', sa.String(length=20), nullable=False),
        sa.Column('level', sa.Integer(), nullable=True),
        sa.Column('grade_total', sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column('supervision_index', sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column('index_parts', sa.JSON(), nullable=True),
        sa.Column('cycles', sa.Integer(), nullable=False),
        sa.Column('on_time', sa.Integer(), nullable=False),
        sa.Column('late', sa.Integer(), nullable=False),
        sa.Column('on_time_rate', sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column('open_findings', sa.Integer(), nullable=False),
        sa.Column('district_percentile', sa.Numeric(precision=7, scale=3), nullable=True),
        sa.Column('district_band', sa.String(length=1), nullable=True),
        sa.Column('previous_index', sa.Numeric(precision=14, scale=4), nullable=True),
        *[sa.Column(name, sa.Integer(), nullable=True) for name in
          ('rank_index', 'rank_level', 'rank_score', 'rank_rate', 'rank_open', 'rank_trend')],
        sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('period', 'institution_id'),
    )
    with op.batch_alter_table('ranking_standing', schema=None) as batch_op:
        batch_op.create_index('ix_ranking_standing_institution_id', ['institution_id'], unique=False)
        batch_op.create_index('ix_ranking_standing_period_index', ['period', 'supervision_index'], unique=False)
        batch_op.create_index('ix_ranking_standing_period_rate', ['period', 'on_time_rate'], unique=False)
        batch_op.create_index('ix_ranking_standing_period_level', ['period', 'level', 'grade_total'], unique=False)
    op.create_table(
        'ranking_league_tally',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('district', sa.String(length=40), nullable=False),
        sa.Column('department', sa.String(length=24), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in
          ('planned', 'done', 'compliant', 'inspected', 'critical', 'on_time', 'late', 'overdue', 'closed')],
        sa.Column('days_to_close', sa.Numeric(precision=18, scale=4), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('year', 'district', 'department'),
    )


def downgrade():
    op.drop_table('ranking_league_tally')
    with op.batch_alter_table('ranking_standing', schema=None) as batch_op:
        batch_op.drop_index('ix_ranking_standing_period_level')
        batch_op.drop_index('ix_ranking_standing_period_rate')
        batch_op.drop_index('ix_ranking_standing_period_index')
        batch_op.drop_index('ix_ranking_standing_institution_id')
    op.drop_table('ranking_standing')
