"""Exactly once with sweepers at the same time (PostgreSQL): four complaint sweeps racing over
the same committed cases mark each passed limit once, and a sweep that dies before committing
leaves nothing. Runs outside the rolled-back test transaction on its own rows, deleted after."""
from __future__ import annotations

import threading
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import delete, func, insert, select

N = 300
NOW = datetime(2026, 4, 1, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def committed_cases(app):
    from inspect_app.complaints.models import ComplaintCase, ComplaintEvent
    from inspect_app.core.audit import AuditEvent
    from inspect_app.extensions import db
    from inspect_app.registry.models import Institution
    from tests.factories import credit_code
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrent sweepers need PostgreSQL (set DATABASE_URL)")
        first_audit = db.session.scalar(select(func.max(AuditEvent.id))) or 0
        inst = Institution(name="并发投诉养老院", credit_code=credit_code(876543), type="nursing_home",
                           district="示范区", street="东风街道", address="二号", operator_type="private",
                           created_at=NOW, updated_at=NOW)
        db.session.add(inst)
        db.session.flush()
        db.session.execute(insert(ComplaintCase), [dict(
            channel="phone", kind="claim", category="care_service", department="civil_affairs",
            institution_id=inst.id, summary=f"并发{n}", anonymous=True, state="received", received_at=NOW,
            received_on=date(2026, 3, 2), acceptance_due=date(2026, 3, 17), reopen_count=0, extended=False,
            policy_version="t", version=1) for n in range(N)])
        db.session.commit()
        ids = list(db.session.scalars(select(ComplaintCase.id).where(ComplaintCase.institution_id == inst.id)))
        yield ids
        db.session.rollback()
        db.session.execute(delete(ComplaintEvent).where(ComplaintEvent.case_id.in_(ids)))
        db.session.execute(delete(ComplaintCase).where(ComplaintCase.id.in_(ids)))
        db.session.execute(delete(Institution).where(Institution.id == inst.id))
        db.session.execute(delete(AuditEvent).where(AuditEvent.id > first_audit, AuditEvent.entity == "complaint_case",
                                                    AuditEvent.entity_id.like("sweep:%")))
        db.session.commit()


def _run(app, count, die=False):
    from inspect_app.complaints.sweep import sweep
    from inspect_app.extensions import db
    errors: list = []
    barrier = threading.Barrier(count)

    def one():
        try:
            with app.app_context():
                barrier.wait()
                sweep(NOW)
                db.session.rollback() if die else db.session.commit()
        except Exception as exc:  # pragma: no cover - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors


def test_a_killed_sweep_then_four_at_once_mark_each_case_once(app, committed_cases):
    from inspect_app.complaints.models import ComplaintEvent
    from inspect_app.extensions import db
    ids = committed_cases

    def marks():
        with app.app_context():
            return db.session.execute(select(func.count(), func.count(ComplaintEvent.case_id.distinct()))
                                      .where(ComplaintEvent.case_id.in_(ids))).one()
    _run(app, 1, die=True)
    assert tuple(marks()) == (0, 0)
    _run(app, 4)
    assert tuple(marks()) == (N, N)
    _run(app, 2)                    # beat twice: nothing more
    assert tuple(marks()) == (N, N)


def test_the_same_public_form_sent_twice_at_once_is_one_case(app):
    from inspect_app.complaints import services
    from inspect_app.complaints.models import ComplaintCase, ComplaintEvent
    from inspect_app.core.audit import AuditEvent
    from inspect_app.domain.complaints import digest
    from inspect_app.extensions import db
    from inspect_app.registry.models import Institution
    from tests.factories import credit_code
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrent submissions need PostgreSQL (set DATABASE_URL)")
        inst = Institution(name="重复提交养老院", credit_code=credit_code(765432), type="nursing_home",
                           district="示范区", street="东风街道", address="三号", operator_type="private",
                           created_at=NOW, updated_at=NOW)
        db.session.add(inst)
        db.session.commit()
        inst_id = inst.id
    key, tokens, errors = "same-form-key-0123456789", [], []
    barrier = threading.Barrier(2)
    values = {"kind": "claim", "category": "fees", "institution_id": inst_id, "summary": "乱收费", "anonymous": True}

    def send():
        try:
            with app.app_context():
                barrier.wait()
                tokens.append(services.intake(None, values, NOW, secret="s", submission_key=key).token)
                db.session.commit()
        except Exception as exc:  # pragma: no cover - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with app.app_context():
        ids = list(db.session.scalars(select(ComplaintCase.id).where(ComplaintCase.submission_digest == digest(key))))
        db.session.execute(delete(ComplaintEvent).where(ComplaintEvent.case_id.in_(ids)))
        db.session.execute(delete(AuditEvent).where(AuditEvent.entity == "complaint_case",
                                                    AuditEvent.entity_id.in_([str(i) for i in ids])))
        db.session.execute(delete(ComplaintCase).where(ComplaintCase.id.in_(ids)))
        db.session.execute(delete(Institution).where(Institution.id == inst_id))
        db.session.commit()
    assert not errors, errors
    assert len(ids) == 1 and len(tokens) == 2 and tokens[0] == tokens[1]
