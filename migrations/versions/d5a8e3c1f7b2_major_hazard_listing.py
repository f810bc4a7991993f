"""major hazards under listed supervision (重大事故隐患 挂牌督办): listings, remediation plans,
milestones with evidence, on-site re-inspections and the listings' history

Revision ID: d5a8e3c1f7b2
Revises: 3c306b038aef
Create Date: 2026-12-04 21:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd5a8e3c1f7b2'
down_revision = '3c306b038aef'
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        'hazard_listing',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('finding_id', sa.Integer(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('department', sa.String(length=24), nullable=False),
        sa.Column('hazard', sa.String(length=40), nullable=True),
        sa.Column('listed_on', sa.Date(), nullable=False),
        sa.Column('listed_at', UTC, nullable=False),
        sa.Column('bureau_staff_id', sa.Integer(), nullable=True),
        sa.Column('department_staff_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('plan_due_at', UTC, nullable=False),
        sa.Column('stop_use', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('stop_use_area', sa.Text(), nullable=True),
        sa.Column('end_on', sa.Date(), nullable=True),
        sa.Column('delisted_at', UTC, nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['institution_id'], ['institution.id']),
        sa.ForeignKeyConstraint(['bureau_staff_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['department_staff_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('finding_id'),
    )
    with op.batch_alter_table('hazard_listing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazard_listing_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazard_listing_department'), ['department'], unique=False)
    op.create_table(
        'hazard_plan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('listing_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('measures', sa.Text(), nullable=False),
        sa.Column('responsible_person', sa.String(length=120), nullable=False),
        sa.Column('funds_yuan', sa.Integer(), nullable=True),
        sa.Column('interim_measures', sa.Text(), nullable=False),
        sa.Column('stop_use', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('stop_use_area', sa.Text(), nullable=True),
        sa.Column('end_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('submitted_by_id', sa.Integer(), nullable=False),
        sa.Column('submitted_at', UTC, nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', UTC, nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['listing_id'], ['hazard_listing.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('listing_id', 'number'),
    )
    with op.batch_alter_table('hazard_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazard_plan_listing_id'), ['listing_id'], unique=False)
    op.create_table(
        'hazard_milestone',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('listing_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('due_at', UTC, nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('escalation_level', sa.Integer(), nullable=False),
        sa.Column('next_due_at', UTC, nullable=True),
        sa.Column('reported_at', UTC, nullable=True),
        sa.Column('reported_by_id', sa.Integer(), nullable=True),
        sa.Column('report_text', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['plan_id'], ['hazard_plan.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['listing_id'], ['hazard_listing.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reported_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('plan_id', 'seq'),
    )
    with op.batch_alter_table('hazard_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazard_milestone_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazard_milestone_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazard_milestone_next_due_at'), ['next_due_at'], unique=False)
    op.create_table(
        'hazard_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('milestone_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['milestone_id'], ['hazard_milestone.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('hazard_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazard_evidence_milestone_id'), ['milestone_id'], unique=False)
    op.create_table(
        'hazard_reinspection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('listing_id', sa.Integer(), nullable=False),
        sa.Column('inspector_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('removed', sa.Boolean(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.ForeignKeyConstraint(['listing_id'], ['hazard_listing.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['inspector_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('hazard_reinspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazard_reinspection_listing_id'), ['listing_id'], unique=False)
    op.create_table(
        'hazard_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('listing_id', sa.Integer(), nullable=False),
        sa.Column('at', UTC, nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=24), nullable=False),
        sa.Column('from_state', sa.String(length=16), nullable=True),
        sa.Column('to_state', sa.String(length=16), nullable=True),
        sa.Column('step', sa.String(length=24), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('data', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['listing_id'], ['hazard_listing.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['actor_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('hazard_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazard_event_listing_id'), ['listing_id'], unique=False)


def downgrade():
    for table in ('hazard_event', 'hazard_reinspection', 'hazard_evidence', 'hazard_milestone',
                  'hazard_plan', 'hazard_listing'):
        op.drop_table(table)
