"""The registry's two summary fields follow the registers (docs/medical-care.md, "The registry's
fields"): derived, for the institutions the register knows.

* ``medical_integration``: an institution with an agreement in force is ``contracted`` (unless
  its register entry says it runs an in-house medical unit, ``internal``, which stays); one whose
  agreements are all out of force and that the registry calls ``contracted`` becomes ``none``.
* ``ltc_designated``: true while a designation is in force, false when every designation of the
  institution has ended or not yet begun.

An institution with no row in a register keeps the value it was registered or imported with
(the counts page lists those whose registry says ``contracted`` without any agreement)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from ..core import audit
from ..core.types import utcnow
from ..extensions import db
from ..registry.models import Institution
from .models import LtcDesignation, MedicalAgreement


def _in_force(ids: set[int], today: date) -> set[int]:
    return set(db.session.scalars(select(MedicalAgreement.institution_id).distinct().where(
        MedicalAgreement.institution_id.in_(ids), MedicalAgreement.starts_on <= today,
        MedicalAgreement.ends_on >= today)))


def _designated(ids: set[int], today: date) -> set[int]:
    return set(db.session.scalars(select(LtcDesignation.institution_id).distinct().where(
        LtcDesignation.institution_id.in_(ids), LtcDesignation.designated_from <= today,
        (LtcDesignation.designated_to.is_(None)) | (LtcDesignation.designated_to >= today))))


def _apply(actor, inst: Institution, column: str, value) -> bool:
    """Set one registry field by a conditional UPDATE (from the value read, version bumped), so
    concurrent sweeps and edits change it once; its audit row only when this one changed it."""
    before = getattr(inst, column)
    done = db.session.execute(
        update(Institution)
        .where(Institution.id == inst.id, getattr(Institution, column) == before)
        .values({column: value, "version": Institution.version + 1, "updated_at": utcnow()})
        .execution_options(synchronize_session="fetch"))
    if done.rowcount != 1:
        return False
    audit.record(actor, "update", "institution", inst.id, before={column: before}, after={column: value},
                 reason="register")
    return True


def sync(actor, today: date, institution_ids: set[int] | None = None) -> int:
    """Bring the registry fields of the institutions in the registers (or of those given) in
    line with the registers on ``today``; the number of institutions changed."""
    if institution_ids is None:
        institution_ids = set(db.session.scalars(select(MedicalAgreement.institution_id).distinct())) | \
            set(db.session.scalars(select(LtcDesignation.institution_id).distinct()))
    if not institution_ids:
        return 0
    with_agreement = set(db.session.scalars(select(MedicalAgreement.institution_id).distinct().where(
        MedicalAgreement.institution_id.in_(institution_ids))))
    with_designation = set(db.session.scalars(select(LtcDesignation.institution_id).distinct().where(
        LtcDesignation.institution_id.in_(institution_ids))))
    in_force = _in_force(with_agreement, today) if with_agreement else set()
    designated = _designated(with_designation, today) if with_designation else set()
    changed = 0
    for inst in db.session.scalars(select(Institution).where(Institution.id.in_(institution_ids))
                                   .order_by(Institution.id)):
        touched = False
        if inst.id in with_agreement:
            if inst.id in in_force and inst.medical_integration == "none":
                touched |= _apply(actor, inst, "medical_integration", "contracted")
            elif inst.id not in in_force and inst.medical_integration == "contracted":
                touched |= _apply(actor, inst, "medical_integration", "none")
        if inst.id in with_designation and bool(inst.ltc_designated) != (inst.id in designated):
            touched |= _apply(actor, inst, "ltc_designated", inst.id in designated)
        changed += touched
    return changed
