"""Doctors' rounds (巡诊) entered by the institution, and the check against the agreed frequency
(docs/medical-care.md, "Doctors' rounds")."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..auth import policy
from ..core import audit
from ..core.errors import Invalid
from ..core.types import utcnow
from ..domain import agreements as rules
from ..domain.translatable import N_
from ..extensions import db
from .models import DoctorRound, MedicalAgreement


def record_round(user, agreement_id: int, values: dict, today: date) -> DoctorRound:
    """Record one round of the agreement's doctors; Invalid with every located problem."""
    policy.require(user, "agreements.rounds")
    agreement = policy.get_visible(MedicalAgreement, agreement_id, user)
    problems = []
    held = values.get("held_on")
    if not isinstance(held, date):
        problems.append(("held_on", N_("a date is required")))
    elif held > today:
        problems.append(("held_on", N_("cannot be in the future")))
    elif not rules.is_valid_on(agreement.starts_on, agreement.ends_on, held):
        problems.append(("held_on", N_("not within the agreement's term")))
    doctor = (values.get("doctor_name") or "").strip()
    if not doctor or len(doctor) > 80:
        problems.append(("doctor_name", N_("required, at most 80 characters")))
    seen = values.get("residents_seen")
    if isinstance(seen, bool) or not isinstance(seen, int) or not 1 <= seen <= rules.MAX_RESIDENTS:
        problems.append(("residents_seen", N_("a whole number of residents, 1 or more")))
    note = (values.get("note") or "").strip()
    if len(note) > 2000:
        problems.append(("note", N_("at most 2000 characters")))
    if not problems and db.session.scalar(select(DoctorRound.id).where(
            DoctorRound.agreement_id == agreement.id, DoctorRound.held_on == held,
            DoctorRound.doctor_name == doctor)) is not None:
        problems.append(("held_on", N_("this doctor's round on that day is already recorded")))
    if problems:
        raise Invalid("The round could not be saved.", problems=problems)
    row = DoctorRound(agreement_id=agreement.id, held_on=held, doctor_name=doctor, residents_seen=seen,
                      note=note or None, created_by_id=user.id, created_at=utcnow())
    try:
        with db.session.begin_nested():          # a concurrent twin committed first: refused, located
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise Invalid("The round could not be saved.", problems=[
            ("held_on", N_("this doctor's round on that day is already recorded"))]) from None
    audit.record(user, "create", "doctor_round", row.id, after=audit.snapshot(row))
    return row


def rounds_of(agreement: MedicalAgreement) -> list[DoctorRound]:
    return list(db.session.scalars(select(DoctorRound).where(DoctorRound.agreement_id == agreement.id)
                                   .order_by(DoctorRound.held_on.desc(), DoctorRound.id.desc())))


def periods(agreement: MedicalAgreement, rounds: list[DoctorRound], today: date) -> list[rules.RoundPeriod]:
    """The term's weeks or months up to today, newest first, each with its rounds."""
    out = rules.round_periods(agreement.starts_on, agreement.ends_on, agreement.visit_count,
                              agreement.visit_period, [r.held_on for r in rounds], today)
    return list(reversed(out))
