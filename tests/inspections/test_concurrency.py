"""Concurrent submits on PostgreSQL (set DATABASE_URL): real transactions in threads, so
these tests commit and clean up after themselves instead of using the rolled-back ``db``."""
from __future__ import annotations

import io
import os
import threading
from datetime import date

import pytest
from sqlalchemy import func, select, text

pytestmark = pytest.mark.skipif(not (os.environ.get("DATABASE_URL") or "").startswith("postgres"),
                                reason="concurrency is tested on PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def committed(app):
    """Rows committed for real; every row added by the test is deleted afterwards."""
    from inspect_app.extensions import db
    with app.app_context():
        tables = [t for t in db.metadata.sorted_tables if "id" in t.c]
        before = {t.name: db.session.scalar(select(func.coalesce(func.max(t.c.id), 0))) for t in tables}
        db.session.commit()
    yield
    with app.app_context():
        for t in reversed(tables):
            db.session.execute(t.delete().where(t.c.id > before[t.name]))
        db.session.commit()


def _world(app):
    """A started fire part with its required photos, committed; returns ids and the body."""
    from werkzeug.datastructures import FileStorage
    from inspect_app.extensions import db
    from inspect_app.inspections import services
    from tests.factories import Factory
    from tests.inspections.kit import Kit, all_pass, jpeg_bytes, new_id
    with app.app_context():
        make = Factory(db, "x")
        kit = Kit(make, db)
        inspector = make.user("inspector", department="fire")
        visit = kit.visit(departments={"fire": [inspector]}, when=date.today())
        part = visit.inspections[0]
        sid = new_id()
        services.start(inspector, part.id, sid)
        answers = all_pass(kit.checklist(part))
        for item in kit.checklist(part).items:
            if item.evidence == "photo_always":
                services.upload_evidence(inspector, part.id, item.id, new_id("photo"),
                                         FileStorage(io.BytesIO(jpeg_bytes()), filename="p.jpg"))
        body = kit.submit_body(part, sid, answers)
        db.session.commit()
        return inspector.id, visit.id, part.id, body


def _submit(app, user_id, inspection_id, body):
    from inspect_app.auth.models import User
    from inspect_app.core.errors import DomainError
    from inspect_app.extensions import db
    from inspect_app.inspections import services
    with app.app_context():
        try:
            user = db.session.get(User, user_id)
            _, result = services.submit(user, inspection_id, body)
            db.session.commit()
            return ("ok", result)
        except DomainError as exc:
            db.session.rollback()
            return (exc.status, exc.message)
        finally:
            db.session.remove()


def test_five_concurrent_submits_make_one_record(app, committed):
    from inspect_app.core.audit import AuditEvent
    from inspect_app.core.files import StoredFile
    from inspect_app.core.jobs import Job
    from inspect_app.extensions import db
    from inspect_app.inspections.models import Answer, Inspection, Visit
    user_id, visit_id, part_id, body = _world(app)
    barrier, outcomes = threading.Barrier(5), []

    def run():
        barrier.wait()
        outcomes.append(_submit(app, user_id, part_id, body))

    threads = [threading.Thread(target=run) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(outcomes) == 5
    results = [r for kind, r in outcomes if kind == "ok"]
    assert results and all(r == results[0] for r in results)
    assert all(kind in ("ok", 409) for kind, _ in outcomes), outcomes
    with app.app_context():
        count = lambda model, *w: db.session.scalar(select(func.count()).select_from(model).where(*w))  # noqa: E731
        assert count(AuditEvent, AuditEvent.action == "submit", AuditEvent.entity_id == str(part_id)) == 1
        assert count(Job, Job.key == f"findings:{part_id}") == 1
        assert count(Answer, Answer.inspection_id == part_id) == len(body["answers"]) > 0   # every item answered
        assert count(StoredFile, StoredFile.kind == "signature", StoredFile.uploaded_by_id == user_id) == 2
        assert db.session.get(Inspection, part_id).status == "submitted"
        assert db.session.get(Visit, visit_id).status == "completed"


def test_a_submit_in_flight_answers_409(app, committed):
    from inspect_app.extensions import db
    user_id, visit_id, part_id, body = _world(app)
    app.config["INSPECTIONS_SUBMIT_WAIT_MS"] = 200
    try:
        with app.app_context():
            holder = db.engine.connect()
            tx = holder.begin()
            holder.execute(text("SELECT id FROM visit WHERE id = :id FOR UPDATE"), {"id": visit_id})
            try:
                kind, _ = _submit(app, user_id, part_id, body)
                assert kind == 409
            finally:
                tx.rollback()
                holder.close()
        kind, result = _submit(app, user_id, part_id, body)
        assert kind == "ok" and result["total"] == 342
    finally:
        app.config.pop("INSPECTIONS_SUBMIT_WAIT_MS", None)


def test_concurrent_saves_of_one_answer_keep_one_and_refuse_the_other(app, committed):
    from inspect_app.auth.models import User
    from inspect_app.core.errors import DomainError
    from inspect_app.extensions import db
    from inspect_app.inspections import services
    from inspect_app.inspections.models import Answer
    user_id, visit_id, part_id, body = _world(app)
    barrier, outcomes = threading.Barrier(4), []

    def run(value):
        barrier.wait()
        with app.app_context():
            try:
                services.save_answer(db.session.get(User, user_id), part_id,
                                     {"item_id": "FIRE-01", "value": value, "version": 0})
                db.session.commit()
                outcomes.append(("ok", value))
            except DomainError as exc:
                db.session.rollback()
                outcomes.append((exc.status, value))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(v,)) for v in ("pass", "fail", "pass", "fail")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    winners = [v for kind, v in outcomes if kind == "ok"]
    assert sorted(kind for kind, _ in outcomes if kind != "ok") == [409] * (4 - len(winners))
    with app.app_context():
        row = db.session.scalar(select(Answer).where(Answer.inspection_id == part_id, Answer.item_id == "FIRE-01"))
        assert row.value in winners and row.version == 1
