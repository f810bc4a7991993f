"""The major-hazard migration up, down and up again on a SQLite file of its own (the test
database of every run, SQLite or PostgreSQL, is built by the migrations, this one included)."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from inspect_app import create_app
from inspect_app.extensions import db

BEFORE, AFTER = "3c306b038aef", "d5a8e3c1f7b2"
TABLES = {"hazard_listing", "hazard_plan", "hazard_milestone", "hazard_evidence", "hazard_reinspection",
          "hazard_event"}


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) & TABLES


def test_the_hazard_tables_come_and_go(app, tmp_path):
    path = tmp_path / "h.db"
    with create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}).app_context():
        upgrade(revision=AFTER)
        assert _tables() == TABLES
        columns = {c["name"] for c in inspect(db.engine).get_columns("hazard_listing")}
        assert {"listed_on", "department", "bureau_staff_id", "department_staff_id", "state", "plan_due_at",
                "stop_use", "end_on", "delisted_at", "version"} <= columns
        db.session.remove()
        downgrade(revision=BEFORE)
        assert _tables() == set()
        upgrade(revision=AFTER)
        assert _tables() == TABLES
        db.session.remove()
        db.engine.dispose()
