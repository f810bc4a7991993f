"""Long-term-care-insurance designations (长护险定点, docs/medical-care.md): the agency that
designated the institution, the agreement number and the term. The registry's
``ltc_designated`` follows them (:mod:`.registry_link`)."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import selectinload

from ..auth import policy
from ..core import audit
from ..core.errors import Invalid
from ..core.types import utcnow
from ..domain import agreements as rules
from ..domain.translatable import N_
from ..extensions import db
from ..registry.models import Institution
from . import registry_link
from .models import LtcDesignation


def listing(user, limit: int = 500) -> list[LtcDesignation]:
    policy.require(user, "ltc.view")
    return list(db.session.scalars(policy.visible(LtcDesignation, user)
                                   .options(selectinload(LtcDesignation.institution))
                                   .order_by(LtcDesignation.designated_from.desc(), LtcDesignation.id.desc())
                                   .limit(limit)))


def record(user, credit_code: str, values: dict, today: date) -> LtcDesignation:
    """Record a designation of the institution with this credit code; Invalid when wrong."""
    policy.require(user, "ltc.edit")
    v = dict(values)
    v["agency"] = (v.get("agency") or "").strip()
    v["agreement_number"] = (v.get("agreement_number") or "").strip() or None
    problems = rules.designation_problems(v)
    code = (credit_code or "").strip().upper()
    inst = db.session.scalar(policy.visible(Institution, user).where(Institution.credit_code == code)) if code else None
    if inst is None:
        problems.append(("credit_code", N_("no institution has this unified social credit code")))
    if problems:
        raise Invalid("The designation could not be saved.", problems=problems)
    row = LtcDesignation(institution_id=inst.id, agency=v["agency"], agreement_number=v["agreement_number"],
                         designated_from=v["designated_from"], designated_to=v.get("designated_to"),
                         created_by_id=user.id, created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    audit.record(user, "create", "ltc_designation", row.id, after=audit.snapshot(row))
    registry_link.sync(user, today, {inst.id})
    return row


def in_force(row: LtcDesignation, today: date) -> bool:
    return rules.designated_on(row.designated_from, row.designated_to, today)
