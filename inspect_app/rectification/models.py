"""Rectification (整改): findings, their history, notices, the institution's answers, messages
and credit records.

A :class:`Finding` is one failed item of a submitted inspection (unique per inspection and
item). Its ``state`` changes only through :func:`inspect_app.domain.rectification.states.apply` via
the services, which write a :class:`FindingEvent` each time. Deadlines are rows: the
reminder/escalation ladder is swept by a periodic task that looks only at ``next_due_at``
(NULL when nothing is due: closed, answered or contested findings), so an idle sweep is one
index probe (docs/security.md, "Deadlines are rows").
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, cast, false, literal, select, text, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.roles import Role
from ..core.types import UTCDateTime
from ..domain.rectification.states import UNRESOLVED
from ..extensions import db
from ..inspections.models import Inspection, InspectionInspector, Visit

# The partial index's condition (PostgreSQL and SQLite): the unresolved findings.
UNRESOLVED_SQL = "state IN (" + ", ".join(f"'{s}'" for s in UNRESOLVED) + ")"


class Finding(db.Model):
    """A problem or hazard (问题/隐患) found by an inspection, carried until closed (销号)."""

    __tablename__ = "finding"
    __table_args__ = (
        UniqueConstraint("inspection_id", "item_id"),
        Index("ix_finding_institution_id_state", "institution_id", "state"),
        Index("ix_finding_department_state", "department", "state"),
        # The dashboards' counts of unresolved findings (by deadline, rung, department, age) read
        # this small index alone; partial, so closed and withdrawn findings (most of them) are
        # not in it. When findings were issued: the per-month and on-time charts' current month.
        Index("ix_finding_unresolved", "deadline_at", "institution_id", "department", "escalation_level",
              "created_at", "state", "id", postgresql_where=text(UNRESOLVED_SQL), sqlite_where=text(UNRESOLVED_SQL)),
        Index("ix_finding_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Few indexes on purpose: each one is written again by every rung the sweep claims.
    # (inspection_id is covered by the unique key, institution and department by the pairs.)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_notice.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    department: Mapped[str] = mapped_column(String(24))
    checklist_id: Mapped[str] = mapped_column(String(80))
    checklist_version: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[str] = mapped_column(String(40))
    item_text: Mapped[str] = mapped_column(Text)
    basis: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(String(40))       # what the inspector recorded
    remark: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(12))            # critical | major | minor
    veto: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    deadline_days: Mapped[int] = mapped_column(Integer)          # the original length
    original_deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)   # first instant overdue
    state: Mapped[str] = mapped_column(String(12), default="open")
    # The ladder: ``step`` points at the next rung, ``escalation_level`` counts escalation
    # rungs done; ``next_due_at`` is when the sweep must act (NULL: nothing to do).
    step: Mapped[int] = mapped_column(Integer, default=0)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    policy_version: Mapped[str] = mapped_column(String(40))
    contested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Put right during the visit (当场整改): created closed, on no notice, no deadline issued.
    on_spot: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # while contested
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    institution = relationship("Institution")
    inspection = relationship("Inspection")
    notice = relationship("RectificationNotice", back_populates="findings")
    events = relationship("FindingEvent", back_populates="finding", order_by="FindingEvent.id")
    responses = relationship("FindingResponse", back_populates="finding",
                             order_by="FindingResponse.id")

    @classmethod
    def visible_to(cls, user):
        """The bureau sees all; a department admin their department's findings; an inspector
        the findings of inspections whose team they were on, and those they are sent back to
        re-inspect (on the team of a visit whose source is ``finding:<id>``) — the head of
        department (负责人) every finding of the department, as an officer who decides its
        requests; institution staff their own institution's."""
        if user.role == Role.BUREAU_ADMIN:
            return true()
        if user.role == Role.DEPARTMENT_ADMIN:
            return cls.department == user.department
        if user.role == Role.INSPECTOR:
            if user.is_department_head and user.department:
                return (cls.department == user.department) | cls.id.in_(inspector_finding_ids(user.id))
            return cls.id.in_(inspector_finding_ids(user.id))
        if user.role == Role.INSTITUTION_STAFF:
            return cls.institution_id == user.institution_id
        return cls.id.is_(None)


