"""The migration that gives grade applications and records their scheme: existing rows are
star grades; down again, the column goes and the one-in-progress indexes stay partial."""
from __future__ import annotations

import sqlite3
from contextlib import closing

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from inspect_app import create_app
from inspect_app.extensions import db

BEFORE, AFTER = "7d2f4b8e1a63", "d41a7c2e9b50"


def _index_sql(path, name):
    with closing(sqlite3.connect(path)) as raw:
        row = raw.execute("SELECT sql FROM sqlite_master WHERE type='index' AND name=?", (name,)).fetchone()
    return row[0] if row else None


def test_existing_rows_become_star_grades_and_back(app, tmp_path):
    path = tmp_path / "m.db"
    with create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}).app_context():
        upgrade(revision=BEFORE)
        db.engine.dispose()
        with closing(sqlite3.connect(path)) as raw:     # rows alone (foreign keys off by default)
            raw.execute("INSERT INTO grade_application (institution_id, requested_level, self_assessment, state, "
                        "eligibility, checked_on, applied_at, version) "
                        "VALUES (1, 3, 'x', 'submitted', '[]', '2026-06-01', '2026-06-01 00:00:00', 1)")
            raw.commit()
        upgrade(revision=AFTER)
        assert list(db.session.scalars(text("SELECT scheme FROM grade_application"))) == ["star"]
        db.session.execute(text("DELETE FROM grade_application"))    # its institution is not there
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)
        db.session.remove()
        db.engine.dispose()
        with closing(sqlite3.connect(path)) as raw:
            columns = [r[1] for r in raw.execute("PRAGMA table_info(grade_record)")]
            assert "scheme" not in columns and "level" in columns
            assert [r[1] for r in raw.execute("PRAGMA table_info(grade_application)") if r[1] == "scheme"] == []
        for name in ("uq_grade_record_in_progress_per_institution", "uq_grade_application_open_per_institution"):
            assert "WHERE" in (_index_sql(path, name) or "").upper(), name
