"""a finding's history names the institution's 陈述申辩 "reply", as the code does

The history rows (``finding_event.action``) written as "contest" are renamed "reply". The
audit trail keeps the word it was written with (its rows are chained and sealed); the page of
a finding's history labels both alike.

Revision ID: c3926b00e256
Revises: 6d1f0b8e4a27
Create Date: 2026-12-04 19:00:00

"""
from alembic import op


revision = 'c3926b00e256'
down_revision = '6d1f0b8e4a27'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE finding_event SET action = 'reply' WHERE action = 'contest'")


def downgrade():
    op.execute("UPDATE finding_event SET action = 'contest' WHERE action = 'reply'")
