"""The rectification demo loads through the inspections services: its inspections are
submitted like real ones (totals, submission ids, signatures), so their pages render."""
from __future__ import annotations

from sqlalchemy import select


def test_demo_inspections_are_real_submissions_and_staff1_has_one_answered_one_closed(app, db):
    """…and the demo's messages agree with its findings: each ladder message is dated when its
    rung fell due, while its finding was still open (none after the finding was closed)."""
    from inspect_app.auth.models import User
    from inspect_app.demo import seed_demo as core_seed
    from inspect_app.inspections.models import Inspection, Visit
    from inspect_app.rectification.models import Finding
    report = core_seed()
    assert "\nrectification: 7 findings in 3 notices (staff1 has 1 answered, 1 closed)" in report
    parts = list(db.session.scalars(select(Inspection).where(
        Inspection.id.in_(select(Finding.inspection_id)))))
    assert len(parts) == 3
    for part in parts:
        assert part.status == "submitted" and part.total is not None and part.submission_id
        assert part.inspector_signature_id and part.representative_signature_id
        assert sorted(part.result["failed"]) == sorted(f.item_id for f in db.session.scalars(
            select(Finding).where(Finding.inspection_id == part.id)))
    staff = db.session.scalar(select(User).where(User.username == "staff1"))
    own = list(db.session.scalars(select(Finding).where(Finding.institution_id == staff.institution_id)))
    assert sorted(f.state for f in own).count("responded") == 1
    assert [f.state for f in own].count("closed") == 1
    fire1 = db.session.scalar(select(User).where(User.username == "fire1"))
    from inspect_app.demo import DEMO_PASSWORD
    from tests.conftest import Browser
    browser = Browser(app.test_client())
    browser.login(fire1, password=DEMO_PASSWORD)
    for part in parts:
        assert browser.get(f"/inspections/visits/{part.visit_id}").status_code == 200
        assert db.session.get(Visit, part.visit_id).status == "completed"

    from datetime import timedelta

    from inspect_app.rectification import policy as policies
    from inspect_app.rectification.models import Message
    offsets = {rung.code: rung.offset_days for rung in policies.current().ladder}
    ladder_messages = list(db.session.scalars(select(Message).where(Message.kind.in_(offsets))))
    assert ladder_messages
    for message in ladder_messages:
        finding = message.finding
        assert message.created_at == finding.deadline_at + timedelta(days=offsets[message.kind]), message.kind
        assert finding.closed_at is None or message.created_at < finding.closed_at, (message.kind, finding.item_id)
    closed = next(f for f in own if f.state == "closed")
    assert not [m for m in ladder_messages if m.finding_id == closed.id and offsets[m.kind] >= 0]
    in_order = list(db.session.scalars(select(Message).where(Message.institution_id == staff.institution_id)
                                       .order_by(Message.id)))
    assert [m.created_at for m in in_order] == sorted(m.created_at for m in in_order)
