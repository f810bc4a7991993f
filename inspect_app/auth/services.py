"""Accounts: password hashing, checking a password (after the throttle admitted the attempt,
:mod:`.throttle`), signing in and out, revocable sessions."""
from __future__ import annotations

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Invalid
from ..core.types import utcnow
from ..extensions import db
from . import throttle
from .models import LoginSession, User
from .throttle import Attempt

SEEN_RESOLUTION = timedelta(minutes=5)
MIN_PASSWORD = 10

# A hash of a random password: verifying against it makes an unknown user cost as much
# time as a known one (no user enumeration by timing).
_DUMMY_HASH: str | None = None


def hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_KIB"],
                          parallelism=cfg["ARGON2_PARALLELISM"])


def hash_password(password: str) -> str:
    return hasher().hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid("The password must have at least %(n)d characters.", n=MIN_PASSWORD)


def check_password(attempt: Attempt, password: str, where: str = "sign-in") -> User | None:
    """Check the password of an attempt :func:`throttle.admit` let through (and the caller
    committed). The user when the password is right and the account active; otherwise None,
    the failure counted and audited as the throttle decides."""
    global _DUMMY_HASH
    ph = hasher()
    user = attempt.user
    ok = False
    try:
        if user is None:
            # An unknown name costs as much time as a known one (no enumeration by timing).
            _DUMMY_HASH = _DUMMY_HASH or ph.hash(secrets.token_hex(8))
            ph.verify(_DUMMY_HASH, password)
        else:
            ok = ph.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.is_active:
        throttle.failed(attempt, where)
        return None
    throttle.succeeded(attempt)
    if ph.check_needs_rehash(user.password_hash):
        user.password_hash = ph.hash(password)
    return user


def start_session(user: User, user_agent: str | None = None) -> str:
    """Create a revocable session row; returns the token to keep in the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(LoginSession(token_hash=LoginSession.hash_token(token), user_id=user.id,
                                created_at=now, last_seen_at=now,
                                user_agent=(user_agent or "")[:200]))
    audit.record(user, "login", "user_account", user.id)
    user.session_token = token
    return token


def load_session_user(token: str) -> User | None:
    """The user of a live session token, or None (revoked, idle too long, account disabled)."""
    if not token:
        return None
    found = db.session.execute(select(LoginSession, User).join(User, User.id == LoginSession.user_id).where(
        LoginSession.token_hash == LoginSession.hash_token(token), LoginSession.revoked_at.is_(None))).first()
    if found is None:
        return None
    row, user = found                      # one query for the session and its user
    now = utcnow()
    if now - row.last_seen_at > current_app.config["LOGIN_SESSION_IDLE"]:
        return None
    if not user.is_active:
        return None
    if now - row.last_seen_at > SEEN_RESOLUTION:
        db.session.info[_SEEN] = (row.id, now)
    user.session_token = token
    return user


# The time a session was last seen is written with the request's own changes, when it commits
# (as before: a request that commits nothing does not keep it). Loading the user only reads,
# so it never takes SQLite's write lock (docs/architecture.md, "SQLite").
_SEEN = "login_session_seen"


@event.listens_for(Session, "before_commit")
def _note_seen(session: Session) -> None:
    seen = session.info.pop(_SEEN, None)
    if seen is not None:
        session_id, now = seen
        session.execute(update(LoginSession).where(LoginSession.id == session_id,
                                                   LoginSession.last_seen_at < now)
                        .values(last_seen_at=now).execution_options(synchronize_session=False))


def end_session(user: User) -> None:
    token = getattr(user, "session_token", None)
    if token:
        db.session.execute(update(LoginSession).where(
            LoginSession.token_hash == LoginSession.hash_token(token)).values(revoked_at=utcnow()))
    audit.record(user, "logout", "user_account", user.id)


def revoke_all_sessions(user: User) -> None:
    db.session.execute(update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)).values(revoked_at=utcnow()))


def change_password(attempt: Attempt, user: User, current: str, new: str) -> None:
    """The signed-in ``user`` changes their password, giving the current one; ``attempt`` is
    the throttle's admission of that check (the account page counts like signing in)."""
    if attempt.user is None or attempt.user.id != user.id or check_password(attempt, current, "account page") is None:
        raise Invalid("The current password is not right.")
    check_password_strength(new)
    user.password_hash = hash_password(new)
    revoke_all_sessions(user)
    audit.record(user, "password_changed", "user_account", user.id)
