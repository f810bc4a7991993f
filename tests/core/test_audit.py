"""The audit trail is a hash chain: tampering is found at the row."""
from __future__ import annotations

from sqlalchemy import update

from inspect_app.core import audit
from inspect_app.core.audit import AuditEvent


def test_chain_is_intact_after_writes(db, make):
    admin = make.user("bureau_admin")
    for i in range(3):
        audit.record(admin, "update", "institution", i, before={"beds": i}, after={"beds": i + 1})
    assert audit.verify_chain() == []


def test_altering_a_row_is_detected_at_that_row(db, make):
    admin = make.user("bureau_admin")
    events = [audit.record(admin, "update", "institution", i, after={"beds": i}) for i in range(3)]
    db.session.execute(update(AuditEvent).where(AuditEvent.id == events[1].id).values(after={"beds": 999}))
    db.session.expire_all()
    assert events[1].id in audit.verify_chain()


def test_deleting_a_row_breaks_the_next_link(db, make):
    admin = make.user("bureau_admin")
    events = [audit.record(admin, "update", "institution", i, after={"beds": i}) for i in range(3)]
    db.session.delete(db.session.get(AuditEvent, events[1].id))
    db.session.flush()
    assert events[2].id in audit.verify_chain()
