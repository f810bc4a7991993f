"""Institutions under supervision."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from ..auth.roles import Role
from ..core.types import UTCDateTime
from ..extensions import db


class Institution(db.Model):
    __tablename__ = "institution"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    type: Mapped[str] = mapped_column(String(24), index=True)
    district: Mapped[str] = mapped_column(String(40), index=True)
    street: Mapped[str] = mapped_column(String(60), index=True)
    address: Mapped[str] = mapped_column(String(200))
    beds: Mapped[int] = mapped_column(default=0)
    nursing_beds: Mapped[int] = mapped_column(default=0)
    operator_type: Mapped[str] = mapped_column(String(20))
    medical_integration: Mapped[str] = mapped_column(String(20), default="none")
    ltc_designated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(12), index=True, default="operating")
    filed_on: Mapped[date | None] = mapped_column(Date)
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    EDITABLE = ("name", "credit_code", "type", "district", "street", "address", "beds",
                "nursing_beds", "operator_type", "medical_integration", "ltc_designated",
                "status", "filed_on", "contact_phone")

    @classmethod
    def visible_to(cls, user):
        """Regulators see the whole registry; institution staff only their own institution."""
        if user.role == Role.INSTITUTION_STAFF:
            return cls.id == user.institution_id
        return true()

    def __repr__(self) -> str:
        return f"<Institution {self.id} {self.name}>"
