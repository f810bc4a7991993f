"""Exactly one blacklist proposal per source with four proposers at once on PostgreSQL (the
deadline sweep on several workers, and the jobs of recorded accidents): ``ON CONFLICT DO
NOTHING`` on the unique key (source kind, source id, kind) lets none fail and none write twice.

Runs outside the rolled-back test transaction (each proposer commits on its own connection), on
its own committed rows, which it deletes afterwards."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import delete, func, insert, select

from inspect_app.core.types import utcnow

N = 300


@pytest.fixture
def committed_accidents(app):
    from inspect_app.extensions import db
    from inspect_app.rectification.accidents import Accident
    from inspect_app.rectification.models import CreditRecord
    from inspect_app.registry.models import Institution
    from tests.factories import credit_code
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrent proposers need PostgreSQL (set DATABASE_URL)")
        now = utcnow()
        inst = Institution(name="并发建议养老院", credit_code=credit_code(876543), type="nursing_home",
                           district="示范区", street="东风街道", address="二号", operator_type="private",
                           created_at=now, updated_at=now)
        db.session.add(inst)
        db.session.flush()
        db.session.execute(insert(Accident), [dict(
            institution_id=inst.id, occurred_on=date(2026, 3, 2), kind="fall", deaths=0, injuries=1,
            serious_injuries=1, responsibility="main" if n % 3 else "shared", serious=True,
            source_type="investigation_report", source_reference=f"R-{n}", source_issuer="某区民政局",
            source_issued_on=date(2026, 3, 9), department="fire", created_at=now) for n in range(N)])
        db.session.commit()
        ids = list(db.session.scalars(select(Accident.id).where(Accident.institution_id == inst.id)))
        yield inst.id
        db.session.rollback()
        db.session.execute(delete(CreditRecord).where(CreditRecord.institution_id == inst.id))
        db.session.execute(delete(Accident).where(Accident.id.in_(ids)))
        db.session.execute(delete(Institution).where(Institution.id == inst.id))
        db.session.commit()


def _proposer(app, errors, barrier, written):
    from inspect_app.extensions import db
    from inspect_app.rectification import blacklist
    try:
        with app.app_context():
            barrier.wait()
            written.append(blacklist.propose_due())
            db.session.commit()
            db.session.remove()
    except Exception as exc:   # noqa: BLE001 (reported to the test)
        errors.append(exc)


def test_four_proposers_at_once_write_each_proposal_once(app, committed_accidents):
    from inspect_app.extensions import db
    from inspect_app.rectification.models import CreditRecord
    errors, written, barrier = [], [], threading.Barrier(4)
    threads = [threading.Thread(target=_proposer, args=(app, errors, barrier, written)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    expected = sum(1 for n in range(N) if n % 3)          # main responsibility only
    assert sum(written) == expected
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CreditRecord).where(
            CreditRecord.institution_id == committed_accidents, CreditRecord.kind == "blacklist_proposal")) == expected
        assert db.session.scalar(select(func.count(func.distinct(CreditRecord.source_id))).where(
            CreditRecord.institution_id == committed_accidents)) == expected
