"""The agreements demo loads through the register's services on top of the core demo district."""
from __future__ import annotations

import random
from datetime import date

from sqlalchemy import func, select


def test_demo_gives_agreements_rounds_designations_and_reminders(db):
    from inspect_app.agreements.models import AgreementReminder, DoctorRound, LtcDesignation, MedicalAgreement
    from inspect_app.demo import seed_demo as core_seed
    from inspect_app.demo.agreements import seed_demo
    report = core_seed()
    assert "\nagreements: " in report
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert count(MedicalAgreement) == 8 and count(LtcDesignation) == 2
    assert count(DoctorRound) >= 1 and count(AgreementReminder) >= 2    # one ending soon, one expired
    assert "already present" in seed_demo(random.Random(1), date.today())
    assert count(MedicalAgreement) == 8
