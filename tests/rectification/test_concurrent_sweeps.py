"""Exactly once (docs/security.md, "Deadlines are rows"): four sweepers at once on PostgreSQL,
then a sweeper that dies before committing and a rerun — every rung of every finding happens once.

Runs outside the rolled-back test transaction (the sweepers need their own connections and
commits), on its own committed rows, which it deletes afterwards."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, insert, select

from inspect_app.core.types import utcnow

N = 2000


@pytest.fixture
def committed_findings(app):
    from inspect_app.core.audit import AuditEvent
    from inspect_app.extensions import db
    from inspect_app.inspections.models import Inspection, Visit
    from inspect_app.checklists.models import ChecklistVersion
    from inspect_app.rectification.models import CreditRecord, Finding, FindingEvent, Message
    from inspect_app.registry.models import Institution
    from tests.factories import credit_code
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrent sweepers need PostgreSQL (set DATABASE_URL)")
        now = utcnow()
        first_audit = db.session.scalar(select(func.max(AuditEvent.id))) or 0
        inst = Institution(name="并发测试养老院", credit_code=credit_code(987654), type="nursing_home",
                           district="示范区", street="东风街道", address="一号", operator_type="private",
                           created_at=now, updated_at=now)
        db.session.add(inst)
        db.session.flush()
        version = db.session.scalar(select(ChecklistVersion.id).where(ChecklistVersion.checklist_id == "fire-safety").limit(1))
        visit = Visit(institution_id=inst.id, scheduled_for=now.date(), status="completed", created_at=now)
        db.session.add(visit)
        db.session.flush()
        inspection = Inspection(visit_id=visit.id, department="fire", checklist_version_id=version, status="submitted")
        db.session.add(inspection)
        db.session.flush()
        deadline = now - timedelta(days=31)
        db.session.execute(insert(Finding), [dict(
            inspection_id=inspection.id, visit_id=visit.id, institution_id=inst.id, department="fire",
            checklist_id="fire-safety", checklist_version="x", item_id=f"C-{n}", item_text="t",
            severity="major", veto=n % 2 == 0, deadline_days=10, original_deadline_at=deadline,
            deadline_at=deadline, state="open", step=0, escalation_level=0,
            next_due_at=deadline - timedelta(days=3), policy_version="2026.1", created_at=now, version=1)
            for n in range(N)])
        db.session.commit()
        ids = list(db.session.scalars(select(Finding.id).where(Finding.inspection_id == inspection.id)))
        yield ids
        db.session.rollback()
        db.session.execute(delete(CreditRecord).where(CreditRecord.finding_id.in_(ids)))
        db.session.execute(delete(Message).where(Message.finding_id.in_(ids)))
        db.session.execute(delete(FindingEvent).where(FindingEvent.finding_id.in_(ids)))
        db.session.execute(delete(Finding).where(Finding.id.in_(ids)))
        db.session.execute(delete(Inspection).where(Inspection.id == inspection.id))
        db.session.execute(delete(Visit).where(Visit.id == visit.id))
        db.session.execute(delete(Institution).where(Institution.id == inst.id))
        db.session.execute(delete(AuditEvent).where(AuditEvent.id > first_audit, AuditEvent.entity == "finding",
                                                    AuditEvent.entity_id.like("sweep:%")))
        db.session.commit()


def _sweeper(app, errors, barrier, die_after_first_batch=False, skip_locked=True):
    from inspect_app.extensions import db
    from inspect_app.rectification import escalation
    try:
        with app.app_context():
            barrier.wait()
            while True:
                result = escalation.sweep_deadlines(limit=300, skip_locked=skip_locked)
                if die_after_first_batch:
                    db.session.rollback()       # killed before commit: nothing of the batch stays
                    return
                db.session.commit()
                if not result.more:
                    return
    except Exception as exc:  # pragma: no cover - reported by the test
        errors.append(exc)


def _run(app, count, **kw):
    errors: list = []
    barrier = threading.Barrier(count)
    threads = [threading.Thread(target=_sweeper, args=(app, errors, barrier), kwargs=kw) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors


@pytest.mark.parametrize("skip_locked", [True, False], ids=["skip-locked", "racing"])
def test_one_killed_sweeper_then_four_concurrent_sweepers_do_each_rung_once(app, committed_findings, skip_locked):
    from inspect_app.extensions import db
    from inspect_app.rectification.models import CreditRecord, Finding, FindingEvent
    ids = committed_findings
    _run(app, 1, die_after_first_batch=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FindingEvent)
                                 .where(FindingEvent.finding_id.in_(ids))) == 0
    _run(app, 4, skip_locked=skip_locked)
    with app.app_context():
        rows = db.session.execute(
            select(FindingEvent.step, func.count(), func.count(FindingEvent.finding_id.distinct()))
            .where(FindingEvent.finding_id.in_(ids)).group_by(FindingEvent.step)).all()
        assert {r[0]: (r[1], r[2]) for r in rows} == {
            "overdue": (N, N), "interview": (N, N), "bureau": (N, N)}      # late reminders skipped
        credits = dict(db.session.execute(select(CreditRecord.kind, func.count()).where(
            CreditRecord.finding_id.in_(ids)).group_by(CreditRecord.kind)).all())
        assert credits == {"overdue_rectification": N, "blacklist_proposal": N // 2}
        assert db.session.scalar(select(func.count()).select_from(Finding).where(
            Finding.id.in_(ids), Finding.next_due_at.is_not(None))) == 0
    _run(app, 2)      # beat twice: nothing more
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FindingEvent)
                                 .where(FindingEvent.finding_id.in_(ids))) == 3 * N
