"""Year partitions of the two tables that grow with every inspection (docs/scaling.md,
"Partitions by year"): PostgreSQL only, made by migration c6344dff754b; SQLite keeps plain
tables and everything here is a no-op there.

* ``audit_event`` is partitioned by ``at`` (when the change was recorded): one partition per
  local year, ``audit_event_y2026`` …, created a year ahead.
* ``answer`` is partitioned by ``inspection_id``: PostgreSQL requires the partition key in every
  unique constraint, and ``(inspection_id, item_id)`` — one answer per item, the target of the
  saves' ``ON CONFLICT`` — already holds it, unchanged. A year's partition holds the answers
  of the inspections created in that year: at the year's first tick :func:`ensure` opens
  ``answer_y<year>`` at the next free inspection id and moves the inspection id sequence up to
  it (ids skip a gap, which nothing reads), so the year's inspections fall into it.
  ``YEAR_SPAN`` ids per year is far above any province's yearly count.
* Both tables have a DEFAULT partition: a row no year partition takes (a year not opened in
  time) is still stored, never refused.

:func:`ensure` runs with the hourly audit-anchor sweep; it takes a transaction-level advisory
lock, so two beats or workers never create the same partition.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ..domain.bureau import LOCAL_TIMEZONE

YEAR_SPAN = 10_000_000          # inspection ids per year's answer partition
LOCK = 727002


def is_partitioned(conn: Connection, table: str) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    return bool(conn.execute(text("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class c "
                                  "ON c.oid = p.partrelid WHERE c.relname = :t AND c.relnamespace = "
                                  "'public'::regnamespace)"), {"t": table}).scalar())


def _exists(conn: Connection, name: str) -> bool:
    return conn.execute(text("SELECT to_regclass(:n) IS NOT NULL"), {"n": f"public.{name}"}).scalar()


def audit_year(conn: Connection, year: int) -> bool:
    """The audit partition of a local year (False: it was there)."""
    name = f"audit_event_y{year}"
    if _exists(conn, name):
        return False
    conn.execute(text(
        f"CREATE TABLE {name} PARTITION OF audit_event FOR VALUES "
        f"FROM ('{year}-01-01 00:00:00 {LOCAL_TIMEZONE}') TO ('{year + 1}-01-01 00:00:00 {LOCAL_TIMEZONE}')"))
    return True


def answer_year(conn: Connection, year: int) -> bool:
    """The answer partition of a year, opened at the next free inspection id (False: there)."""
    name = f"answer_y{year}"
    if _exists(conn, name):
        return False
    upper = conn.execute(text(
        "SELECT max((regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''?(\\d+)''?\\)'))[1]::bigint) "
        "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'public.answer'::regclass AND c.relname LIKE 'answer\\_y%'")).scalar()
    used = conn.execute(text("SELECT greatest((SELECT last_value FROM inspection_id_seq), "
                             "(SELECT coalesce(max(id), 0) FROM inspection))")).scalar()
    start = max(int(upper or 0), int(used) + 1)
    conn.execute(text(f"CREATE TABLE {name} PARTITION OF answer FOR VALUES FROM ({start}) TO ({start + YEAR_SPAN})"))
    conn.execute(text("SELECT setval('inspection_id_seq', :v, false)"), {"v": start})
    return True


def ensure(conn: Connection, today: date | None = None) -> list[str]:
    """This year's partitions of both tables and next year's audit partition; the names made."""
    if not is_partitioned(conn, "audit_event"):
        return []
    from zoneinfo import ZoneInfo
    year = (today or datetime.now(ZoneInfo(LOCAL_TIMEZONE)).date()).year
    conn.execute(text(f"SELECT pg_advisory_xact_lock({LOCK})"))
    made = [f"audit_event_y{y}" for y in (year, year + 1) if audit_year(conn, y)]
    if is_partitioned(conn, "answer") and answer_year(conn, year):
        made.append(f"answer_y{year}")
    return made


__all__ = ["YEAR_SPAN", "answer_year", "audit_year", "ensure", "is_partitioned"]
