"""The one audit writer: every change to a record passes through :func:`record`.

Each row keeps who, when, what, and the values before and after. Rows form a hash chain
(each row's hash covers its content and the previous row's hash), so altering or deleting
a row is detected at that row by :func:`verify_chain`. Export the latest hash regularly
(``flask audit head``) to keep the chain's end outside the database.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import JSON, String, Text, func, inspect, select, text
from sqlalchemy.orm import Mapped, mapped_column

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
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


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
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders so the chain never forks; released at commit/rollback.
        session.execute(text("SELECT pg_advisory_xact_lock(727001)"))
    prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor=getattr(actor, "username", None) or "system",
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        reason=reason,
        prev_hash=prev or GENESIS,
    )
    event.hash = _digest(event.prev_hash, _chained_fields(event))
    session.add(event)
    session.flush()
    return event


def verify_chain(batch: int = 5000) -> list[int]:
    """Ids of rows whose content or link does not match the chain (empty when intact)."""
    bad: list[int] = []
    expected_prev = GENESIS
    last_id = 0
    while True:
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return bad
        for event in rows:
            if event.prev_hash != expected_prev or event.hash != _digest(event.prev_hash, _chained_fields(event)):
                bad.append(event.id)
            expected_prev = event.hash
            last_id = event.id


def head() -> tuple[int, str] | None:
    row = db.session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return (row.id, row.hash) if row else None


def history(entity: str, entity_id) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.id)
    ))


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
