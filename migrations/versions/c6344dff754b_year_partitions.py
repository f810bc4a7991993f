"""answers and audit rows partitioned by year on PostgreSQL (a no-op on SQLite)

Revision ID: c6344dff754b
Revises: 3a9e5c7d1b24
Create Date: 2026-12-04 19:00:00

``audit_event`` becomes a table partitioned by ``at`` (one partition per local year), and
``answer`` one partitioned by ``inspection_id`` (one partition per year's inspections, the
rows so far in ``answer_before``); both with a DEFAULT partition (inspect_app/core/partitions.py,
docs/scaling.md). PostgreSQL wants the partition key in every unique constraint, so:

* ``pk_answer`` is (id, inspection_id) and ``pk_audit_event`` (id, at); ids still come from
  their sequences, so each is unique anyway (the application addresses rows by id alone);
* ``uq_answer_inspection_id`` (inspection_id, item_id) already holds the key: unchanged, and
  the saves' ``ON CONFLICT (inspection_id, item_id)`` keeps working;
* ``uq_audit_event_seq`` and ``uq_audit_event_hash`` become (seq, at) and (hash, at): unique
  within a year. The chain's single order is kept by the sealing lock (core/audit.py), and a
  repeated position or hash anywhere is found by ``flask audit verify`` as before.

No foreign key references either table (findings, notices and records name the inspection,
not an answer row), so nothing else changes. The rows are copied into the new tables: run
it with the processes stopped, as every upgrade.
"""
from alembic import op
from sqlalchemy import text


revision = 'c6344dff754b'
down_revision = '3a9e5c7d1b24'
branch_labels = None
depends_on = None

TZ = "Asia/Shanghai"          # the bureau's time zone (inspect_app/domain/bureau.py)
AUDIT_INDEXES = ("at", "actor_id", "entity", "entity_id")


def _swap(conn, table: str, new: str) -> None:
    """Copy the rows into ``new``, drop the old table (keeping its id sequence), rename."""
    conn.execute(text(f"INSERT INTO {new} SELECT * FROM {table}"))
    conn.execute(text(f"ALTER SEQUENCE {table}_id_seq OWNED BY NONE"))
    conn.execute(text(f"DROP TABLE {table}"))
    conn.execute(text(f"ALTER TABLE {new} RENAME TO {table}"))
    conn.execute(text(f"ALTER SEQUENCE {table}_id_seq OWNED BY {table}.id"))


def _answer_constraints(conn, primary_key: str) -> None:
    conn.execute(text(f"ALTER TABLE answer ADD CONSTRAINT pk_answer PRIMARY KEY ({primary_key})"))
    conn.execute(text("ALTER TABLE answer ADD CONSTRAINT uq_answer_inspection_id UNIQUE (inspection_id, item_id)"))
    conn.execute(text("ALTER TABLE answer ADD CONSTRAINT fk_answer_inspection_id_inspection FOREIGN KEY "
                      "(inspection_id) REFERENCES inspection (id) ON DELETE CASCADE"))
    conn.execute(text("ALTER TABLE answer ADD CONSTRAINT fk_answer_updated_by_id_user_account FOREIGN KEY "
                      "(updated_by_id) REFERENCES user_account (id)"))
    conn.execute(text("CREATE INDEX ix_answer_inspection_id ON answer (inspection_id)"))


def _audit_constraints(conn, key: str) -> None:
    extra = f", {key}" if key else ""
    conn.execute(text(f"ALTER TABLE audit_event ADD CONSTRAINT pk_audit_event PRIMARY KEY (id{extra})"))
    conn.execute(text(f"ALTER TABLE audit_event ADD CONSTRAINT uq_audit_event_seq UNIQUE (seq{extra})"))
    conn.execute(text(f"ALTER TABLE audit_event ADD CONSTRAINT uq_audit_event_hash UNIQUE (hash{extra})"))
    for column in AUDIT_INDEXES:
        conn.execute(text(f"CREATE INDEX ix_audit_event_{column} ON audit_event ({column})"))


def upgrade():
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    from inspect_app.core import partitions

    # The audit trail, by the local year of ``at``: the years it holds, this one and the next.
    conn.execute(text("CREATE TABLE audit_event_new (LIKE audit_event INCLUDING DEFAULTS) PARTITION BY RANGE (at)"))
    this_year = conn.execute(text(f"SELECT extract(year FROM now() AT TIME ZONE '{TZ}')::int")).scalar()
    years = set(conn.execute(text(f"SELECT DISTINCT extract(year FROM at AT TIME ZONE '{TZ}')::int "
                                  "FROM audit_event")).scalars()) | {this_year, this_year + 1}
    for year in sorted(years):
        conn.execute(text(f"CREATE TABLE audit_event_y{year} PARTITION OF audit_event_new FOR VALUES "
                          f"FROM ('{year}-01-01 00:00:00 {TZ}') TO ('{year + 1}-01-01 00:00:00 {TZ}')"))
    conn.execute(text("CREATE TABLE audit_event_default PARTITION OF audit_event_new DEFAULT"))
    _swap(conn, "audit_event", "audit_event_new")
    _audit_constraints(conn, "at")

    # The answers, by inspection id: those so far in one partition, this year's from the next id.
    start = conn.execute(text("SELECT greatest((SELECT last_value FROM inspection_id_seq), "
                              "(SELECT coalesce(max(id), 0) FROM inspection)) + 1")).scalar()
    conn.execute(text("CREATE TABLE answer_new (LIKE answer INCLUDING DEFAULTS) PARTITION BY RANGE (inspection_id)"))
    conn.execute(text(f"CREATE TABLE answer_before PARTITION OF answer_new FOR VALUES FROM (MINVALUE) TO ({start})"))
    _swap(conn, "answer", "answer_new")
    partitions.answer_year(conn, this_year)
    conn.execute(text("CREATE TABLE answer_default PARTITION OF answer DEFAULT"))
    _answer_constraints(conn, "id, inspection_id")


def downgrade():
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for table, key in (("audit_event", ""), ("answer", None)):
        conn.execute(text(f"CREATE TABLE {table}_new (LIKE {table} INCLUDING DEFAULTS)"))
        _swap(conn, table, f"{table}_new")          # the partitions go with the old table
    _audit_constraints(conn, "")
    _answer_constraints(conn, "id")
