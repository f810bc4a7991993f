"""The register of care-medical agreements, their scanned pages, expiry reminders, doctors'
rounds, and long-term-care-insurance designations."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, select, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.roles import Role
from ..core.types import UTCDateTime
from ..extensions import db
from ..inspections.models import Inspection, InspectionInspector, Visit

#: Departments whose administrators see the whole register (民政 keeps it, 卫健 supervises the
#: medical partners) and the whole list of 长护险 designations (民政, 医保 which designates).
AGREEMENT_DEPARTMENTS = ("civil_affairs", "health")
LTC_DEPARTMENTS = ("civil_affairs", "medical_insurance")


def _visited_by(user):
    """Institutions where the inspector is on the team of a visit."""
    return (select(Visit.institution_id).join(Inspection, Inspection.visit_id == Visit.id)
            .join(InspectionInspector, InspectionInspector.inspection_id == Inspection.id)
            .where(InspectionInspector.user_id == user.id))


class MedicalAgreement(db.Model):
    """One agreement between an institution and a medical unit (医养签约协议)."""

    __tablename__ = "medical_agreement"
    # One agreement per institution, partner and start: a form sent twice is refused, not doubled.
    __table_args__ = (UniqueConstraint("institution_id", "partner_licence", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    partner_name: Mapped[str] = mapped_column(String(120))
    partner_licence: Mapped[str] = mapped_column(String(22))           # 医疗机构执业许可证登记号
    number: Mapped[str | None] = mapped_column(String(60))             # the agreement's own number
    signed_on: Mapped[date | None] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    services: Mapped[list] = mapped_column(JSON)                       # domain.agreements.SERVICES
    visit_count: Mapped[int] = mapped_column(Integer)                  # rounds agreed per period
    visit_period: Mapped[str] = mapped_column(String(8))               # week | month
    green_channel: Mapped[bool] = mapped_column(Boolean, default=False)
    green_channel_contact: Mapped[str | None] = mapped_column(String(120))
    doctor_name: Mapped[str | None] = mapped_column(String(80))
    # The last expiry reminder made for the current end date (0 none; see domain.agreements).
    reminder_step: Mapped[int] = mapped_column(Integer, default=0, server_default="0", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    institution = relationship("Institution")
    pages = relationship("AgreementPage", order_by="AgreementPage.position", cascade="all, delete-orphan")

    @classmethod
    def visible_to(cls, user):
        """The bureau and the civil-affairs and health departments see the whole register;
        institution staff their own institution's agreements; an inspector those of an
        institution whose visit they are on the team of."""
        if user.role == Role.BUREAU_ADMIN:
            return true()
        if user.role == Role.DEPARTMENT_ADMIN and user.department in AGREEMENT_DEPARTMENTS:
            return true()
        if user.role == Role.INSTITUTION_STAFF:
            return cls.institution_id == user.institution_id
        if user.role == Role.INSPECTOR:
            return cls.institution_id.in_(_visited_by(user))
        return cls.id.is_(None)


class AgreementPage(db.Model):
    """A scanned page of the agreement (a stored, re-encoded image)."""

    __tablename__ = "agreement_page"
    __table_args__ = (UniqueConstraint("agreement_id", "file_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("medical_agreement.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    position: Mapped[int] = mapped_column(Integer)

    file = relationship("StoredFile")


class AgreementReminder(db.Model):
    """An expiry reminder: one per agreement, step and end date (the unique key keeps a second
    sweep from making another)."""

    __tablename__ = "agreement_reminder"
    __table_args__ = (UniqueConstraint("agreement_id", "step", "ends_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("medical_agreement.id", ondelete="CASCADE"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    days_before: Mapped[int | None] = mapped_column(Integer)           # None: expired
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    agreement = relationship("MedicalAgreement")


class DoctorRound(db.Model):
    """A doctor's round at the institution (巡诊), entered by the institution."""

    __tablename__ = "doctor_round"
    __table_args__ = (UniqueConstraint("agreement_id", "held_on", "doctor_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("medical_agreement.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    doctor_name: Mapped[str] = mapped_column(String(80))
    residents_seen: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LtcDesignation(db.Model):
    """A long-term-care-insurance designation (长护险定点) of an institution, with its term."""

    __tablename__ = "ltc_designation"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    agency: Mapped[str] = mapped_column(String(120))                   # insurer or handling agency
    agreement_number: Mapped[str | None] = mapped_column(String(60))
    designated_from: Mapped[date] = mapped_column(Date)
    designated_to: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    institution = relationship("Institution")

    @classmethod
    def visible_to(cls, user):
        """The bureau and the civil-affairs and medical-insurance departments see every
        designation; institution staff their own."""
        if user.role == Role.BUREAU_ADMIN:
            return true()
        if user.role == Role.DEPARTMENT_ADMIN and user.department in LTC_DEPARTMENTS:
            return true()
        if user.role == Role.INSTITUTION_STAFF:
            return cls.institution_id == user.institution_id
        return cls.id.is_(None)
