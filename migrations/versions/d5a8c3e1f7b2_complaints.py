"""complaints: complaint and hotline cases (投诉举报) and their history

Revision ID: d5a8c3e1f7b2
Revises: d5a8c3e1f702
Create Date: 2026-12-04 21:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd5a8c3e1f7b2'
down_revision = 'd5a8c3e1f702'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'complaint_case',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=True),
        sa.Column('lookup_digest', sa.String(length=64), nullable=True),
        sa.Column('submission_digest', sa.String(length=64), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('category', sa.String(length=24), nullable=False),
        sa.Column('department', sa.String(length=24), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('summary', sa.String(length=200), nullable=False),
        sa.Column('details', sa.Text(), nullable=True),
        sa.Column('anonymous', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('complainant_name', sa.String(length=80), nullable=True),
        sa.Column('complainant_phone', sa.String(length=24), nullable=True),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('acceptance_due', sa.Date(), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closure_due', sa.Date(), nullable=True),
        sa.Column('extended', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('decline_reason', sa.Text(), nullable=True),
        sa.Column('reply_text', sa.Text(), nullable=True),
        sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('substantiated', sa.Boolean(), nullable=True),
        sa.Column('follow_up_due', sa.Date(), nullable=True),
        sa.Column('satisfaction', sa.String(length=16), nullable=True),
        sa.Column('followed_up_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reopen_count', sa.Integer(), nullable=False),
        sa.Column('acceptance_overdue_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closure_overdue_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('follow_up_overdue_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('visit_id', sa.Integer(), nullable=True),
        sa.Column('policy_version', sa.String(length=40), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['institution_id'], ['institution.id']),
        sa.ForeignKeyConstraint(['visit_id'], ['visit.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number'),
        sa.UniqueConstraint('submission_digest'),
    )
    with op.batch_alter_table('complaint_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_case_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_case_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_case_state'), ['state'], unique=False)
    op.create_table(
        'complaint_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('event', sa.String(length=24), nullable=False),
        sa.Column('from_state', sa.String(length=12), nullable=True),
        sa.Column('to_state', sa.String(length=12), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['complaint_case.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['actor_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('complaint_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_event_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('complaint_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_event_case_id'))
    op.drop_table('complaint_event')
    with op.batch_alter_table('complaint_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_case_state'))
        batch_op.drop_index(batch_op.f('ix_complaint_case_institution_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_case_department'))
    op.drop_table('complaint_case')
