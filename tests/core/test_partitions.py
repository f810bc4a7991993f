"""Year partitions on PostgreSQL (core/partitions.py, migration c6344dff754b): answers and
audit rows land in their year's partition, the constraints hold the partition key, queries
and the saves' ON CONFLICT work as before, and a new year's partitions open at its first
tick. SQLite keeps plain tables (the migration does nothing there)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from inspect_app.core import audit, partitions
from inspect_app.inspections.models import Answer
from tests.inspections.kit import Kit


@pytest.fixture
def pg(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("partitions exist on PostgreSQL only (DATABASE_URL)")
    return db


def _where(db, table: str, condition: str, **params) -> set[str]:
    return set(db.session.execute(text(f"SELECT DISTINCT tableoid::regclass::text FROM {table} WHERE {condition}"),
                                  params).scalars())


def _key_columns(db, constraint: str) -> list[str]:
    return list(db.session.execute(text(
        "SELECT a.attname FROM pg_constraint c JOIN LATERAL unnest(c.conkey) WITH ORDINALITY k(n, i) ON true "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n WHERE c.conname = :c ORDER BY k.i"),
        {"c": constraint}).scalars())


def test_sqlite_keeps_plain_tables(db):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("the SQLite side")
    assert not partitions.is_partitioned(db.session.connection(), "answer")
    assert partitions.ensure(db.session.connection()) == []


def test_the_unique_keys_hold_the_partition_key(pg):
    conn = pg.session.connection()
    assert partitions.is_partitioned(conn, "answer") and partitions.is_partitioned(conn, "audit_event")
    assert _key_columns(pg, "pk_answer") == ["id", "inspection_id"]
    assert _key_columns(pg, "uq_answer_inspection_id") == ["inspection_id", "item_id"]
    assert _key_columns(pg, "pk_audit_event") == ["id", "at"]
    assert _key_columns(pg, "uq_audit_event_seq") == ["seq", "at"]


def test_a_submit_lands_in_this_years_partitions_and_reads_back(pg, make):
    visit, part, inspector = Kit(make, pg).submitted()
    pg.session.commit()
    year = date.today().year
    assert _where(pg, "answer", "inspection_id = :i", i=part.id) == {f"answer_y{year}"}
    assert _where(pg, "audit_event", "entity = 'inspection' AND entity_id = :i", i=str(part.id)) == {
        f"audit_event_y{year}"}
    stored = pg.session.scalars(select(Answer).where(Answer.inspection_id == part.id)).all()
    assert len(stored) == len(Kit(make, pg).checklist(part).items) and audit.verify_chain() == []


def test_a_save_conflicts_on_the_partitioned_unique_key(pg, make):
    from inspect_app.inspections.services.filling import _insert_new
    from inspect_app.core.types import utcnow
    visit = Kit(make, pg).visit()
    part = visit.inspections[0]
    row = dict(inspection_id=part.id, item_id="FIRE-01", value="pass", remark=None, updated_at=utcnow(),
               updated_by_id=None, version=1)
    assert _insert_new(row) is True and _insert_new({**row, "value": "fail"}) is False
    assert pg.session.scalar(select(Answer.value).where(Answer.inspection_id == part.id)) == "pass"


def test_a_new_year_opens_its_partitions_at_the_next_inspection_id(pg, make):
    conn = pg.session.connection()
    year = date.today().year
    made = partitions.ensure(conn, date(year + 1, 1, 1))
    assert made == [f"audit_event_y{year + 2}", f"answer_y{year + 1}"]
    assert partitions.ensure(conn, date(year + 1, 1, 1)) == []            # a second tick finds them
    visit, part, _ = Kit(make, pg).submitted()
    assert _where(pg, "answer", "inspection_id = :i", i=part.id) == {f"answer_y{year + 1}"}
