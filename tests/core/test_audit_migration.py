"""Upgrading a database that already holds an audit chain (SQLite files of their own): the
migration gives intact rows their MAC with the configured key, leaves a broken chain
without one (so the break stays visible), and verify says what it found."""
from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, select

from inspect_app import create_app
from inspect_app.core import audit
from inspect_app.core.audit import AuditEvent
from inspect_app.core.types import utcnow
from inspect_app.domain import audit_chain
from inspect_app.extensions import db

BEFORE = "5e2c9a7b3d14"
KEY = "upgrade-key-0123456789abcdef"


def build(path, key: str = KEY):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "AUDIT_HMAC_KEY": key})


@pytest.fixture(scope="module")
def old_schema(app, tmp_path_factory):
    """A database at the revision before audit keys, migrated once for the module."""
    path = tmp_path_factory.mktemp("upgrade") / "before.db"
    with build(path).app_context():
        upgrade(revision=BEFORE)
        db.engine.dispose()
    return path


@pytest.fixture
def old_chain(old_schema, tmp_path):
    """A copy holding three rows chained the way the previous release sealed them."""
    path = tmp_path / "old.db"
    shutil.copy(old_schema, path)
    with build(path).app_context():
        prev, start = audit_chain.GENESIS, utcnow() - timedelta(days=3)
        for seq in (1, 2, 3):
            row = dict(at=start + timedelta(hours=seq), actor_id=None, actor="system", action="update",
                       entity="institution", entity_id=str(seq), before={"beds": seq}, after={"beds": seq + 1},
                       reason=None)
            fields = audit_chain.content(**row)
            digest = audit_chain.plain_hash(audit_chain.chained_bytes(prev, fields))
            db.session.execute(insert(AuditEvent.__table__).values(**row, seq=seq, prev_hash=prev, hash=digest))
            prev = digest
        db.session.commit()
        db.engine.dispose()
    return path


def test_an_intact_chain_gets_its_macs_and_verifies(old_chain):
    with build(old_chain).app_context():
        upgrade(revision="heads")
        rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert {r.key_id for r in rows} == {audit_chain.key_id(KEY.encode())}
        report = audit.verify()
        assert (report.problems, report.notes, report.rows) == ([], [], 3)
        db.session.close()
        downgrade(revision=BEFORE)          # and back, for a release rolled back
        db.engine.dispose()


def test_a_chain_broken_before_the_upgrade_stays_unkeyed_and_reported(old_chain, capfd):
    with build(old_chain).app_context():
        db.session.execute(AuditEvent.__table__.update().where(AuditEvent.__table__.c.seq == 2)
                           .values(after={"beds": 99}))
        db.session.commit()
        upgrade(revision="heads")
        assert "audit: the chain is broken at seq 2; existing rows keep no MAC" in capfd.readouterr().err
        assert db.session.scalars(select(AuditEvent.mac)).all() == [None, None, None]
        assert [str(p) for p in audit.verify().problems] == [
            "seq 2: content does not match its hash (altered)",
            "seq 3: no row carries a MAC (rows are sealed with AUDIT_HMAC_KEY)"]
        db.engine.dispose()


def test_rows_left_unkeyed_by_an_upgrade_without_a_key_are_a_note_once_a_keyed_row_follows(old_chain, app):
    fresh = build(old_chain, key="")
    with fresh.app_context():
        upgrade(revision="heads")
        assert db.session.scalars(select(AuditEvent.mac)).all() == [None, None, None]
        fresh.config["AUDIT_HMAC_KEY"] = KEY
        audit.record(None, "update", "institution", 4, after={"beds": 5})
        db.session.commit()
        report = audit.verify()
        assert report.problems == []
        assert report.notes == ["unkeyed before seq 4: rows 1–3 were written before audit keys and carry no MAC; "
                                "seq 4's MAC covers their hashes"]
        db.engine.dispose()
