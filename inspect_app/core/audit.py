"""The one audit writer: every change to a record passes through :func:`record`.

Each row keeps who, when, what, and the values before and after. Rows form a hash chain
(each row's hash covers its content and the previous row's hash), so altering or deleting
a row is detected at that row by :func:`verify_chain`. Export the latest hash regularly
(``flask audit head``) to keep the chain's end outside the database.

Rows are written at once (visible in the transaction, numbered by ``id``) but **sealed when
the transaction commits**: a ``before_commit`` hook takes the chain lock, gives the
transaction's rows the next chain positions (``seq``) and their hashes. So concurrent
requests serialise only for the moment of their commit, not from their first change on, and
the chain's order is the order in which transactions committed.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import JSON, BigInteger, String, Text, event, func, inspect, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

GENESIS = "0" * 64


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(60), index=True)
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    # Set when the writing transaction commits (see the module's docstring).
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64), unique=True)


def jsonable(value: Any) -> Any:
    """A JSON-safe form of a column value (dates as ISO text, decimals as strings)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj, exclude: tuple[str, ...] = ("password_hash",)) -> dict:
    """The column values of a model instance, JSON-safe (secrets excluded)."""
    mapper = inspect(obj).mapper
    return {
        attr.key: jsonable(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in exclude
    }


def _digest(prev_hash: str, fields: dict) -> str:
    body = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def _chained_fields(event: AuditEvent) -> dict:
    return {
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "action": event.action,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
    }


def record(actor, action: str, entity: str, entity_id, before: dict | None = None,
           after: dict | None = None, reason: str | None = None) -> AuditEvent:
    """Append one audit row in the caller's transaction (never commits).

    ``actor`` is a user (anything with ``id`` and ``username``) or ``None`` for the system.
    """
    session = db.session
    row = AuditEvent(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor=getattr(actor, "username", None) or "system",
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        reason=reason,
    )
    session.add(row)
    session.flush()
    session.info.setdefault(_UNSEALED, []).append(row)
    return row


_UNSEALED = "audit_unsealed"
CHAIN_LOCK = 727001


@event.listens_for(Session, "before_commit")
def _seal(session: Session) -> None:
    """Chain this transaction's rows: lock, read the chain's end, hash in ``id`` order."""
    pending = session.info.pop(_UNSEALED, None)
    if not pending:
        return
    rows = sorted((r for r in pending if r in session and r.seq is None), key=lambda r: r.id)
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        # Serialise sealers so the chain never forks; released at commit.
        session.execute(text(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})"))
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.is_not(None))
        .order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
    for row in rows:
        seq += 1
        row.seq, row.prev_hash = seq, prev
        row.hash = prev = _digest(prev, _chained_fields(row))
    session.flush()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    if not session.in_transaction():
        session.info.pop(_UNSEALED, None)


def verify_chain(batch: int = 5000) -> list[int]:
    """Ids of rows whose content or link does not match the chain (empty when intact).

    A row without a chain position is bad unless this very session wrote it and has not
    committed yet (a committed row is always sealed)."""
    own = {r.id for r in db.session.info.get(_UNSEALED, ())}
    bad = [i for i in db.session.scalars(select(AuditEvent.id).where(AuditEvent.seq.is_(None)))
           if i not in own]
    expected_prev = GENESIS
    last_seq = 0
    while True:
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return sorted(bad)
        for row in rows:
            if row.prev_hash != expected_prev or row.hash != _digest(row.prev_hash, _chained_fields(row)):
                bad.append(row.id)
            expected_prev = row.hash
            last_seq = row.seq


def head() -> tuple[int, str] | None:
    """The chain's end: (position, hash) of the last sealed row."""
    row = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.is_not(None))
        .order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (row.seq, row.hash) if row else None


def history(entity: str, entity_id) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.id)
    ))


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
