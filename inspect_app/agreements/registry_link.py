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

from sqlalchemy import and_, or_, select, update

from ..core import audit
from ..core.types import utcnow
from ..extensions import db
from ..registry.models import Institution
from .models import LtcDesignation, MedicalAgreement


def _exists(model, *conditions):
    return select(model.id).where(model.institution_id == Institution.id, *conditions).exists()


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
    """Bring the registry fields in line with the registers on ``today``, for the institutions
    given or every institution; the number of institutions changed. The institutions out of line
    are found in SQL (correlated EXISTS, no list of ids), so the hourly sweep reads only those."""
    agreement = _exists(MedicalAgreement)
    in_force = _exists(MedicalAgreement, MedicalAgreement.starts_on <= today, MedicalAgreement.ends_on >= today)
    designation = _exists(LtcDesignation)
    designated = _exists(LtcDesignation, LtcDesignation.designated_from <= today,
                         (LtcDesignation.designated_to.is_(None)) | (LtcDesignation.designated_to >= today))
    stmt = (select(Institution, in_force, designation, designated)
            .where(or_(and_(Institution.medical_integration == "none", in_force),
                       and_(Institution.medical_integration == "contracted", agreement, ~in_force),
                       and_(designation, Institution.ltc_designated.is_(True), ~designated),
                       and_(Institution.ltc_designated.is_not(True), designated)))
            .order_by(Institution.id))
    if institution_ids is not None:
        if not institution_ids:
            return 0
        stmt = stmt.where(Institution.id.in_(institution_ids))
    changed = 0
    for inst, has_agreement_in_force, has_designation, is_designated in db.session.execute(stmt).all():
        touched = False
        if inst.medical_integration == "none" and has_agreement_in_force:
            touched |= _apply(actor, inst, "medical_integration", "contracted")
        elif inst.medical_integration == "contracted" and not has_agreement_in_force:
            touched |= _apply(actor, inst, "medical_integration", "none")
        if has_designation and bool(inst.ltc_designated) != bool(is_designated):
            touched |= _apply(actor, inst, "ltc_designated", bool(is_designated))
        changed += touched
    return changed
