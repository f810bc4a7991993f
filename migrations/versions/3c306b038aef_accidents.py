"""accidents: records of their own (date, kind, casualties, the institution's responsibility,
the source document); the serious accidents entered as grading credit records move here

Rows of ``grade_sanction`` of kind ``accident`` become accidents of kind ``other``, marked
serious, with their decision reference as the source document (type department_notice, issuer
"—" when unknown), and are removed from ``grade_sanction``. Downgrading moves them back.

Revision ID: 3c306b038aef
Revises: c6344dff754b
Create Date: 2026-12-04 19:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3c306b038aef'
down_revision = 'c6344dff754b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'accident',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('occurred_on', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('deaths', sa.Integer(), nullable=False),
        sa.Column('injuries', sa.Integer(), nullable=False),
        sa.Column('serious_injuries', sa.Integer(), nullable=False),
        sa.Column('responsibility', sa.String(length=16), nullable=False),
        sa.Column('serious', sa.Boolean(), nullable=False),
        sa.Column('source_type', sa.String(length=24), nullable=False),
        sa.Column('source_reference', sa.String(length=120), nullable=False),
        sa.Column('source_issuer', sa.String(length=120), nullable=False),
        sa.Column('source_issued_on', sa.Date(), nullable=False),
        sa.Column('summary', sa.Text(), nullable=True),
        sa.Column('department', sa.String(length=24), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['institution_id'], ['institution.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('accident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accident_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accident_occurred_on'), ['occurred_on'], unique=False)
    op.execute(sa.text(
        "INSERT INTO accident (institution_id, occurred_on, kind, deaths, injuries, serious_injuries, "
        "responsibility, serious, source_type, source_reference, source_issuer, source_issued_on, summary, "
        "department, created_by_id, created_at) "
        "SELECT institution_id, decided_on, 'other', 0, 0, 0, 'undetermined', :yes, 'department_notice', "
        "reference, '—', decided_on, note, NULL, created_by_id, created_at "
        "FROM grade_sanction WHERE kind = 'accident'").bindparams(yes=True))
    op.execute(sa.text("DELETE FROM grade_sanction WHERE kind = 'accident'"))


def downgrade():
    op.execute(sa.text(
        "INSERT INTO grade_sanction (institution_id, kind, decided_on, until, reference, note, source, "
        "created_by_id, created_at) "
        "SELECT institution_id, 'accident', occurred_on, NULL, source_reference, summary, 'bureau', "
        "created_by_id, created_at FROM accident WHERE serious = :yes").bindparams(yes=True))
    with op.batch_alter_table('accident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accident_occurred_on'))
        batch_op.drop_index(batch_op.f('ix_accident_institution_id'))
    op.drop_table('accident')
