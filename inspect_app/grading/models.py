"""Models of the grading feature (等级评定).

* :class:`GradeSanction` — a credit record the bureau enters (penalty, blacklist entry,
  serious accident); read by the eligibility rules.
* :class:`GradeApplication` — an institution asks for a level, with its self-assessment and the
  eligibility check as it stood when it applied.
* :class:`GradeRecord` — one evaluation's outcome through 评定 → 公示 → 确认 (states and
  transitions in :mod:`inspect_app.domain.grading.lifecycle`), with its history
  (:class:`GradeRecordEvent`) and the public's objections (:class:`GradeObjection`).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, false, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.roles import Role
from ..core.types import UTCDateTime
from ..domain.grading import lifecycle as life
from ..extensions import db


def _institution_scope(cls, user):
    """Regulators with grading.view see every institution's rows; staff only their own."""
    if user.role == Role.INSTITUTION_STAFF:
        return cls.institution_id == user.institution_id
    if user.role in (Role.BUREAU_ADMIN, Role.DEPARTMENT_ADMIN):
        return true()
    return cls.id.is_(None)


def _one_per_institution(name: str, states: tuple[str, ...]) -> Index:
    """A partial unique index: at most one row per institution in ``states``."""
    where = text("state IN (%s)" % ", ".join(f"'{s}'" for s in states))
    return Index(name, "institution_id", unique=True, sqlite_where=where, postgresql_where=where)


class GradeSanction(db.Model):
    """A credit record that bars grading: kind penalty | blacklist | accident."""

    __tablename__ = "grade_sanction"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    decided_on: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(120))       # decision number, e.g. 民罚字〔2026〕3号
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(40))     # "bureau" or e.g. "finding:<id>"
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    institution = relationship("Institution")

    @classmethod
    def visible_to(cls, user):
        return _institution_scope(cls, user)


class GradeApplication(db.Model):
    __tablename__ = "grade_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    requested_level: Mapped[int] = mapped_column(Integer)
    # The rating applied for (domain.grading.schemes): GB/T 37276 stars or community A-levels.
    scheme: Mapped[str] = mapped_column(String(12), default="star", server_default="star")
    self_score: Mapped[float | None] = mapped_column(Numeric(10, 4))
    self_assessment: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)
    eligibility: Mapped[list] = mapped_column(JSON)            # rule results when last checked
    checked_on: Mapped[date] = mapped_column(Date)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    # One open application per institution (migration 6d1f0b8e4a27).
    __table_args__ = (_one_per_institution("uq_grade_application_open_per_institution", life.APPLICATION_OPEN),)

    institution = relationship("Institution")
    applied_by = relationship("User", foreign_keys=[applied_by_id])
    records = relationship("GradeRecord", back_populates="application", order_by="GradeRecord.id")

    @classmethod
    def visible_to(cls, user):
        return _institution_scope(cls, user)


class GradeRecord(db.Model):
    __tablename__ = "grade_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("grade_application.id"), index=True)
    # The evaluation: one grading inspection gives at most one record.
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), unique=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    # The rating the level belongs to (domain.grading.schemes): 4 is four stars on "star" and
    # 4A on "a_level"; the policy versions applied are that scheme's.
    scheme: Mapped[str] = mapped_column(String(12), default="star", server_default="star", index=True)
    requested_level: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[int | None] = mapped_column(Integer)         # the engine's level (None: no level)
    total: Mapped[float] = mapped_column(Numeric(10, 4))
    percent: Mapped[float] = mapped_column(Numeric(10, 4))
    explanation: Mapped[dict] = mapped_column(JSON)            # how the level was reached
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    publicity_start: Mapped[date | None] = mapped_column(Date)
    publicity_end: Mapped[date | None] = mapped_column(Date, index=True)
    effective_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    decision_note: Mapped[str | None] = mapped_column(Text)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("grade_record.id"))
    policy_version: Mapped[str] = mapped_column(String(20))
    # Re-grading recomputes the score from the stored answers; a difference is flagged for the
    # bureau, never applied to the record silently.
    regraded_total: Mapped[float | None] = mapped_column(Numeric(10, 4))
    regraded_level: Mapped[int | None] = mapped_column(Integer)
    regraded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    regrade_differs: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(),
                                                  index=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    # One record still being decided per institution (migration 6d1f0b8e4a27).
    __table_args__ = (_one_per_institution("uq_grade_record_in_progress_per_institution", life.OPEN_STATES),)

    institution = relationship("Institution")
    application = relationship("GradeApplication", back_populates="records")
    inspection = relationship("Inspection")
    events = relationship("GradeRecordEvent", back_populates="record",
                          order_by="GradeRecordEvent.id", cascade="all, delete-orphan")
    objections = relationship("GradeObjection", back_populates="record",
                              order_by="GradeObjection.id", cascade="all, delete-orphan")

    @classmethod
    def visible_to(cls, user):
        return _institution_scope(cls, user)


class GradeRecordEvent(db.Model):
    """One step in a record's history: a transition, or a note such as a re-grade difference."""

    __tablename__ = "grade_record_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("grade_record.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)

    record = relationship("GradeRecord", back_populates="events")
    actor = relationship("User")


class GradeObjection(db.Model):
    """An objection lodged by anyone during a record's 公示; decided by the bureau."""

    __tablename__ = "grade_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("grade_record.id", ondelete="CASCADE"), index=True)
    lodged_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    name: Mapped[str] = mapped_column(String(60))
    contact: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    sender_hash: Mapped[str] = mapped_column(String(64), index=True)   # keyed hash of the address
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)  # open|upheld|dismissed
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    record = relationship("GradeRecord", back_populates="objections")

    @classmethod
    def visible_to(cls, user):
        """Objections (with the objector's contact) are for the bureau only."""
        if user.role == Role.BUREAU_ADMIN:
            return true()
        return cls.id.is_(None)

