"""The bureau's counts by district (签约率, docs/medical-care.md, "Signing rate"): operating
institutions, those with an agreement in force on the day, the rate, those with an in-house
medical unit, those with neither, and those the registry calls contracted without any agreement in
the register. One grouped query; the same rule of "in force" as the register's list."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import case, exists, func, select

from ..auth import policy
from ..domain import agreements as rules
from ..extensions import db
from ..registry.models import Institution
from .models import MedicalAgreement


@dataclass(frozen=True)
class DistrictCount:
    district: str
    operating: int
    with_agreement: int
    internal: int
    neither: int
    unregistered_contracted: int

    @property
    def rate(self) -> Fraction | None:
        return rules.signing_rate(self.with_agreement, self.operating)


def by_district(user, today: date, institution_type: str = "") -> list[DistrictCount]:
    """One row per district of the institutions the user may see, then the total (district "")."""
    policy.require(user, "agreements.counts")
    in_force = exists().where(MedicalAgreement.institution_id == Institution.id,
                              MedicalAgreement.starts_on <= today, MedicalAgreement.ends_on >= today)
    any_agreement = exists().where(MedicalAgreement.institution_id == Institution.id)
    internal = Institution.medical_integration == "internal"
    stmt = (select(Institution.district, func.count(),
                   func.sum(case((in_force, 1), else_=0)),
                   func.sum(case((internal, 1), else_=0)),
                   func.sum(case((~in_force & ~internal, 1), else_=0)),
                   func.sum(case(((Institution.medical_integration == "contracted") & ~any_agreement, 1), else_=0)))
            .where(Institution.status == "operating", policy.scope_clause(Institution, user))
            .group_by(Institution.district).order_by(Institution.district))
    if institution_type:
        stmt = stmt.where(Institution.type == institution_type)
    rows = [DistrictCount(d, int(n), int(a or 0), int(i or 0), int(x or 0), int(u or 0))
            for d, n, a, i, x, u in db.session.execute(stmt)]
    total = DistrictCount("", *(sum(getattr(r, f) for r in rows) for f in
                               ("operating", "with_agreement", "internal", "neither", "unregistered_contracted")))
    return rows + [total]
