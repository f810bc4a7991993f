"""credit records rest on any source record: a finding, an accident, a refused or obstructed
visit (new table ``visit_obstruction``), a penalty or a missing annual report

``credit_record.finding_id`` becomes nullable; ``source_kind`` + ``source_id`` name the one
source (a check: a finding's record sets ``finding_id`` equal to ``source_id``, any other sets
no ``finding_id``), unique with ``kind`` (one proposal per source). ``department`` is the
department whose record is the source; ``trigger`` and ``basis`` say which blacklist trigger a
proposal came from and the legal basis it cited. Existing rows all came from findings: they get
source ``finding``, their finding's department, and the existing blacklist proposals (all from
the fire major-hazard rung of the ladder) the trigger ``fire_major_hazard``.

Revision ID: 8d4a2f6c1e93
Revises: d5a8e3c1f7b2
Create Date: 2026-12-04 21:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '8d4a2f6c1e93'
down_revision = "d5a8e3c1f7b2"
branch_labels = None
depends_on = None

ONE_SOURCE = ("(source_kind = 'finding' AND finding_id IS NOT NULL AND source_id = finding_id)"
              " OR (source_kind IN ('accident', 'visit_obstruction', 'penalty', 'annual_report')"
              " AND finding_id IS NULL)")


def upgrade():
    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_kind', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('source_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('department', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('trigger', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('basis', sa.Text(), nullable=True))
    op.execute(sa.text(
        "UPDATE credit_record SET source_kind = 'finding', source_id = finding_id, "
        "department = (SELECT finding.department FROM finding WHERE finding.id = credit_record.finding_id)"))
    op.execute(sa.text("UPDATE credit_record SET \"trigger\" = 'fire_major_hazard' WHERE kind = 'blacklist_proposal'"))
    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.alter_column('finding_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('source_kind', existing_type=sa.String(length=24), nullable=False)
        batch_op.alter_column('source_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(op.f('uq_credit_record_source'), ['source_kind', 'source_id', 'kind'])
        batch_op.create_check_constraint(op.f('ck_credit_record_one_source'), sa.text(ONE_SOURCE))

    op.create_table(
        'visit_obstruction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('department', sa.String(length=24), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_visit_obstruction_visit_id_visit'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['institution_id'], ['institution.id'],
                                name=op.f('fk_visit_obstruction_institution_id_institution')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f('fk_visit_obstruction_recorded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_obstruction')),
        sa.UniqueConstraint('visit_id', name=op.f('uq_visit_obstruction_visit_id')),
    )
    with op.batch_alter_table('visit_obstruction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_obstruction_institution_id'), ['institution_id'], unique=False)


def downgrade():
    with op.batch_alter_table('visit_obstruction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_obstruction_institution_id'))
    op.drop_table('visit_obstruction')
    # Records that rest on no finding cannot be kept by the older schema.
    op.execute(sa.text("DELETE FROM credit_record WHERE finding_id IS NULL"))
    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_credit_record_one_source'), type_='check')
        batch_op.drop_constraint(op.f('uq_credit_record_source'), type_='unique')
        batch_op.alter_column('finding_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('basis')
        batch_op.drop_column('trigger')
        batch_op.drop_column('department')
        batch_op.drop_column('source_id')
        batch_op.drop_column('source_kind')
