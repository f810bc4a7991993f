"""What an intruder with write access to the database, but without the MAC key, can do to
the audit chain: recompute the plain hashes (the formula is public, docs/operations.md)."""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select, update

from inspect_app.core import audit
from inspect_app.core.audit import AuditEvent


def chain(db) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.seq.is_not(None))
                                   .order_by(AuditEvent.seq)))


def plain_hash(prev_hash: str, row: AuditEvent) -> str:
    """The documented plain hash, computed as an intruder (or any reader) would."""
    fields = {"at": row.at.isoformat(timespec="microseconds"), "actor_id": row.actor_id, "actor": row.actor,
              "action": row.action, "entity": row.entity, "entity_id": row.entity_id,
              "before": row.before, "after": row.after, "reason": row.reason}
    body = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def renumber_and_rehash(db) -> None:
    """Close every gap in ``seq`` and recompute every plain hash: the plain chain is whole
    again. The MACs stay as they were (the intruder has no key)."""
    rows = chain(db)
    prev = audit.GENESIS
    for position, row in enumerate(rows, start=1):
        new_hash = plain_hash(prev, row)
        if (row.seq, row.prev_hash, row.hash) != (position, prev, new_hash):
            db.session.execute(update(AuditEvent).where(AuditEvent.id == row.id)
                               .values(seq=position, prev_hash=prev, hash=new_hash))
        prev = new_hash
    db.session.expire_all()
