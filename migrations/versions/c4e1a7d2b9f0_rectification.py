"""rectification: findings, history, notices, responses, messages, credit records

Revision ID: c4e1a7d2b9f0
Revises: 85bd03301459
Create Date: 2026-11-23 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1a7d2b9f0'
down_revision = '85bd03301459'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notice_counter',
    sa.Column('department', sa.String(length=24), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('department', 'year', name=op.f('pk_notice_counter'))
    )
    op.create_table('rectification_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=24), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reply_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('policy_version', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_rectification_notice_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_rectification_notice_institution_id_institution')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_rectification_notice_visit_id_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_notice')),
    sa.UniqueConstraint('department', 'year', 'number', name=op.f('uq_rectification_notice_department')),
    sa.UniqueConstraint('inspection_id', name=op.f('uq_rectification_notice_inspection_id'))
    )
    with op.batch_alter_table('rectification_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_notice_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_notice_visit_id'), ['visit_id'], unique=False)
    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=24), nullable=False),
    sa.Column('checklist_id', sa.String(length=80), nullable=False),
    sa.Column('checklist_version', sa.String(length=40), nullable=False),
    sa.Column('item_id', sa.String(length=40), nullable=False),
    sa.Column('item_text', sa.Text(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=True),
    sa.Column('answer', sa.String(length=40), nullable=True),
    sa.Column('remark', sa.Text(), nullable=True),
    sa.Column('severity', sa.String(length=12), nullable=False),
    sa.Column('veto', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('deadline_days', sa.Integer(), nullable=False),
    sa.Column('original_deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('policy_version', sa.String(length=40), nullable=False),
    sa.Column('contested', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_finding_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_finding_institution_id_institution')),
    sa.ForeignKeyConstraint(['notice_id'], ['rectification_notice.id'], name=op.f('fk_finding_notice_id_rectification_notice')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_finding_visit_id_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding')),
    sa.UniqueConstraint('inspection_id', 'item_id', name=op.f('uq_finding_inspection_id'))
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index('ix_finding_department_state', ['department', 'state'], unique=False)
        batch_op.create_index('ix_finding_institution_id_state', ['institution_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_next_due_at'), ['next_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_notice_id'), ['notice_id'], unique=False)
    op.create_table('credit_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_credit_record_finding_id_finding'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_credit_record_institution_id_institution')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_record')),
    sa.UniqueConstraint('finding_id', 'kind', name=op.f('uq_credit_record_finding_id'))
    )
    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_record_institution_id'), ['institution_id'], unique=False)
    op.create_table('finding_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('from_state', sa.String(length=12), nullable=True),
    sa.Column('to_state', sa.String(length=12), nullable=True),
    sa.Column('step', sa.String(length=24), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_finding_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_event_finding_id_finding'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_event'))
    )
    with op.batch_alter_table('finding_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_event_finding_id'), ['finding_id'], unique=False)
    op.create_table('finding_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_finding_response_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_finding_response_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_response_finding_id_finding'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_response'))
    )
    with op.batch_alter_table('finding_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_response_finding_id'), ['finding_id'], unique=False)
    op.create_table('rectification_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('audience', sa.String(length=12), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=24), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_rectification_message_finding_id_finding'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_rectification_message_institution_id_institution')),
    sa.ForeignKeyConstraint(['notice_id'], ['rectification_notice.id'], name=op.f('fk_rectification_message_notice_id_rectification_notice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_message'))
    )
    with op.batch_alter_table('rectification_message', schema=None) as batch_op:
        batch_op.create_index('ix_rectification_message_audience', ['audience', 'institution_id', 'department'], unique=False)
    op.create_table('rectification_message_read',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['rectification_message.id'], name=op.f('fk_rectification_message_read_message_id_rectification_message'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_rectification_message_read_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id', 'user_id', name=op.f('pk_rectification_message_read'))
    )
    op.create_table('response_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_response_photo_file_id_stored_file')),
    sa.ForeignKeyConstraint(['response_id'], ['finding_response.id'], name=op.f('fk_response_photo_response_id_finding_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_photo'))
    )
    with op.batch_alter_table('response_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_photo_response_id'), ['response_id'], unique=False)


def downgrade():
    with op.batch_alter_table('response_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_photo_response_id'))
    op.drop_table('response_photo')
    op.drop_table('rectification_message_read')
    with op.batch_alter_table('rectification_message', schema=None) as batch_op:
        batch_op.drop_index('ix_rectification_message_audience')
    op.drop_table('rectification_message')
    with op.batch_alter_table('finding_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_response_finding_id'))
    op.drop_table('finding_response')
    with op.batch_alter_table('finding_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_event_finding_id'))
    op.drop_table('finding_event')
    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_record_institution_id'))
    op.drop_table('credit_record')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_notice_id'))
        batch_op.drop_index(batch_op.f('ix_finding_next_due_at'))
        batch_op.drop_index('ix_finding_institution_id_state')
        batch_op.drop_index('ix_finding_department_state')
    op.drop_table('finding')
    with op.batch_alter_table('rectification_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_notice_visit_id'))
        batch_op.drop_index(batch_op.f('ix_rectification_notice_institution_id'))
    op.drop_table('rectification_notice')
    op.drop_table('notice_counter')
