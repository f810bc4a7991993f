"""planning: plans, plan runs (one per plan and period), run history

Revision ID: f83ef24cc605
Revises: 85bd03301459
Create Date: 2026-11-23 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f83ef24cc605'
down_revision = '85bd03301459'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('rule', sa.String(length=24), nullable=True),
    sa.Column('period', sa.String(length=12), nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('expires', sa.Date(), nullable=True),
    sa.Column('one_off', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_period_key', sa.String(length=16), nullable=True),
    sa.Column('districts', sa.JSON(), nullable=False),
    sa.Column('institution_types', sa.JSON(), nullable=False),
    sa.Column('departments', sa.JSON(), nullable=False),
    sa.Column('ratios', sa.JSON(), nullable=False),
    sa.Column('risk_policy', sa.JSON(), nullable=False),
    sa.Column('team_per_department', sa.Integer(), nullable=False),
    sa.Column('max_per_inspector', sa.Integer(), nullable=False),
    sa.Column('avoid_own_district', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('beacon_source', sa.String(length=200), nullable=True),
    sa.Column('beacon_delay_days', sa.Integer(), nullable=False),
    sa.Column('publish_delay_days', sa.Integer(), nullable=False),
    sa.Column('horizon_days', sa.Integer(), nullable=False),
    sa.Column('visit_within_days', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_plan_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan'))
    )
    op.create_table('plan_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('period_key', sa.String(length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lists_json', sa.Text(), nullable=True),
    sa.Column('list_digest', sa.String(length=64), nullable=True),
    sa.Column('commitment', sa.String(length=64), nullable=True),
    sa.Column('secret', sa.String(length=64), nullable=True),
    sa.Column('beacon_source', sa.String(length=200), nullable=True),
    sa.Column('beacon_date', sa.Date(), nullable=True),
    sa.Column('frozen', sa.JSON(), nullable=True),
    sa.Column('beacon_value', sa.String(length=200), nullable=True),
    sa.Column('seed', sa.String(length=64), nullable=True),
    sa.Column('input_json', sa.Text(), nullable=True),
    sa.Column('input_digest', sa.String(length=64), nullable=True),
    sa.Column('output_json', sa.Text(), nullable=True),
    sa.Column('output_digest', sa.String(length=64), nullable=True),
    sa.Column('visit_count', sa.Integer(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('publish_after', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_run_plan_id_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_run')),
    sa.UniqueConstraint('plan_id', 'period_key', name=op.f('uq_plan_run_plan_id'))
    )
    with op.batch_alter_table('plan_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_run_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_run_state'), ['state'], unique=False)

    op.create_table('plan_run_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_state', sa.String(length=12), nullable=True),
    sa.Column('to_state', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_plan_run_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['run_id'], ['plan_run.id'], name=op.f('fk_plan_run_event_run_id_plan_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_run_event'))
    )
    with op.batch_alter_table('plan_run_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_run_event_run_id'), ['run_id'], unique=False)


def downgrade():
    with op.batch_alter_table('plan_run_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_run_event_run_id'))
    op.drop_table('plan_run_event')
    with op.batch_alter_table('plan_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_run_state'))
        batch_op.drop_index(batch_op.f('ix_plan_run_plan_id'))
    op.drop_table('plan_run')
    op.drop_table('plan')
