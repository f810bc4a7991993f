"""Engine settings per database. SQLite gets WAL, a bounded busy timeout, foreign keys and
real transactions (pysqlite's own handling breaks SAVEPOINT and transactional DDL) that take
the write lock only when they are about to write (docs/architecture.md, "SQLite").

SQLite has one write lock for the whole file. Holding it from a request's first statement
made every request, reads included, wait for the one before it, through PDF rendering and
spreadsheet parsing. So on SQLite:

* Until a transaction writes, each statement reads on its own (autocommit; under WAL, readers
  never wait for the writer and hold nothing while the request computes). This is what
  PostgreSQL's READ COMMITTED gives too: each statement sees what was committed before it.
* Right before the first statement that writes — an INSERT, UPDATE, DELETE, DDL, SAVEPOINT,
  or a read that locks rows (``with_for_update``, PostgreSQL's row locks) — the connection
  issues ``BEGIN IMMEDIATE``: it waits for the write lock (at most ``SQLITE_BUSY_TIMEOUT``
  seconds), and from then on the transaction is the only writer and reads the latest data,
  until it commits or rolls back. A locked read is thus as fresh as PostgreSQL's.
* A plain deferred ``BEGIN`` is never used: upgrading a read transaction to a write one fails
  at once with "database is locked" when another writer committed in between (SQLite does
  not wait in that case).

A transaction that cannot get the lock in time raises ``OperationalError`` ("database is
locked") before it wrote anything; the web edge answers 503 with Retry-After
(:func:`is_busy`, ``core.web``).

On PostgreSQL each transaction takes row locks as it goes and holds them to its end. A
statement waits for a row another transaction holds at most ``POSTGRES_LOCK_TIMEOUT`` seconds
(the server's ``lock_timeout``, set on each connection of the web application); then it fails
with ``lock_not_available``, and a deadlock or a serialization failure fails the same way. The
transaction is rolled back whole, so here too nothing was saved and the web edge answers 503
with Retry-After. The Celery worker sets no limit: a job waits for its rows as long as it must.
"""
from __future__ import annotations

import sqlite3
import threading
import time

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool
from sqlalchemy.sql.selectable import GenerativeSelect

DEFAULT_BUSY_TIMEOUT = 5.0          # seconds a writer waits for SQLite's write lock
_BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def configure_engine(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        timeout = float(app.config.get("SQLITE_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT))
        options.setdefault("connect_args", {}).update({"timeout": timeout, "check_same_thread": False})
    else:
        options.setdefault("pool_pre_ping", True)
        lock_timeout = app.config.get("POSTGRES_LOCK_TIMEOUT")
        if lock_timeout and uri.startswith("postgresql"):
            args = options.setdefault("connect_args", {})
            args["options"] = f"{args.get('options', '')} -c lock_timeout={int(float(lock_timeout) * 1000)}".strip()
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see the module's docstring)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    connection_record.info[_TIMEOUT] = cursor.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
    cursor.close()


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_write_lock(conn, cursor, statement, parameters, context, executemany):
    """Take the write lock (``BEGIN IMMEDIATE``) right before a transaction's first write."""
    if conn.dialect.name != "sqlite" or cursor.connection.in_transaction:
        return
    if _reads_only(statement, context) or conn._is_autocommit_isolation():
        return
    timeout = conn.info.get(_TIMEOUT, DEFAULT_BUSY_TIMEOUT)
    gate = _gate(conn.engine.url.database)
    waited = gate.enter(conn.info, timeout)
    try:
        if waited > 0.001:          # SQLite waits only for what is left of the timeout
            cursor.execute(f"PRAGMA busy_timeout = {max(1, int((timeout - waited) * 1000))}")
            try:
                cursor.execute("BEGIN IMMEDIATE")
            finally:
                cursor.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        else:
            cursor.execute("BEGIN IMMEDIATE")
    except BaseException:
        gate.leave(conn.info)
        raise


# SQLite's own wait for the lock polls, sleeping up to 100 ms between tries, so a writer that
# has waited long keeps losing to newcomers: under load a few waited out the whole timeout
# while others went through in milliseconds. So within a process the writers queue on a lock
# of their own, and only the first asks SQLite (measured with 2 processes × 8 threads: p95 wait
# 0.5 s instead of 1.6–1.9 s, none timed out instead of 4 in 600). The gate is left when the
# transaction ends (commit, rollback, or the connection going back to the pool).

_TIMEOUT = "sqlite_busy_timeout"
_HOLDS = "sqlite_writer_gate"


class _WriterGate:
    def __init__(self):
        self.lock = threading.Lock()
        self.owner: int | None = None

    def enter(self, info: dict, timeout: float) -> float:
        """Seconds waited; raises "database is locked" when the turn did not come in time.
        A thread already writing on another connection goes straight to SQLite (which then
        waits for that other transaction as it always did)."""
        if self.owner == threading.get_ident():
            return 0.0
        began = time.monotonic()
        if not self.lock.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked")
        self.owner = threading.get_ident()
        info[_HOLDS] = self
        return time.monotonic() - began

    def leave(self, info: dict) -> None:
        if info.pop(_HOLDS, None) is self:
            self.owner = None
            self.lock.release()


_gates: dict[str | None, _WriterGate] = {}
_gates_lock = threading.Lock()


def _gate(database: str | None) -> _WriterGate:
    with _gates_lock:
        return _gates.setdefault(database, _WriterGate())


def _leave_gate(info: dict) -> None:
    gate = info.get(_HOLDS)
    if gate is not None:
        gate.leave(info)


@event.listens_for(Engine, "commit")
def _sqlite_commit(conn):
    _leave_gate(conn.info)


@event.listens_for(Engine, "rollback")
def _sqlite_rollback(conn):
    _leave_gate(conn.info)


@event.listens_for(Pool, "reset")
def _sqlite_reset(dbapi_connection, connection_record, reset_state):
    _leave_gate(connection_record.info)


@event.listens_for(Pool, "close")
def _sqlite_close(dbapi_connection, connection_record):
    _leave_gate(connection_record.info)


@event.listens_for(Pool, "invalidate")
def _sqlite_invalidate(dbapi_connection, connection_record, exception):
    _leave_gate(connection_record.info)


def _reads_only(statement: str, context) -> bool:
    """A statement that neither writes nor locks rows. Anything unrecognised counts as a write
    (taking the lock early is only slower; writing without it would be wrong)."""
    compiled = getattr(context, "compiled", None)
    target = getattr(compiled, "statement", None)
    if isinstance(target, GenerativeSelect):
        return target._for_update_arg is None
    if compiled is not None and not getattr(context, "is_text", False):
        return False                 # DML, DDL, SAVEPOINT … compiled by SQLAlchemy
    words = statement.lstrip().split(None, 1)
    return bool(words) and words[0].upper() in ("SELECT", "EXPLAIN")


# PostgreSQL's SQLSTATEs for a transaction that lost a race for rows and was rolled back whole:
# lock_not_available (lock_timeout ran out), deadlock_detected, serialization_failure.
_POSTGRES_BUSY = ("55P03", "40P01", "40001")


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` (SQLAlchemy's or the driver's) says the database was busy: SQLite's
    "database is locked" (the write lock was not free within the busy timeout) or PostgreSQL's
    lock timeout, deadlock or serialization failure. Nothing was written; try again later."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) in _POSTGRES_BUSY:
        return True
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _BUSY_CODES
    return "database is locked" in str(orig) or "database table is locked" in str(orig)
