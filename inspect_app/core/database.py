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
(:func:`is_busy`, ``core.web``). PostgreSQL is left as it is.
"""
from __future__ import annotations

import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
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
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see the module's docstring)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_write_lock(conn, cursor, statement, parameters, context, executemany):
    """Take the write lock (``BEGIN IMMEDIATE``) right before a transaction's first write."""
    if conn.dialect.name != "sqlite" or cursor.connection.in_transaction:
        return
    if _reads_only(statement, context) or conn._is_autocommit_isolation():
        return
    cursor.execute("BEGIN IMMEDIATE")


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


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` (SQLAlchemy's or the driver's) is SQLite's "database is locked": the
    write lock was not free within the busy timeout. Nothing was written; try again later."""
    orig = getattr(exc, "orig", exc)
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _BUSY_CODES
    return "database is locked" in str(orig) or "database table is locked" in str(orig)
