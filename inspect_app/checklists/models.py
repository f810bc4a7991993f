"""Stored checklist versions: a record keeps the exact version it was filled with."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from ..auth.roles import Role
from ..core.types import UTCDateTime
from ..extensions import db


class ChecklistVersion(db.Model):
    __tablename__ = "checklist_version"
    __table_args__ = (UniqueConstraint("checklist_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[str] = mapped_column(String(40))
    department: Mapped[str] = mapped_column(String(24), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict] = mapped_column(JSON)
    item_count: Mapped[int] = mapped_column(default=0)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def title_en(self) -> str | None:
        return (self.content or {}).get("title_en")

    @classmethod
    def visible_to(cls, user):
        """Inspectors and department admins see their department's checklists; the bureau all."""
        if user.role == Role.BUREAU_ADMIN:
            return true()
        if user.role in (Role.INSPECTOR, Role.DEPARTMENT_ADMIN):
            return cls.department == user.department
        return cls.id.is_(None)
