"""The one audit writer: every change to a record passes through :func:`record`.

Each row keeps who, when, what, and the values before and after. Rows form a hash chain
(each row's hash covers its content and the previous row's hash), so altering or deleting
a row is detected at that row by :func:`verify`. Export the latest hash regularly
(``flask audit head``) to keep the chain's end outside the database.

Rows join the session at once (visible to the transaction's queries, which flush them
first) but are **sealed when the transaction commits**: a ``before_commit`` hook takes the
chain lock, gives the transaction's rows the next chain positions (``seq``) and their hashes,
in the order they were recorded. A row no query flushed before is inserted already sealed, by
one statement with the transaction's other such rows (no INSERT then UPDATE). So concurrent
requests serialise only for the moment of their commit, not from their first change on, and
the chain's order is the order in which transactions committed.

Each row also carries a MAC made with ``AUDIT_HMAC_KEY`` and the id of that key, so a chain
re-hashed by someone without the key is found; once a day an :class:`AuditAnchor` keeps the
chain's head, and the anchors are copied outside the database (``core.audit_anchors``). The
arithmetic, and the check :func:`verify` runs, live in ``domain.audit_chain``.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, Iterable

from flask import current_app
from sqlalchemy import JSON, BigInteger, Date, String, Text, event, func, inspect, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..domain import audit_chain
from ..domain.audit_chain import GENESIS, Anchor, ChainCheck, ChainRow, Keyring, Report
from ..extensions import db
from . import rows as rows_module
from .types import UTCDateTime, utcnow


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
    # HMAC of the same bytes with the key named by key_id (domain.audit_chain).
    mac: Mapped[str | None] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(16))


class AuditAnchor(db.Model):
    """The chain's head as it was once a day (one row per local day), with a MAC; copied
    outside the database by the daily sweep (core.audit_anchors)."""
    __tablename__ = "audit_anchor"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(String(16))
    mac: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # mailed to AUDIT_ANCHOR_MAILTO

    def as_anchor(self, source: str | None = None) -> Anchor:
        return Anchor(self.seq, self.hash, source or f"database anchor of {self.day.isoformat()}",
                      day=self.day.isoformat(), at=self.at.isoformat(timespec="microseconds"),
                      key_id=self.key_id, mac=self.mac)


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


def _chained_fields(event: AuditEvent) -> dict:
    return audit_chain.content(event.at, event.actor_id, event.actor, event.action, event.entity,
                               event.entity_id, event.before, event.after, event.reason)


@lru_cache(maxsize=4)
def _keyring(current: str, old: str) -> Keyring:
    return audit_chain.keyring(current, audit_chain.split_keys(old))


def keys() -> Keyring:
    """The configured keys: ``AUDIT_HMAC_KEY`` signs, ``AUDIT_HMAC_OLD_KEYS`` only verify."""
    config = current_app.config
    return _keyring(config.get("AUDIT_HMAC_KEY") or "", config.get("AUDIT_HMAC_OLD_KEYS") or "")


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
    session.add(row)          # inserted by the next flush, or at commit already sealed
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
    # In the order they were recorded: a flushed row's id follows that order, and the rows
    # still pending get theirs in it when the flush below inserts them (one statement).
    rows = [r for r in pending if r in session and r.seq is None]
    if not rows:
        return
    with session.no_autoflush:               # the pending rows are inserted sealed, below
        if session.get_bind().dialect.name == "postgresql":
            # Serialise sealers so the chain never forks; released at commit.
            session.execute(text(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})"))
        last = session.execute(
            select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.is_not(None))
            .order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
    ring = keys()
    for row in rows:
        seq += 1
        data = audit_chain.chained_bytes(prev, _chained_fields(row))
        row.seq, row.prev_hash, row.key_id = seq, prev, ring.signing_id
        row.hash = prev = audit_chain.plain_hash(data)
        row.mac = audit_chain.row_mac(ring.signing, seq, data)
    # Rows no query wrote yet (the commonest case) are inserted sealed, by one statement; they
    # were recorded after any written row (a flush writes every pending one), so their ids
    # follow the chain's order too. Rows already written are updated by the flush.
    rows_module.insert(session, [r for r in rows if inspect(r).pending])
    session.flush()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    if not session.in_transaction():
        session.info.pop(_UNSEALED, None)


_ROW_COLUMNS = (AuditEvent.id, AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.hash, AuditEvent.mac,
                AuditEvent.key_id, AuditEvent.at, AuditEvent.actor_id, AuditEvent.actor, AuditEvent.action,
                AuditEvent.entity, AuditEvent.entity_id, AuditEvent.before, AuditEvent.after, AuditEvent.reason)


def verify(anchors: Iterable[Anchor] = (), now: datetime | None = None, batch: int = 5000,
           with_keys: bool = True) -> Report:
    """Walk the whole chain in ``seq`` order against the configured keys (unless
    ``with_keys`` is false: a reader without the key), the given anchors (a published head,
    an anchors file) and the anchors kept in the database.

    A row without a chain position is a problem unless this very session wrote it and has
    not committed yet (a committed row is always sealed)."""
    tolerance = timedelta(seconds=current_app.config.get("AUDIT_CLOCK_TOLERANCE", 300))
    stored = [a.as_anchor() for a in db.session.scalars(select(AuditAnchor).order_by(AuditAnchor.day))]
    check = ChainCheck(keys().by_id if with_keys else None, [*anchors, *stored], tolerance, now or utcnow())
    own = {r.id for r in db.session.info.get(_UNSEALED, ())}
    for row_id in db.session.scalars(select(AuditEvent.id).where(AuditEvent.seq.is_(None)).order_by(AuditEvent.id)):
        if row_id not in own:
            check.report.problems.append(audit_chain.Problem(
                f"row id {row_id}", "committed without a chain position (never sealed)", row_id))
    last_seq, connection = 0, db.session.connection()      # Core rows: no ORM bookkeeping
    while True:
        rows = connection.execute(select(*_ROW_COLUMNS).where(AuditEvent.seq > last_seq)
                                  .order_by(AuditEvent.seq).limit(batch)).all()
        if not rows:
            return check.finish()
        for r in rows:
            check.feed(ChainRow(r.id, r.seq, r.prev_hash, r.hash, r.mac, r.key_id, r.at, audit_chain.content(
                r.at, r.actor_id, r.actor, r.action, r.entity, r.entity_id, r.before, r.after, r.reason)))
        last_seq = rows[-1].seq


def verify_chain(batch: int = 5000) -> list[int]:
    """Ids of the rows at which :func:`verify` finds a problem (empty when intact)."""
    return sorted({p.row_id for p in verify(batch=batch).problems if p.row_id is not None})


def head() -> tuple[int, str] | None:
    """The chain's end: (position, hash) of the last sealed row."""
    row = head_row()
    return (row.seq, row.hash) if row else None


def head_row():
    """The chain's end: ``seq``, ``hash`` and ``at`` of the last sealed row, or None."""
    return db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash, AuditEvent.at).where(AuditEvent.seq.is_not(None))
        .order_by(AuditEvent.seq.desc()).limit(1)
    ).first()


def history(entity: str, entity_id) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.id)
    ))


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
