"""Visits (检查任务 / 联合检查), their department parts (检查), answers and evidence.

One :class:`Visit` goes to one institution on one day and carries one :class:`Inspection`
per participating department, each filled with that department's checklist version by the
department's inspectors (:class:`InspectionInspector`). An inspection is a draft until it is
submitted; its ``submission_id`` is minted by the tablet when the draft starts and is unique
forever (docs/security.md, "Offline submissions"). Files (photos, signatures) are
:class:`~inspect_app.core.files.StoredFile` rows, served only through views that check the
owning record.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Date, ForeignKey, Integer, Numeric, String, Text,
                        UniqueConstraint, false, select, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.roles import Role
from ..core.files import StoredFile  # noqa: F401  (files belong to core; re-exported for convenience)
from ..core.types import UTCDateTime
from ..domain.visits import (ASSIGNED, CANCELLED, COMPLETED, DRAFT, IN_PROGRESS,  # noqa: F401
                             PLANNED, SUBMITTED)
from ..extensions import db

# Visit.status and Inspection.status: their machines are domain.visits.VISIT and INSPECTION
# Visit.purpose
PURPOSES = ("routine", "random", "complaint", "follow_up", "grading")


class Visit(db.Model):
    __tablename__ = "visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default="inspection")     # inspection | grading
    purpose: Mapped[str] = mapped_column(String(16), default="routine")     # PURPOSES
    scheduled_for: Mapped[date] = mapped_column(Date, index=True)
    due_by: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=PLANNED, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    # Where the visit came from: a plan's draw ("draw:<id>"), a finding ("finding:<id>"),
    # a grading application ("application:<id>"), a complaint case ("complaint:<id>") or nothing
    # for ad-hoc visits.
    source: Mapped[str | None] = mapped_column(String(40), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    institution = relationship("Institution")
    inspections = relationship("Inspection", back_populates="visit", order_by="Inspection.id",
                               cascade="all, delete-orphan")

    @classmethod
    def visible_to(cls, user):
        """The bureau sees every visit; a department admin visits with a part of their
        department; an inspector visits where they are on a team; institution staff their own
        institution's visits once completed (the record is theirs too)."""
        if user.role == Role.BUREAU_ADMIN:
            return true()
        if user.role == Role.DEPARTMENT_ADMIN:
            return cls.id.in_(select(Inspection.visit_id).where(Inspection.department == user.department))
        if user.role == Role.INSPECTOR:
            return cls.id.in_(select(Inspection.visit_id).join(InspectionInspector)
                              .where(InspectionInspector.user_id == user.id))
        if user.role == Role.INSTITUTION_STAFF:
            return (cls.institution_id == user.institution_id) & (cls.status == COMPLETED)
        return cls.id.is_(None)


class Inspection(db.Model):
    """One department's part of a visit, filled with one checklist version."""

    __tablename__ = "inspection"
    __table_args__ = (UniqueConstraint("visit_id", "department"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    department: Mapped[str] = mapped_column(String(24), index=True)
    checklist_version_id: Mapped[int] = mapped_column(ForeignKey("checklist_version.id"))
    status: Mapped[str] = mapped_column(String(12), default=ASSIGNED, index=True)
    # Minted by the tablet when the draft starts; unique forever; the submit's idempotency key.
    submission_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    body_digest: Mapped[str | None] = mapped_column(String(64))     # digest of the submitted body
    source: Mapped[str] = mapped_column(String(16), default="tablet")   # tablet | assessor_import
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The engine's result (scoring_results.to_contract_dict) and its headline figures.
    result: Mapped[dict | None] = mapped_column(JSON)
    total: Mapped[float | None] = mapped_column(Numeric(10, 4))
    level: Mapped[int | None] = mapped_column(Integer)
    failed_count: Mapped[int | None] = mapped_column(Integer)
    veto_count: Mapped[int | None] = mapped_column(Integer)
    representative_name: Mapped[str | None] = mapped_column(String(80))
    inspector_signature_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    representative_signature_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    visit = relationship("Visit", back_populates="inspections")
    checklist_version = relationship("ChecklistVersion")
    team = relationship("InspectionInspector", back_populates="inspection",
                        cascade="all, delete-orphan", order_by="InspectionInspector.id")
    answers = relationship("Answer", back_populates="inspection", cascade="all, delete-orphan",
                           order_by="Answer.id")

    @classmethod
    def visible_to(cls, user):
        if user.role == Role.BUREAU_ADMIN:
            return true()
        if user.role == Role.DEPARTMENT_ADMIN:
            return cls.department == user.department
        if user.role == Role.INSPECTOR:
            return cls.id.in_(select(InspectionInspector.inspection_id)
                              .where(InspectionInspector.user_id == user.id))
        if user.role == Role.INSTITUTION_STAFF:
            return (cls.status == SUBMITTED) & cls.visit_id.in_(
                select(Visit.id).where(Visit.institution_id == user.institution_id))
        return cls.id.is_(None)


class InspectionInspector(db.Model):
    """An inspector on a department part's team."""

    __tablename__ = "inspection_inspector"
    __table_args__ = (UniqueConstraint("inspection_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    lead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    inspection = relationship("Inspection", back_populates="team")
    user = relationship("User")


class Answer(db.Model):
    """The current answer to one item (drafts are saved answer by answer)."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("inspection_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(40))      # "pass" | "fail" | "na" | decimal text
    remark: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Each save names the version it was based on; a stale save is refused
    # (docs/security.md, "Offline submissions").
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    inspection = relationship("Inspection", back_populates="answers")


class Evidence(db.Model):
    """A photo attached to one item of an inspection."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(40))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    # Minted by the tablet per photo so a re-sent upload is stored once.
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "found": the state found; "after": taken after an on-the-spot rectification (当场整改).
    stage: Mapped[str] = mapped_column(String(8), default="found", server_default="found")

    file = relationship("StoredFile")


class VisitObstruction(db.Model):
    """The institution refused the inspectors entry or obstructed the inspection: recorded on
    the visit by an inspector of its team, with a note of what happened. One per visit; it
    makes a blacklist proposal (docs/regulations.md, "Credit records and the blacklist")."""

    __tablename__ = "visit_obstruction"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), unique=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    department: Mapped[str] = mapped_column(String(24))      # the recording inspector's part
    outcome: Mapped[str] = mapped_column(String(16))          # domain.rectification.blacklist.OBSTRUCTIONS
    note: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    visit = relationship("Visit")
    recorded_by = relationship("User")

    @classmethod
    def visible_to(cls, user):
        """Who sees the visit among the regulators sees its outcome; institution staff see the
        blacklist entry it may lead to, once confirmed, not the record."""
        if user.role == Role.INSTITUTION_STAFF:
            return cls.id.is_(None)
        return cls.visit_id.in_(select(Visit.id).where(Visit.visible_to(user)))


EVIDENCE_STAGES = ("found", "after")


class OnSpotRectification(db.Model):
    """A failed item the inspector put right during the visit (当场整改), as submitted: the
    note says what was done; the "after" photos are the item's evidence of stage ``after``.
    Read by rectification when it opens the findings (domain/rectification/on_spot.py)."""

    __tablename__ = "on_spot_rectification"
    __table_args__ = (UniqueConstraint("inspection_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
