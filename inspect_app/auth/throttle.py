"""Sign-in throttling (docs/security.md, "Sign-in throttling and account takeover").

Every password check — signing in, and the current password on the account page — first
*reserves* a slot in two counters kept in the database (shared by every worker and host):
the client address's, and the account's, or instead the device's when the browser carries a
valid device cookie for that account (a browser the account signed in from before). Each
counter allows a configured number of password checks in a fixed window that starts at the
first failure; when it is full the key is locked until the window ends. Attempts while locked
are refused without checking the password, only counted in ``refused``: they neither count
as failures nor extend the window.

The reservation is one ``INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING`` per counter,
which the caller commits *before* the password is checked: parallel attempts queue on the
counter's row for that statement only, so exactly the allowed number of checks happen, and
nothing later in the request can undo the count. A success gives the address its slot back
and clears the account's (or device's) counter.

Audit without a flood: a window's first failure and its lock each write one row, per
account and per address; the failures in between and the refused attempts are only counted.
"""
from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, request
from flask_limiter import Limiter
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import case, delete, select, update

from ..core import audit
from ..core.errors import DomainError
from ..core.types import LOCAL_ZONE, utcnow
from ..domain.translatable import N_
from ..extensions import db
from . import policy
from .models import SignInThrottle, User

ACCOUNT, DEVICE, ADDRESS = "account", "device", "address"
_LIMIT_KEYS = {ACCOUNT: "SIGNIN_MAX_FAILURES_PER_ACCOUNT", DEVICE: "SIGNIN_MAX_FAILURES_PER_DEVICE",
               ADDRESS: "SIGNIN_MAX_FAILURES_PER_ADDRESS"}
_DEVICE_SALT = "signin-device"
_DEVICE_USERS = 10          # accounts remembered by one browser (a shared tablet)


class Locked(DomainError):
    """Too many failed password checks for this account (or device) or this address."""

    status = 429

    def __init__(self, scope: str, until: datetime):
        local = until.astimezone(LOCAL_ZONE).strftime("%H:%M")
        if scope == ADDRESS:
            message = N_("Too many failed sign-in attempts from this network. Try again after %(time)s.")
        else:
            message = N_("Too many failed sign-in attempts for this account. Try again after %(time)s, "
                         "or ask the bureau administrator to unlock it.")
        super().__init__(message, time=local)
        self.scope, self.until = scope, until


@dataclass(frozen=True)
class Slot:
    """A reserved password check: the counter it was taken from and its window."""

    scope: str
    key: str
    count: int
    window_started_at: datetime


@dataclass(frozen=True)
class Attempt:
    """An admitted password check for ``username`` (``user`` when the account exists)."""

    username: str
    user: User | None
    address: str
    address_slot: Slot
    account_slot: Slot          # scope ACCOUNT, or DEVICE for a known device
    actor: User | None          # the signed-in user on the account page; None when signing in


@dataclass(frozen=True)
class LockState:
    failures: int
    refused: int
    until: datetime
    locked: bool


def _limit(scope: str) -> int:
    return int(current_app.config[_LIMIT_KEYS[scope]])


def _window() -> timedelta:
    return current_app.config["SIGNIN_WINDOW"]


# ----------------------------------------------------------------------------- the client

def client_address() -> str:
    """The client's address: the one the nearest of ``TRUSTED_PROXIES`` reverse proxies saw,
    else the connection's peer; X-Forwarded-For is read only with trusted proxies configured
    (anything further left was written by the client). IPv6 counts by its /64 network, which
    one subscriber usually holds whole."""
    raw = request.remote_addr or ""
    trusted = int(current_app.config.get("TRUSTED_PROXIES") or 0)
    if trusted > 0:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if len(hops) >= trusted:
            raw = hops[-trusted]
    try:
        ip = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64] or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_DEVICE_SALT)


