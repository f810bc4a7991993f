"""audit rows carry a keyed MAC and its key id; daily anchors of the chain's head

Rows already in the chain get their MAC here, with the configured AUDIT_HMAC_KEY, if their
plain chain is intact: the MAC then vouches for them as they are at this upgrade. If the
chain is broken (or no key is configured) they stay without a MAC and `flask audit verify`
reports the break, or "unkeyed before <seq>" (docs/operations.md, "Upgrading").

Revision ID: 9c4b7e1f2a60
Revises: b7d3e5f1a920
Create Date: 2026-11-25 09:00:00

"""
import sys

from alembic import op
import sqlalchemy as sa


revision = '9c4b7e1f2a60'
down_revision = 'b7d3e5f1a920'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
    op.create_table('audit_anchor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_anchor')),
    sa.UniqueConstraint('day', name=op.f('uq_audit_anchor_day'))
    )
    _mac_existing_rows()


def _mac_existing_rows():
    from flask import current_app

    from inspect_app.core.types import UTCDateTime
    from inspect_app.domain import audit_chain

    key = current_app.config.get("AUDIT_HMAC_KEY") if current_app else None
    if not key:
        print("audit: no AUDIT_HMAC_KEY; existing rows keep no MAC (verify: unkeyed before <seq>)",
              file=sys.stderr)
        return
    ring = audit_chain.keyring(key)
    event = sa.table('audit_event', sa.column('id', sa.Integer), sa.column('seq', sa.BigInteger),
                     sa.column('prev_hash', sa.String), sa.column('hash', sa.String),
                     sa.column('at', UTCDateTime), sa.column('actor_id', sa.Integer),
                     sa.column('actor', sa.String), sa.column('action', sa.String),
                     sa.column('entity', sa.String), sa.column('entity_id', sa.String),
                     sa.column('before', sa.JSON), sa.column('after', sa.JSON), sa.column('reason', sa.Text),
                     sa.column('mac', sa.String), sa.column('key_id', sa.String))
    conn = op.get_bind()

    def batches():
        last_seq = 0
        while True:
            rows = conn.execute(sa.select(event).where(event.c.seq > last_seq).order_by(event.c.seq)
                                .limit(BATCH)).all()
            if not rows:
                return
            yield [(r, audit_chain.chained_bytes(r.prev_hash or "", audit_chain.content(
                r.at, r.actor_id, r.actor, r.action, r.entity, r.entity_id, r.before, r.after, r.reason)))
                   for r in rows]
            last_seq = rows[-1].seq

    # First the plain chain, all of it: a broken chain is not vouched for.
    expected_seq, prev = 1, audit_chain.GENESIS
    for batch in batches():
        for r, data in batch:
            if r.seq != expected_seq or r.prev_hash != prev or r.hash != audit_chain.plain_hash(data):
                print(f"audit: the chain is broken at seq {r.seq}; existing rows keep no MAC. "
                      "Run `flask audit verify` and compare with the last head you kept.", file=sys.stderr)
                return
            expected_seq, prev = r.seq + 1, r.hash
    stmt = (event.update().where(event.c.id == sa.bindparam('row_id'))
            .values(mac=sa.bindparam('mac'), key_id=ring.signing_id))
    for batch in batches():
        conn.execute(stmt, [{"row_id": r.id, "mac": audit_chain.row_mac(ring.signing, r.seq, data)}
                            for r, data in batch])
    if expected_seq > 1:
        print(f"audit: {expected_seq - 1} existing rows given a MAC with key {ring.signing_id}", file=sys.stderr)


def downgrade():
    op.drop_table('audit_anchor')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('key_id')
        batch_op.drop_column('mac')
