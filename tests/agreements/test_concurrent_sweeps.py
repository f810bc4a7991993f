"""Exactly one reminder (docs/medical-care.md, "Expiry reminders"): four sweepers at once on
PostgreSQL, then a sweeper that dies before committing and a rerun, then the beat task itself.

Runs outside the rolled-back test transaction (the sweepers need their own connections and
commits), on its own committed rows, which it deletes afterwards."""
from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, insert, select

from inspect_app.core.types import utcnow

N = 300
TODAY = date(2026, 12, 1)


@pytest.fixture
def committed_agreements(app):
    from inspect_app.agreements.models import AgreementReminder, MedicalAgreement
    from inspect_app.core.audit import AuditEvent
    from inspect_app.extensions import db
    from inspect_app.registry.models import Institution
    from tests.factories import credit_code
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrent sweepers need PostgreSQL (set DATABASE_URL)")
        now = utcnow()
        first_audit = db.session.scalar(select(func.max(AuditEvent.id))) or 0
        institutions = [Institution(name=f"并发签约养老院{n}", credit_code=credit_code(555000 + n), type="nursing_home",
                                    district="示范区", street="东风街道", address="一号", operator_type="private",
                                    medical_integration="contracted", created_at=now, updated_at=now)
                        for n in range(10)]
        db.session.add_all(institutions)
        db.session.flush()
        inst_ids = [i.id for i in institutions]
        # Ending within 30 days: one reminder each (step 2); a tenth already expired (step 3).
        db.session.execute(insert(MedicalAgreement), [dict(
            institution_id=inst_ids[n % 10], partner_name="医院", partner_licence="PDY60027044010319A1002",
            starts_on=date(2025, 1, 1) + timedelta(days=n), ends_on=TODAY + timedelta(days=10 if n % 10 else -1),
            services=["rounds"], visit_count=1, visit_period="week", green_channel=False, reminder_step=0,
            created_at=now, updated_at=now, version=1) for n in range(N)])
        db.session.commit()
        ids = list(db.session.scalars(select(MedicalAgreement.id).where(MedicalAgreement.institution_id.in_(inst_ids))))
        yield ids, inst_ids
        db.session.rollback()
        db.session.execute(delete(AgreementReminder).where(AgreementReminder.agreement_id.in_(ids)))
        db.session.execute(delete(MedicalAgreement).where(MedicalAgreement.id.in_(ids)))
        db.session.execute(delete(AuditEvent).where(AuditEvent.id > first_audit, AuditEvent.entity == "institution",
                                                    AuditEvent.entity_id.in_([str(i) for i in inst_ids])))
        db.session.execute(delete(Institution).where(Institution.id.in_(inst_ids)))
        db.session.commit()


def _sweeper(app, errors, barrier, die=False):
    from inspect_app.agreements import sweep
    from inspect_app.extensions import db
    try:
        with app.app_context():
            barrier.wait()
            sweep.sweep(TODAY)
            if die:
                db.session.rollback()        # killed before commit: nothing of it stays
            else:
                db.session.commit()
            db.session.remove()
    except Exception as exc:                  # noqa: BLE001 (reported by the test)
        errors.append(repr(exc))


def test_four_concurrent_sweepers_and_a_dead_one_make_each_reminder_once(app, committed_agreements):
    from inspect_app.agreements.models import AgreementReminder
    from inspect_app.core.audit import AuditEvent
    from inspect_app.extensions import db
    ids, inst_ids = committed_agreements
    errors: list[str] = []
    barrier = threading.Barrier(5)
    threads = [threading.Thread(target=_sweeper, args=(app, errors, barrier, n == 0)) for n in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    from tasks.agreements import sweep_agreements
    with app.app_context():
        sweep_agreements()                    # the beat task once more: nothing left to do
        rows = db.session.execute(select(AgreementReminder.agreement_id, AgreementReminder.step)
                                  .where(AgreementReminder.agreement_id.in_(ids))).all()
        assert len(rows) == N and len({a for a, _ in rows}) == N
        assert sorted({s for _, s in rows}) == [2, 3]
        # The first institution's agreements all expired: its registry field turns to none, once;
        # the others keep an agreement in force and stay contracted.
        from inspect_app.registry.models import Institution
        changed = db.session.scalars(select(AuditEvent.entity_id).where(
            AuditEvent.entity == "institution", AuditEvent.entity_id.in_([str(i) for i in inst_ids]))).all()
        assert changed == [str(inst_ids[0])]
        values = dict(db.session.execute(select(Institution.id, Institution.medical_integration)
                                         .where(Institution.id.in_(inst_ids))).all())
        assert values[inst_ids[0]] == "none" and {values[i] for i in inst_ids[1:]} == {"contracted"}
