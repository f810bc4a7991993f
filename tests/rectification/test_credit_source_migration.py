"""The migration that gives credit records a source of any kind: existing rows (all from
findings) get source ``finding``, their finding's department and, for the blacklist proposals
the fire major-hazard trigger; down again, rows that rest on no finding are removed. On a SQLite
file of its own."""
from __future__ import annotations

import sqlite3
from contextlib import closing

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from inspect_app import create_app
from inspect_app.extensions import db

BEFORE, AFTER = "d5a8e3c1f7b2", "8d4a2f6c1e93"


def _filler(kind: str):
    kind = kind.upper()
    if "INT" in kind or "BOOL" in kind or "NUMERIC" in kind:
        return 1
    if "DATE" in kind:
        return "2026-03-02 00:00:00.000000" if "TIME" in kind else "2026-03-02"
    return "x"


def _insert(raw, table: str, values: dict) -> None:
    """A row with ``values`` and any other NOT NULL column filled with a placeholder."""
    row = dict(values)
    for _, name, kind, notnull, default, _pk in raw.execute(f"PRAGMA table_info({table})"):
        if notnull and name not in row and default is None:
            row[name] = _filler(kind)
    names = ", ".join(row)
    raw.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def test_existing_credit_records_rest_on_their_finding_and_back(app, tmp_path):
    path = tmp_path / "m.db"
    with create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}).app_context():
        upgrade(revision=BEFORE)
        db.engine.dispose()
        with closing(sqlite3.connect(path)) as raw:     # foreign keys are off by default
            _insert(raw, "institution", {"id": 1, "credit_code": "91110000MA00000001"})
            _insert(raw, "finding", {"id": 7, "department": "fire", "item_id": "FIRE-01", "state": "open"})
            _insert(raw, "credit_record", {"id": 1, "finding_id": 7, "institution_id": 1,
                                           "kind": "overdue_rectification", "created_at": "2026-04-02 00:00:00"})
            _insert(raw, "credit_record", {"id": 2, "finding_id": 7, "institution_id": 1,
                                           "kind": "blacklist_proposal", "created_at": "2026-04-02 00:00:00"})
            raw.commit()
        upgrade(revision=AFTER)
        rows = db.session.execute(text('SELECT id, source_kind, source_id, department, "trigger" '
                                       "FROM credit_record ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "finding", 7, "fire", None), (2, "finding", 7, "fire", "fire_major_hazard")]
        db.session.execute(text("INSERT INTO credit_record (institution_id, kind, created_at, source_kind, source_id) "
                                "VALUES (1, 'blacklist_proposal', '2026-05-01 00:00:00', 'accident', 3)"))
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)
        assert list(db.session.scalars(text("SELECT id FROM credit_record ORDER BY id"))) == [1, 2]
        db.session.remove()
        db.engine.dispose()
