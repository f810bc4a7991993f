"""Major hazards under listed supervision (重大事故隐患 挂牌督办): the listing, its remediation
plans (治理方案) with dated milestones, the milestone evidence, the on-site re-inspections and
the listing's history. The machines are in :mod:`inspect_app.domain.rectification.hazard`.

A milestone carries its own ladder pointer (``step``, ``escalation_level``, ``next_due_at``:
NULL when nothing is due), swept like a finding's deadline (docs/security.md, "Deadlines are
rows").
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint,
                        false, select, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.roles import Role
from ..core.types import UTCDateTime
from ..domain.rectification.hazard import OPEN_LISTING
from ..extensions import db
from .models import inspector_finding_ids


class HazardListing(db.Model):
    """One finding listed for supervision (挂牌督办): when, by which department, who answers
    for it at the bureau and at the department."""

    __tablename__ = "hazard_listing"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"), unique=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    department: Mapped[str] = mapped_column(String(24), index=True)     # the supervising department
    hazard: Mapped[str | None] = mapped_column(String(40))              # catalogue entry (checklists/hazards)
    listed_on: Mapped[date] = mapped_column(Date)
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    bureau_staff_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    department_staff_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    state: Mapped[str] = mapped_column(String(16), default="listed")
    plan_due_at: Mapped[datetime] = mapped_column(UTCDateTime)         # the plan is owed by then
    stop_use: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    stop_use_area: Mapped[str | None] = mapped_column(Text)            # of the approved plan
    end_on: Mapped[date | None] = mapped_column(Date)                   # the approved plan's end date
    delisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    finding = relationship("Finding")
    institution = relationship("Institution")
    bureau_staff = relationship("User", foreign_keys=[bureau_staff_id])
    department_staff = relationship("User", foreign_keys=[department_staff_id])
    plans = relationship("HazardPlan", back_populates="listing", order_by="HazardPlan.number")
    reinspections = relationship("HazardReinspection", order_by="HazardReinspection.id")
    events = relationship("HazardEvent", back_populates="listing", order_by="HazardEvent.id")

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_LISTING

    @property
    def approved_plan(self):
        return next((p for p in reversed(self.plans) if p.status == "approved"), None)

    @classmethod
    def visible_to(cls, user):
        """The bureau sees every listing; a department admin and the department's inspectors
        its own department's (an inspector may be sent to re-inspect), an inspector of another
        department those of findings they may see; institution staff their own institution's."""
        if user.role == Role.BUREAU_ADMIN:
            return true()
        if user.role == Role.DEPARTMENT_ADMIN:
            return cls.department == user.department
        if user.role == Role.INSPECTOR:
            own = cls.finding_id.in_(inspector_finding_ids(user.id))
            return (cls.department == user.department) | own if user.department else own
        if user.role == Role.INSTITUTION_STAFF:
            return cls.institution_id == user.institution_id
        return cls.id.is_(None)


class HazardPlan(db.Model):
    """治理方案: what the institution will do, who answers for it, the money, what keeps people
    safe meanwhile, whether an area is stopped from use, and the dated steps to the end date."""

    __tablename__ = "hazard_plan"
    __table_args__ = (UniqueConstraint("listing_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("hazard_listing.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)                        # 1, 2, … per listing
    measures: Mapped[str] = mapped_column(Text)
    responsible_person: Mapped[str] = mapped_column(String(120))
    funds_yuan: Mapped[int | None] = mapped_column(Integer)
    interim_measures: Mapped[str] = mapped_column(Text)
    stop_use: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    stop_use_area: Mapped[str | None] = mapped_column(Text)
    end_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    listing = relationship("HazardListing", back_populates="plans")
    milestones = relationship("HazardMilestone", back_populates="plan", order_by="HazardMilestone.seq")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class HazardMilestone(db.Model):
    """One dated step of a plan; reported by the institution with evidence. From the plan's
    approval it runs the supervision ladder against its own date."""

    __tablename__ = "hazard_milestone"
    __table_args__ = (UniqueConstraint("plan_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("hazard_plan.id", ondelete="CASCADE"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("hazard_listing.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)               # first instant overdue
    state: Mapped[str] = mapped_column(String(12), default="pending")
    step: Mapped[int] = mapped_column(Integer, default=0)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    report_text: Mapped[str | None] = mapped_column(Text)

    plan = relationship("HazardPlan", back_populates="milestones")
    photos = relationship("HazardEvidence", order_by="HazardEvidence.id")


class HazardEvidence(db.Model):
    """A photo reporting a milestone."""

    __tablename__ = "hazard_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("hazard_milestone.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))

    file = relationship("StoredFile")


class HazardReinspection(db.Model):
    """An on-site re-inspection (现场复查) by an inspector of the supervising department: was the
    hazard removed? Passed closes the listing and its finding; failed keeps them open."""

    __tablename__ = "hazard_reinspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("hazard_listing.id", ondelete="CASCADE"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    held_on: Mapped[date] = mapped_column(Date)
    removed: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    inspector = relationship("User")


class HazardEvent(db.Model):
    """One line of a listing's history: who, when, what, from → to, why (a milestone's rung
    names the milestone in ``data``)."""

    __tablename__ = "hazard_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("hazard_listing.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    step: Mapped[str | None] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)

    listing = relationship("HazardListing", back_populates="events")
    actor = relationship("User")


def open_listing_of(finding_id: int) -> HazardListing | None:
    """The finding's listing while it is open (a listed finding is closed only on site)."""
    return db.session.scalar(select(HazardListing).where(
        HazardListing.finding_id == finding_id, HazardListing.state.in_(OPEN_LISTING)))


__all__ = ["HazardListing", "HazardPlan", "HazardMilestone", "HazardEvidence", "HazardReinspection",
           "HazardEvent", "open_listing_of"]
