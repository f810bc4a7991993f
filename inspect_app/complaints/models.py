"""A complaint case and its history.

The complainant's name and telephone number are personal data: they are shown only to those
who handle the case (:func:`handles`), never on public pages, in exports, to the institution
or in the institution file of another viewer. An anonymous case has none. The lookup token
and the public form's one-time key are kept only as SHA-256 digests.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.roles import Role
from ..core.types import UTCDateTime
from ..domain.complaints import RECEIVED
from ..extensions import db


class ComplaintCase(db.Model):
    __tablename__ = "complaint_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    lookup_digest: Mapped[str | None] = mapped_column(String(64))
    submission_digest: Mapped[str | None] = mapped_column(String(64), unique=True)   # the public form's key
    channel: Mapped[str] = mapped_column(String(16))             # domain.complaints.CHANNELS
    kind: Mapped[str] = mapped_column(String(12))                # domain.complaints.KINDS
    category: Mapped[str] = mapped_column(String(24))            # the policy's routing keys
    department: Mapped[str] = mapped_column(String(24), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    summary: Mapped[str] = mapped_column(String(200))
    details: Mapped[str | None] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    complainant_name: Mapped[str | None] = mapped_column(String(80))
    complainant_phone: Mapped[str | None] = mapped_column(String(24))
    state: Mapped[str] = mapped_column(String(12), default=RECEIVED, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_on: Mapped[date] = mapped_column(Date)
    acceptance_due: Mapped[date] = mapped_column(Date)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closure_due: Mapped[date | None] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    decline_reason: Mapped[str | None] = mapped_column(Text)
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    substantiated: Mapped[bool | None] = mapped_column(Boolean)
    follow_up_due: Mapped[date | None] = mapped_column(Date)
    satisfaction: Mapped[str | None] = mapped_column(String(16))
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    acceptance_overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closure_overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"))
    policy_version: Mapped[str] = mapped_column(String(40))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    institution = relationship("Institution")
    visit = relationship("Visit")
    events = relationship("ComplaintEvent", back_populates="case", order_by="ComplaintEvent.id",
                          cascade="all, delete-orphan")

    @classmethod
    def visible_to(cls, user):
        """Those who handle cases: the bureau every case, a department admin the cases routed
        to their department. Nobody else opens a case."""
        if user.role == Role.BUREAU_ADMIN:
            return true()
        if user.role == Role.DEPARTMENT_ADMIN:
            return cls.department == user.department
        return cls.id.is_(None)


def handles(user, case: ComplaintCase) -> bool:
    """Whether ``user`` handles ``case`` (and so may see the complainant's personal data)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.BUREAU_ADMIN.value:
        return True
    return user.role == Role.DEPARTMENT_ADMIN.value and user.department == case.department


class ComplaintEvent(db.Model):
    """One line of a case's history: a row of the machine (``domain.complaints.CASE``)."""

    __tablename__ = "complaint_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("complaint_case.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    event: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict | None] = mapped_column(JSON)

    case = relationship("ComplaintCase", back_populates="events")
    actor = relationship("User")
