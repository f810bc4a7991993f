"""Read replicas (core/replica.py, docs/scaling.md): with ``DATABASE_REPLICA_URL`` set, the
public pages read from the replica and every write still goes to the primary. The replica
here is a second SQLite file made as a copy of the primary (what streaming replication
keeps up to date), then changed on each side so a page shows which one it read."""
from __future__ import annotations

import shutil
import sqlite3

import pytest
from flask import g
from sqlalchemy import select, update

from inspect_app.registry.models import Institution


@pytest.fixture(scope="module")
def replicated(tmp_path_factory):
    from flask_migrate import upgrade

    from inspect_app import create_app
    from inspect_app.extensions import db
    from tests.factories import Factory
    tmp = tmp_path_factory.mktemp("replica")
    primary, replica = tmp / "primary.db", tmp / "replica.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{primary}",
                      "DATABASE_REPLICA_URL": f"sqlite:///{replica}", "AUDIT_HMAC_KEY": "test-audit-key-0123456789abcdef",
                      "UPLOAD_DIR": str(tmp / "uploads"), "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        upgrade(revision="heads")
        Factory(db, "unused-password").institution(name="复制前的养老院", district="甲区")
        db.session.commit()
        for engine in db.engines.values():
            engine.dispose()                         # the WAL checkpointed into the file
    shutil.copy(primary, replica)                    # the replica as replication made it
    with sqlite3.connect(replica) as conn:          # then each side moves on its own
        conn.execute("UPDATE institution SET district = '副本区'")
    with app.app_context():
        Factory(db, "unused-password").institution(name="复制后的养老院", district="主库区")
        db.session.commit()
    yield app, primary, replica
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


def _districts(path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return sorted(r[0] for r in conn.execute("SELECT district FROM institution"))


def test_public_pages_read_from_the_replica(replicated):
    app, primary, replica = replicated
    response = app.test_client().get("/grading/public/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "副本区" in html and "主库区" not in html and "甲区" not in html
    assert _districts(primary) == ["主库区", "甲区"]


def test_pages_not_marked_read_the_primary(replicated):
    from inspect_app.extensions import db
    app, _, _ = replicated
    with app.test_request_context("/"):
        assert sorted(db.session.scalars(select(Institution.district))) == ["主库区", "甲区"]


def test_writes_and_locked_reads_of_a_replica_request_go_to_the_primary(replicated):
    from inspect_app.core import audit
    from inspect_app.extensions import db
    app, primary, replica = replicated
    with app.test_request_context("/grading/public/"):
        g.read_replica = True
        assert sorted(db.session.scalars(select(Institution.district))) == ["副本区"]
        locked = db.session.scalars(select(Institution.district).with_for_update()).all()
        assert sorted(locked) == ["主库区", "甲区"]
        db.session.execute(update(Institution).where(Institution.district == "甲区").values(street="写入主库"))
        audit.record(None, "update", "institution", 1, after={"street": "写入主库"})
        db.session.commit()
    with sqlite3.connect(primary) as conn:
        assert conn.execute("SELECT count(*) FROM institution WHERE street = '写入主库'").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM audit_event WHERE seq IS NOT NULL").fetchone()[0] >= 1
    with sqlite3.connect(replica) as conn:
        assert conn.execute("SELECT count(*) FROM institution WHERE street = '写入主库'").fetchone() == (0,)


def test_a_post_to_a_marked_page_reads_the_primary(replicated):
    from inspect_app.core.replica import reads_replica
    from inspect_app.extensions import db
    app, _, _ = replicated
    seen = []
    view = reads_replica(lambda: seen.extend(db.session.scalars(select(Institution.district))) or "")
    with app.test_request_context("/grading/public/", method="POST"):
        view()
    assert sorted(seen) == ["主库区", "甲区"]
