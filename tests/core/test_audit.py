"""The audit trail is a hash chain: tampering is found at the row."""
from __future__ import annotations

from sqlalchemy import func, select, update

from inspect_app.core import audit
from inspect_app.core.audit import AuditEvent


def test_chain_is_intact_after_writes(db, make):
    admin = make.user("bureau_admin")
    for i in range(3):
        audit.record(admin, "update", "institution", i, before={"beds": i}, after={"beds": i + 1})
    db.session.commit()
    assert audit.verify_chain() == []


def test_rows_are_sealed_at_commit_in_commit_order(db, make):
    admin = make.user("bureau_admin")
    first = audit.record(admin, "update", "institution", 1, after={"beds": 1})
    assert first.seq is None and first.hash is None      # written, not yet chained
    db.session.commit()
    second = audit.record(admin, "update", "institution", 2, after={"beds": 2})
    db.session.commit()
    assert second.seq == first.seq + 1 and second.prev_hash == first.hash
    assert audit.head() == (second.seq, second.hash)


def test_a_rolled_back_row_leaves_no_gap(db, make):
    admin = make.user("bureau_admin")
    nested = db.session.begin_nested()
    audit.record(admin, "update", "institution", 1, after={"beds": 1})
    nested.rollback()
    kept = audit.record(admin, "update", "institution", 2, after={"beds": 2})
    db.session.commit()
    assert audit.verify_chain() == [] and kept.seq is not None
    assert db.session.scalars(select(AuditEvent.entity_id).where(AuditEvent.entity == "institution")).all() == ["2"]


def test_rows_are_inserted_sealed_in_the_order_recorded(db, make):
    admin = make.user("bureau_admin")
    early = audit.record(admin, "update", "institution", 1, after={"beds": 1})
    db.session.flush()                                   # written unsealed, then sealed at commit
    late = [audit.record(admin, "update", "institution", i, after={"beds": i}) for i in (2, 3)]
    assert all(r.id is None for r in late)               # not yet written: inserted sealed
    db.session.commit()
    assert [r.seq for r in (early, *late)] == [early.seq, early.seq + 1, early.seq + 2]
    assert early.id < late[0].id < late[1].id and audit.verify_chain() == []


def test_an_unsealed_committed_row_is_reported(db, make):
    from sqlalchemy import insert
    from inspect_app.core.types import utcnow
    db.session.execute(insert(AuditEvent).values(at=utcnow(), actor="x", action="update", entity="e",
                                                 entity_id="1"))
    row_id = db.session.scalar(select(func.max(AuditEvent.id)))
    assert row_id in audit.verify_chain()


def test_altering_a_row_is_detected_at_that_row(db, make):
    admin = make.user("bureau_admin")
    events = [audit.record(admin, "update", "institution", i, after={"beds": i}) for i in range(3)]
    db.session.commit()
    db.session.execute(update(AuditEvent).where(AuditEvent.id == events[1].id).values(after={"beds": 999}))
    db.session.expire_all()
    assert events[1].id in audit.verify_chain()


def test_deleting_a_row_breaks_the_next_link(db, make):
    admin = make.user("bureau_admin")
    events = [audit.record(admin, "update", "institution", i, after={"beds": i}) for i in range(3)]
    db.session.commit()
    db.session.delete(db.session.get(AuditEvent, events[1].id))
    db.session.flush()
    assert events[2].id in audit.verify_chain()
