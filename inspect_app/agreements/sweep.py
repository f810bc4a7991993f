"""Expiry reminders (docs/medical-care.md, "Expiry reminders"), swept by beat: for each
agreement the step due today is reached by one conditional UPDATE of ``reminder_step`` (from the
step read, for the end date read) and its reminder row is written in the same transaction, under
a unique key (agreement, step, end date). Any number of sweepers, a sweep run twice, or a crash
between them make each reminder once. A step passed while nobody swept (an agreement entered 20
days before its end) is not made late: the sweep moves to the step due today."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from ..auth import policy
from ..core.types import utcnow
from ..domain import agreements as rules
from ..extensions import db
from . import registry_link
from .models import AgreementReminder, MedicalAgreement
from .policy import current as reminder_policy


def sweep(today: date) -> dict:
    """Make the reminders due on ``today`` and bring the registry fields in line; the counts."""
    pol = reminder_policy()
    horizon = today + timedelta(days=max(pol.days_before))
    due = db.session.execute(
        select(MedicalAgreement.id, MedicalAgreement.reminder_step, MedicalAgreement.ends_on)
        .where(MedicalAgreement.reminder_step < pol.expired_step, MedicalAgreement.ends_on <= horizon)
        .order_by(MedicalAgreement.id)).all()
    made = 0
    for agreement_id, step, ends_on in due:
        target = rules.reminder_step(ends_on, today, pol)
        if target <= step:
            continue
        moved = db.session.execute(
            update(MedicalAgreement)
            .where(MedicalAgreement.id == agreement_id, MedicalAgreement.reminder_step == step,
                   MedicalAgreement.ends_on == ends_on)
            .values(reminder_step=target)
            .execution_options(synchronize_session=False))
        if moved.rowcount != 1:
            continue                       # another sweeper, or an edit, moved it meanwhile
        db.session.add(AgreementReminder(agreement_id=agreement_id, step=target, ends_on=ends_on,
                                         days_before=rules.step_days(target, pol), created_at=utcnow()))
        db.session.flush()
        made += 1
    changed = registry_link.sync(None, today)
    return {"reminders": made, "registry_changed": changed}


def reminders_for(user, limit: int = 50) -> list[AgreementReminder]:
    """The latest reminders of the agreements the user may see, newest first."""
    policy.require(user, "agreements.view")
    visible = select(MedicalAgreement.id).where(policy.scope_clause(MedicalAgreement, user))
    return list(db.session.scalars(
        select(AgreementReminder).where(AgreementReminder.agreement_id.in_(visible))
        .order_by(AgreementReminder.created_at.desc(), AgreementReminder.id.desc()).limit(limit)))
