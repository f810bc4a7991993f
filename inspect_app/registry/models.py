"""Institutions under supervision."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, String, false, text, true
from sqlalchemy.orm import Mapped, mapped_column

from ..auth.roles import Role
from ..core.types import UTCDateTime
from ..extensions import db


class Institution(db.Model):
    __tablename__ = "institution"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    # The organisation's unified social credit code; a home-care bed carries its provider's
    # (unique among the other types, see __table_args__) and is told apart by bed_code.
    credit_code: Mapped[str] = mapped_column(String(18))
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
    # Home-care beds only (domain.institution.HOME_CARE_BED): no name or ID of the person
    bed_code: Mapped[str | None] = mapped_column(String(24), unique=True)
    care_level: Mapped[str | None] = mapped_column(String(2))         # domain.institution.CARE_LEVELS
    assessed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("uq_institution_credit_code", "credit_code", unique=True,
              sqlite_where=text("type <> 'home_care_bed'"), postgresql_where=text("type <> 'home_care_bed'")),
    )

    EDITABLE = ("name", "credit_code", "type", "district", "street", "address", "beds",
                "nursing_beds", "operator_type", "medical_integration", "ltc_designated",
                "status", "filed_on", "contact_phone", "bed_code", "care_level", "assessed_on")

    @property
    def register_code(self) -> str:
        """The code that names this target in lists and draws: the credit code, or a home-care
        bed's own bed number (its credit code is its provider's)."""
        return self.bed_code or self.credit_code

    @classmethod
    def visible_to(cls, user):
        """Regulators see the whole registry; institution staff only their own institution."""
        if user.role == Role.INSTITUTION_STAFF:
            return cls.id == user.institution_id
        return true()

    def __repr__(self) -> str:
        return f"<Institution {self.id} {self.name}>"
