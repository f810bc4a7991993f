"""one grading in progress per institution: one open application, one grade record still being decided

Partial unique indexes (SQLite and PostgreSQL alike):
* ``grade_application (institution_id) WHERE state IN ('submitted', 'accepted')``
* ``grade_record (institution_id) WHERE state IN ('evaluated', 'publicised', 'publicity_ended')``

An application becomes ``evaluated`` in the transaction that makes its record, so an
institution's grading is in progress in one row at a time: the open application, then its
record until the bureau confirms or rejects it. (That an application is not made while a
record is in progress is the eligibility rule ``open_application``, checked under the
institution's row lock.) Rows that already break the rule stop the upgrade with their ids:
the bureau withdraws, declines or rejects the extra ones first.

Revision ID: 6d1f0b8e4a27
Revises: b7e4c1d9a2f6
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '6d1f0b8e4a27'
down_revision = 'b7e4c1d9a2f6'
branch_labels = None
depends_on = None

OPEN_APPLICATION = ("submitted", "accepted")
RECORD_IN_PROGRESS = ("evaluated", "publicised", "publicity_ended")
INDEXES = (
    ("uq_grade_application_open_per_institution", "grade_application", OPEN_APPLICATION),
    ("uq_grade_record_in_progress_per_institution", "grade_record", RECORD_IN_PROGRESS),
)


def _where(states):
    return sa.text("state IN (%s)" % ", ".join(f"'{s}'" for s in states))


def upgrade():
    bind = op.get_bind()
    problems = []
    for _name, table, states in INDEXES:
        rows = bind.execute(sa.text(
            f"SELECT institution_id, COUNT(*) FROM {table} WHERE {_where(states).text} "
            f"GROUP BY institution_id HAVING COUNT(*) > 1 ORDER BY institution_id")).all()
        problems += [f"{table}: institution {i} has {n} rows in {', '.join(states)}" for i, n in rows]
    if problems:
        raise RuntimeError("one grading in progress per institution: resolve these first (withdraw, "
                           "decline or reject the extra ones):\n" + "\n".join(problems))
    for name, table, states in INDEXES:
        op.create_index(name, table, ["institution_id"], unique=True,
                        sqlite_where=_where(states), postgresql_where=_where(states))


def downgrade():
    for name, table, _states in reversed(INDEXES):
        op.drop_index(name, table_name=table)