def _device(cookie: str | None) -> dict | None:
    if not cookie:
        return None
    try:
        data = _serializer().loads(cookie, max_age=int(current_app.config["SIGNIN_DEVICE_LIFETIME"].total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str) or not isinstance(data.get("u"), list):
        return None
    return data


def known_device(cookie: str | None, user: User | None) -> str | None:
    """The device id when ``cookie`` is a valid device cookie naming ``user``."""
    data = _device(cookie)
    if data is None or user is None or user.id not in data["u"]:
        return None
    return data["n"]


def device_cookie(cookie: str | None, user: User) -> str:
    """The device cookie to set after ``user`` signed in: this browser's id (kept, or new)
    and the accounts it knows, most recent first."""
    data = _device(cookie) or {"n": secrets.token_urlsafe(16), "u": []}
    users = [user.id] + [u for u in data["u"] if u != user.id]
    return _serializer().dumps({"n": data["n"], "u": users[:_DEVICE_USERS]})


# ----------------------------------------------------------------------------- counters

def _insert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _reserve(scope: str, key: str, now: datetime) -> Slot | None:
    """Take one password check from the counter, or None when it is full (locked). A window
    that ended, or a counter at zero, starts a new window now."""
    t = SignInThrottle.__table__
    fresh = (t.c.window_started_at <= now - _window()) | (t.c.failures <= 0)
    insert = _insert(db.session.get_bind().dialect.name)
    stmt = insert(t).values(scope=scope, key=key, failures=1, refused=0, window_started_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[t.c.scope, t.c.key],
        set_={"failures": case((fresh, 1), else_=t.c.failures + 1),
              "refused": case((fresh, 0), else_=t.c.refused),
              "window_started_at": case((fresh, now), else_=t.c.window_started_at)},
        where=fresh | (t.c.failures < _limit(scope)),
    ).returning(t.c.failures, t.c.window_started_at)
    row = db.session.execute(stmt).first()
    return Slot(scope, key, row.failures, row.window_started_at) if row else None


def _refuse(scope: str, key: str) -> Locked:
    """Count an attempt turned away by a full counter; the Locked error to raise."""
    t = SignInThrottle.__table__
    row = db.session.execute(update(t).where(t.c.scope == scope, t.c.key == key)
                             .values(refused=t.c.refused + 1).returning(t.c.window_started_at)).first()
    return Locked(scope, (row.window_started_at if row else utcnow()) + _window())


def _give_back(slot: Slot) -> None:
    t = SignInThrottle.__table__
    db.session.execute(update(t).where(
        t.c.scope == slot.scope, t.c.key == slot.key, t.c.window_started_at == slot.window_started_at,
        t.c.failures > 0).values(failures=t.c.failures - 1))


def _prune(now: datetime) -> None:
    """Delete a batch of counters whose window ended (rows another request holds are left)."""
    t = SignInThrottle.__table__
    ended = (select(t.c.id).where(t.c.window_started_at <= now - _window()).limit(100)
             .with_for_update(skip_locked=True))
    db.session.execute(delete(t).where(t.c.id.in_(ended)))


# ----------------------------------------------------------------------------- the flow

def admit(username: str, device: str | None, actor: User | None = None) -> Attempt:
    """Reserve a password check for ``username`` from this client, or raise :class:`Locked`.
    The caller commits before checking the password (see the module's docstring)."""
    username = (username or "").strip()[:60]
    now = utcnow()
    address = client_address()
    user = db.session.scalar(select(User).where(User.username == username))
    address_slot = _reserve(ADDRESS, address, now)
    if address_slot is None:
        raise _refuse(ADDRESS, address)
    device_id = known_device(device, user)
    scope, key = (DEVICE, f"{user.id}:{device_id}") if device_id else (ACCOUNT, username)
    account_slot = _reserve(scope, key, now)
    if account_slot is None:
        _give_back(address_slot)
        raise _refuse(scope, key)
    if account_slot.count == 1:
        _prune(now)
    return Attempt(username, user, address, address_slot, account_slot, actor)


def succeeded(attempt: Attempt) -> None:
    """The password was right: the address gets its slot back, the account's (or device's)
    counter starts afresh. (A lock set by others on the account stays when this success came
    through a known device.)"""
    t = SignInThrottle.__table__
    _give_back(attempt.address_slot)
    slot = attempt.account_slot
    db.session.execute(delete(t).where(t.c.scope == slot.scope, t.c.key == slot.key))


def failed(attempt: Attempt, where: str) -> None:
    """The password was wrong (or the account unknown or disabled): the slot stays taken. The
    window's first failure and the failure that fills it are audited, per account and per
    address; the others are only counted."""
    user, slot = attempt.user, attempt.account_slot
    until = (slot.window_started_at + _window()).isoformat()
    if user is not None:
        facts = {"address": attempt.address, "where": where, "known_device": slot.scope == DEVICE}
        if slot.count == 1:
            audit.record(attempt.actor, "login_failed", "user_account", user.id, after=facts,
                         reason="first failed password check in this window; later ones are counted")
        if slot.count >= _limit(slot.scope):
            audit.record(attempt.actor, "login_locked", "user_account", user.id,
                         after={**facts, "failures": slot.count, "until": until})
    address_slot = attempt.address_slot
    if address_slot.count == 1:
        audit.record(attempt.actor, "login_failed", "client_address", attempt.address,
                     after={"account": user.id if user else None, "where": where},
                     reason="first failed password check from this address in this window")
    if address_slot.count >= _limit(ADDRESS):
        audit.record(attempt.actor, "login_locked", "client_address", attempt.address,
                     after={"failures": address_slot.count,
                            "until": (address_slot.window_started_at + _window()).isoformat()})


# ----------------------------------------------------------------------------- the bureau

def lock_state(user: User) -> LockState | None:
    """The account's counter in its current window, if any failures are counted."""
    row = db.session.scalar(select(SignInThrottle).where(
        SignInThrottle.scope == ACCOUNT, SignInThrottle.key == user.username))
    if row is None or row.failures <= 0:
        return None
    until = row.window_started_at + _window()
    if until <= utcnow():
        return None
    return LockState(row.failures, row.refused, until, row.failures >= _limit(ACCOUNT))


def unlock(actor, user_id: int) -> bool:
    """The bureau releases an account's sign-in lock (and those of its known devices); audited
    with the counts it cleared. False when nothing was counted."""
    policy.require(actor, "users.unlock")
    user = policy.get_visible(User, user_id, actor)
    t = SignInThrottle.__table__
    mine = ((t.c.scope == ACCOUNT) & (t.c.key == user.username)) | (
        (t.c.scope == DEVICE) & t.c.key.startswith(f"{user.id}:", autoescape=True))
    rows = db.session.execute(select(t.c.scope, t.c.failures, t.c.refused, t.c.window_started_at)
                              .where(mine)).all()
    if not rows:
        return False
    db.session.execute(delete(t).where(mine))
    account = next((r for r in rows if r.scope == ACCOUNT), None)
    audit.record(actor, "unlock", "user_account", user.id, before={
        "failures": account.failures if account else 0, "refused": account.refused if account else 0,
        "window_started_at": account.window_started_at.isoformat() if account else None,
        "devices": sum(1 for r in rows if r.scope == DEVICE)})
    return True


# Request rate limits (Flask-Limiter), counted per client address as above in
# ``RATELIMIT_STORAGE_URI``: one limiter for the read-only API (``API_RATE_LIMIT``) and the
# public complaint form (``COMPLAINT_FORM_RATE_LIMIT``, ``COMPLAINT_LOOKUP_RATE_LIMIT``); each
# blueprint declares its own limit, and create_app binds the limiter once.
limiter = Limiter(key_func=client_address, default_limits=[])
