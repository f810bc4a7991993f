"""Users (every role) and their revocable log-in sessions."""
from __future__ import annotations

import hashlib
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import UTCDateTime
from ..extensions import db
from .roles import Role


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(24), index=True)
    department: Mapped[str | None] = mapped_column(String(24), index=True)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"), index=True)
    district: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(120))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    is_department_head: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    locale: Mapped[str | None] = mapped_column(String(8))
    # The enforcement certificate (执法证) of an inspector: its number, the authority that
    # issued it and its last valid day (docs/regulations.md, "Enforcement credentials").
    credential_number: Mapped[str | None] = mapped_column(String(40))
    credential_authority: Mapped[str | None] = mapped_column(String(80))
    credential_expires_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    institution = relationship("Institution", foreign_keys=[institution_id])
    conflicts = relationship("ConflictOfInterest", back_populates="user", cascade="all, delete-orphan",
                             order_by="ConflictOfInterest.id")

    # Set when the user is loaded from a live session row (not a column).
    session_token = None  # type: str | None

    def get_id(self) -> str | None:
        """Flask-Login keeps the session token, not the user id, in the cookie, so a copied
        cookie dies with its session row."""
        return self.session_token

    # Flask-Login reads this; a disabled account cannot log in or keep a session.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return bool(self.is_active_account)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, *roles: Role) -> bool:
        return self.role_enum in roles

    @classmethod
    def visible_to(cls, user):
        """Bureau admins see everyone; a department admin the people of their department;
        everyone else only themselves."""
        if user.role == Role.BUREAU_ADMIN:
            return true()
        if user.role == Role.DEPARTMENT_ADMIN:
            return (cls.department == user.department) & cls.role.in_(
                [Role.INSPECTOR.value, Role.DEPARTMENT_ADMIN.value])
        return cls.id == user.id

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class ConflictOfInterest(db.Model):
    """A declared conflict of interest: the inspector must not be sent to this institution."""

    __tablename__ = "inspector_conflict"
    __table_args__ = (UniqueConstraint("user_id", "institution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user = relationship("User", back_populates="conflicts")
    institution = relationship("Institution")


class LoginSession(db.Model):
    """One signed-in browser. The cookie holds only the token; the row holds its validity,
    so logging out, a password change or disabling the account revokes it
    (docs/security.md, "Revocable sessions").
    Only a hash of the token is stored."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user = relationship("User")

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()



class SignInThrottle(db.Model):
    """Failed password checks of one key in its current window (docs/security.md, "Sign-in
    throttling and account takeover"). ``scope`` is ``account`` (key: the user name tried),
    ``device`` (key: ``<user id>:<device id>`` of a browser the account signed in from) or
    ``address`` (key: the client address, an IPv6 address by its /64 network). The window
    starts at the first failure and lasts ``SIGNIN_WINDOW``; ``failures`` counts the password
    checks reserved in it (a success gives its slot back); ``refused`` counts the attempts
    turned away while the key was locked, which neither count nor extend the window."""

    __tablename__ = "signin_throttle"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(80))
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    refused: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