class FindingEvent(db.Model):
    """One line of a finding's history: who, when, what, from → to, why."""

    __tablename__ = "finding_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str | None] = mapped_column(String(12))
    step: Mapped[str | None] = mapped_column(String(24))        # ladder rung code, sweeps only
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)

    finding = relationship("Finding", back_populates="events")
    actor = relationship("User")


class NoticeCounter(db.Model):
    """The last notice number issued per department and year (updated atomically)."""

    __tablename__ = "notice_counter"

    department: Mapped[str] = mapped_column(String(24), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class RectificationNotice(db.Model):
    """整改通知书: one per submitted inspection with findings, numbered per department and year."""

    __tablename__ = "rectification_notice"
    __table_args__ = (UniqueConstraint("department", "year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), unique=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    department: Mapped[str] = mapped_column(String(24))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reply_until: Mapped[datetime] = mapped_column(UTCDateTime)     # end of the 陈述申辩 window
    policy_version: Mapped[str] = mapped_column(String(40))

    institution = relationship("Institution")
    inspection = relationship("Inspection")
    findings = relationship("Finding", back_populates="notice", order_by="Finding.id")

    @property
    def code(self) -> str:
        return f"{self.year}-{self.number:04d}"

    @classmethod
    def visible_to(cls, user):
        if user.role == Role.BUREAU_ADMIN:
            return true()
        if user.role == Role.DEPARTMENT_ADMIN:
            return cls.department == user.department
        if user.role == Role.INSPECTOR:
            # The notice of an inspection they were on, or one holding a finding they re-inspect;
            # the head of department: every notice of the department.
            own = cls.id.in_(select(Finding.notice_id).where(Finding.id.in_(inspector_finding_ids(user.id))))
            if user.is_department_head and user.department:
                return (cls.department == user.department) | own
            return own
        if user.role == Role.INSTITUTION_STAFF:
            return cls.institution_id == user.institution_id
        return cls.id.is_(None)


def inspector_finding_ids(user_id: int):
    """SELECT the ids of the findings inspector ``user_id`` may see: those of an inspection
    whose team they were on, plus those of a follow-up visit (``Visit.source`` is
    ``finding:<id>``) whose team they are on."""
    teams = select(InspectionInspector.inspection_id).where(InspectionInspector.user_id == user_id)
    follow_ups = (select(Visit.source).join(Inspection, Inspection.visit_id == Visit.id)
                  .where(Inspection.id.in_(teams), Visit.source.like("finding:%")))
    own = select(Finding.id).where(Finding.inspection_id.in_(teams))
    sent_back = select(Finding.id).where(
        (literal("finding:", String) + cast(Finding.id, String)).in_(follow_ups))
    return own.union(sent_back)


# FindingResponse.kind / .status
RESPONSE, EXTENSION, REPLY = "response", "extension", "reply"
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"


class FindingResponse(db.Model):
    """The institution's side: a rectification answer, an extension request or a reply
    (陈述申辩), each with a decision once a department has made it."""

    __tablename__ = "finding_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    days: Mapped[int | None] = mapped_column(Integer)         # extension requests
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    finding = relationship("Finding", back_populates="responses")
    created_by = relationship("User", foreign_keys=[created_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    photos = relationship("ResponsePhoto", order_by="ResponsePhoto.id")


class ResponsePhoto(db.Model):
    __tablename__ = "response_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("finding_response.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))

    file = relationship("StoredFile")


# Message.audience
TO_INSTITUTION, TO_DEPARTMENT, TO_BUREAU = "institution", "department", "bureau"


class Message(db.Model):
    """An in-app message to an audience: an institution's staff, a department's heads, or the
    bureau. One row per audience (not per person); reading is tracked in MessageRead."""

    __tablename__ = "rectification_message"
    __table_args__ = (Index("ix_rectification_message_audience", "audience", "institution_id",
                            "department"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    audience: Mapped[str] = mapped_column(String(12))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    department: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(24))          # notice | reminder | overdue | …
    # No index of its own: the sweep writes thousands of these at once; pages read by audience.
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_notice.id"))
    params: Mapped[dict | None] = mapped_column(JSON)

    finding = relationship("Finding")

    @classmethod
    def visible_to(cls, user):
        if user.role == Role.INSTITUTION_STAFF:
            return (cls.audience == TO_INSTITUTION) & (cls.institution_id == user.institution_id)
        if user.role == Role.DEPARTMENT_ADMIN:
            return (cls.audience == TO_DEPARTMENT) & (cls.department == user.department)
        if user.role == Role.BUREAU_ADMIN:
            return cls.audience == TO_BUREAU
        return cls.id.is_(None)


class MessageRead(db.Model):
    __tablename__ = "rectification_message_read"

    message_id: Mapped[int] = mapped_column(ForeignKey("rectification_message.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _source_id_default(context):
    """A finding's credit record names the finding as its source (rows written the ORM way)."""
    return context.get_current_parameters().get("finding_id")


class CreditRecord(db.Model):
    """A credit record (信用记录) resting on exactly one source record (``source_kind`` and
    ``source_id``; a finding also sets ``finding_id``): written when the ladder reaches the
    bureau, or a blacklist proposal from a trigger of ``policies/blacklist.yaml`` (a fire major
    hazard left past its deadline, a fraud or rights finding that stands, a refused inspection,
    a serious accident; docs/regulations.md, "Credit records and the blacklist"). Each source
    makes at most one record of each kind (the unique key)."""

    __tablename__ = "credit_record"
    __table_args__ = (
        UniqueConstraint("finding_id", "kind"),
        UniqueConstraint("source_kind", "source_id", "kind", name="uq_credit_record_source"),
        CheckConstraint(
            "(source_kind = 'finding' AND finding_id IS NOT NULL AND source_id = finding_id)"
            " OR (source_kind IN ('accident', 'visit_obstruction', 'penalty', 'annual_report')"
            " AND finding_id IS NULL)", name="one_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"))
    # domain.rectification.blacklist.SOURCE_KINDS; the id of the source row in its table
    source_kind: Mapped[str] = mapped_column(String(24), default="finding")
    source_id: Mapped[int] = mapped_column(Integer, default=_source_id_default)
    # The department whose record is the source (NULL: the bureau's own record).
    department: Mapped[str | None] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(24))      # overdue_rectification | blacklist_proposal
    # The blacklist trigger (policies/blacklist.yaml, its code) and the legal basis it cited
    # when the proposal was made; NULL for a credit record that is not a proposal.
    trigger: Mapped[str | None] = mapped_column(String(32))
    basis: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    # The bureau's decision on a blacklist proposal (NULL: pending, or not a proposal); the
    # machine of decisions is domain.rectification.states.CREDIT_DECISION.
    decision: Mapped[str | None] = mapped_column(String(12))   # confirmed | dismissed
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    institution = relationship("Institution")
    finding = relationship("Finding")
    decided_by = relationship("User")

    @classmethod
    def visible_to(cls, user):
        """The bureau all; a department the records resting on its own records (its findings,
        the accidents and visit outcomes it recorded); institution staff their institution's
        records, of its blacklist proposals only those the bureau confirmed."""
        if user.role == Role.BUREAU_ADMIN:
            return true()
        if user.role == Role.DEPARTMENT_ADMIN:
            return (cls.department == user.department) | cls.finding_id.in_(
                select(Finding.id).where(Finding.department == user.department))
        if user.role == Role.INSTITUTION_STAFF:
            return (cls.institution_id == user.institution_id) & (
                (cls.kind != BLACKLIST_PROPOSAL) | (cls.decision == "confirmed"))
        return cls.id.is_(None)


# CreditRecord.kind
OVERDUE_RECTIFICATION, BLACKLIST_PROPOSAL = "overdue_rectification", "blacklist_proposal"

__all__ = ["Finding", "FindingEvent", "NoticeCounter", "RectificationNotice", "FindingResponse",
           "ResponsePhoto", "Message", "MessageRead", "CreditRecord"]
