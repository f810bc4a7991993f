"""Accidents (安全事故): records of their own, entered by the bureau or a department from the
document that establishes them (docs/regulations.md, "Accidents"). Grading eligibility reads the
serious ones (:func:`serious_of`); the risk classes count them (:func:`counts_since`); a serious
one for which the institution bears the main responsibility makes a blacklist proposal
(:mod:`.blacklist`)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, func, select, true
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from ..auth import policy
from ..auth.roles import Role
from ..core import audit, jobs
from ..core.errors import Invalid
from ..core.types import UTCDateTime, utcnow
from ..domain import accidents as rules
from ..extensions import db
from ..registry.models import Institution


class Accident(db.Model):
    """One accident at one institution, as a document establishes it."""

    __tablename__ = "accident"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))                     # domain.accidents.KINDS
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    injuries: Mapped[int] = mapped_column(Integer, default=0)
    serious_injuries: Mapped[int] = mapped_column(Integer, default=0)
    responsibility: Mapped[str] = mapped_column(String(16))           # domain.accidents.RESPONSIBILITY
    serious: Mapped[bool] = mapped_column(Boolean, default=False)     # domain.accidents.is_serious, at entry
    source_type: Mapped[str] = mapped_column(String(24))              # domain.accidents.SOURCE_TYPES
    source_reference: Mapped[str] = mapped_column(String(120))        # document number
    source_issuer: Mapped[str] = mapped_column(String(120))
    source_issued_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(String(24))        # who entered it (None: the bureau)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    institution = relationship("Institution")

    @classmethod
    def visible_to(cls, user):
        """The bureau and the departments see every accident (they weigh the risk of any
        institution); nobody else."""
        if user.role in (Role.BUREAU_ADMIN, Role.DEPARTMENT_ADMIN):
            return true()
        return cls.id.is_(None)


def record(user, values: dict, today: date) -> Accident:
    """Save an accident; Invalid with every located problem."""
    policy.require(user, "accidents.record")
    v = dict(values)
    for key in ("source_reference", "source_issuer", "summary"):
        v[key] = (v.get(key) or "").strip()
    problems = rules.problems(v, today)
    if isinstance(v.get("institution_id"), int) and db.session.get(Institution, v["institution_id"]) is None:
        problems.append(("institution_id", "choose an institution"))
    if problems:
        raise Invalid("The accident could not be saved.", problems=problems)
    facts = rules.AccidentFacts(v["occurred_on"], v["kind"], v["deaths"], v["serious_injuries"], v["responsibility"])
    row = Accident(institution_id=v["institution_id"], occurred_on=v["occurred_on"], kind=v["kind"],
                   deaths=v["deaths"], injuries=v["injuries"], serious_injuries=v["serious_injuries"],
                   responsibility=v["responsibility"], serious=rules.is_serious(facts),
                   source_type=v["source_type"], source_reference=v["source_reference"],
                   source_issuer=v["source_issuer"], source_issued_on=v["source_issued_on"],
                   summary=v["summary"] or None,
                   department=user.department if user.role == Role.DEPARTMENT_ADMIN else None,
                   created_by_id=user.id, created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    audit.record(user, "create", "accident", row.id, after=audit.snapshot(row))
    # A serious accident may be a blacklist trigger (rectification/blacklist.py, run as a job).
    jobs.enqueue("rectification.propose_blacklist", {"accident_id": row.id}, key=f"blacklist:accident:{row.id}")
    return row


def listing(user, limit: int = 500) -> list[Accident]:
    policy.require(user, "accidents.view")
    return list(db.session.scalars(policy.visible(Accident, user).options(selectinload(Accident.institution))
                                   .order_by(Accident.occurred_on.desc(), Accident.id.desc()).limit(limit)))


def serious_of(institution_id: int) -> list[Accident]:
    """The institution's serious accidents (for grading eligibility)."""
    return list(db.session.scalars(select(Accident).where(Accident.institution_id == institution_id,
                                                          Accident.serious.is_(True))))


def counts_since(institution_ids: list[int], since: date) -> dict[int, int]:
    """Accidents per institution that occurred on or after ``since`` (for the risk classes)."""
    if not institution_ids:
        return {}
    rows = db.session.execute(select(Accident.institution_id, func.count())
                              .where(Accident.institution_id.in_(institution_ids), Accident.occurred_on >= since,
                                     Accident.responsibility != "none")
                              .group_by(Accident.institution_id))
    return {iid: int(n) for iid, n in rows}
