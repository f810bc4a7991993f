"""The migration that names the institution's 陈述申辩 "reply" in a finding's history rows,
up and down, on a SQLite file of its own."""
from __future__ import annotations

import sqlite3
from contextlib import closing

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from inspect_app import create_app
from inspect_app.extensions import db

BEFORE, AFTER = "6d1f0b8e4a27", "c3926b00e256"


def _actions() -> list[str]:
    return list(db.session.scalars(text("SELECT action FROM finding_event ORDER BY id")))


def test_contest_rows_become_reply_and_back(app, tmp_path):
    path = tmp_path / "m.db"
    with create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}).app_context():
        upgrade(revision=BEFORE)
        db.engine.dispose()
        with closing(sqlite3.connect(path)) as raw:     # history rows alone (foreign keys off by default)
            raw.executemany("INSERT INTO finding_event (finding_id, at, action, from_state, to_state) "
                            "VALUES (1, '2026-06-01 00:00:00', ?, 'open', 'contested')",
                            [("issue",), ("contest",), ("dismiss_reply",)])
            raw.commit()
        upgrade(revision=AFTER)
        assert _actions() == ["issue", "reply", "dismiss_reply"]
        db.session.remove()
        downgrade(revision=BEFORE)
        assert _actions() == ["issue", "contest", "dismiss_reply"]
        db.session.remove()
        db.engine.dispose()
