"""medical agreements: the register of care-medical agreements (医养签约), their scanned pages,
expiry reminders (one per agreement, step and end date), doctors' rounds, and long-term-care
insurance designations (长护险定点)

Revision ID: 5a7e2c9d41b3
Revises: 5e0b7c31d2a4
Create Date: 2026-12-04 21:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5a7e2c9d41b3'
down_revision = '5e0b7c31d2a4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'medical_agreement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('partner_name', sa.String(length=120), nullable=False),
        sa.Column('partner_licence', sa.String(length=22), nullable=False),
        sa.Column('number', sa.String(length=60), nullable=True),
        sa.Column('signed_on', sa.Date(), nullable=True),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('services', sa.JSON(), nullable=False),
        sa.Column('visit_count', sa.Integer(), nullable=False),
        sa.Column('visit_period', sa.String(length=8), nullable=False),
        sa.Column('green_channel', sa.Boolean(), nullable=False),
        sa.Column('green_channel_contact', sa.String(length=120), nullable=True),
        sa.Column('doctor_name', sa.String(length=80), nullable=True),
        sa.Column('reminder_step', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['institution_id'], ['institution.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('institution_id', 'partner_licence', 'starts_on'),
    )
    with op.batch_alter_table('medical_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_medical_agreement_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_medical_agreement_ends_on'), ['ends_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_medical_agreement_reminder_step'), ['reminder_step'], unique=False)
    op.create_table(
        'agreement_page',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['agreement_id'], ['medical_agreement.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('agreement_id', 'file_id'),
    )
    with op.batch_alter_table('agreement_page', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_page_agreement_id'), ['agreement_id'], unique=False)
    op.create_table(
        'agreement_reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('days_before', sa.Integer(), nullable=True),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agreement_id'], ['medical_agreement.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('agreement_id', 'step', 'ends_on'),
    )
    with op.batch_alter_table('agreement_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_reminder_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_reminder_created_at'), ['created_at'], unique=False)
    op.create_table(
        'doctor_round',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('doctor_name', sa.String(length=80), nullable=False),
        sa.Column('residents_seen', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agreement_id'], ['medical_agreement.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('agreement_id', 'held_on', 'doctor_name'),
    )
    with op.batch_alter_table('doctor_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doctor_round_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_doctor_round_held_on'), ['held_on'], unique=False)
    op.create_table(
        'ltc_designation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('agency', sa.String(length=120), nullable=False),
        sa.Column('agreement_number', sa.String(length=60), nullable=True),
        sa.Column('designated_from', sa.Date(), nullable=False),
        sa.Column('designated_to', sa.Date(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['institution_id'], ['institution.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('ltc_designation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ltc_designation_institution_id'), ['institution_id'], unique=False)


def downgrade():
    op.drop_table('ltc_designation')
    op.drop_table('doctor_round')
    op.drop_table('agreement_reminder')
    op.drop_table('agreement_page')
    op.drop_table('medical_agreement')
