"""Sign-in throttling (docs/security.md, "Sign-in throttling and account takeover"): per
account and per client address, a fixed window that failures while locked do not extend, the
right password from a known device gets through an account lock, the bureau can unlock, the
account page counts wrong current passwords too, and failures are audited without a flood."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from argon2 import PasswordHasher
from sqlalchemy import func, select

from inspect_app.core.audit import AuditEvent
from tests.conftest import DEMO_PASSWORD, Browser

WRONG = "not-the-password"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def limits(app, monkeypatch):
    """The numbers these tests assume (the shipped defaults, except a smaller address limit)."""
    for key, value in {"SIGNIN_MAX_FAILURES_PER_ACCOUNT": 10, "SIGNIN_MAX_FAILURES_PER_DEVICE": 10,
                       "SIGNIN_MAX_FAILURES_PER_ADDRESS": 20, "SIGNIN_WINDOW": timedelta(minutes=15),
                       "TRUSTED_PROXIES": 0}.items():
        monkeypatch.setitem(app.config, key, value)
    return app.config


@pytest.fixture
def checks(monkeypatch):
    """Counts the password checks (argon2 verifications) made."""
    counter = {"n": 0}
    lock = threading.Lock()
    original = PasswordHasher.verify

    def counting(self, hash, password):
        with lock:
            counter["n"] += 1
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return counter


class Visitor(Browser):
    """A browser at one client address that keeps its CSRF token."""

    def __init__(self, app, address="198.51.100.7", forwarded=None):
        super().__init__(app.test_client())
        self.address, self.forwarded = address, forwarded
        self._token = None

    def sign_in(self, username, password, forwarded=None):
        self._token = self._token or self.token("/login")
        headers = {}
        if forwarded or self.forwarded:
            headers["X-Forwarded-For"] = forwarded or self.forwarded
        response = self._fresh("post", "/login", data={"username": username, "password": password,
                                                       "csrf_token": self._token},
                               environ_base={"REMOTE_ADDR": self.address}, headers=headers)
        if response.status_code == 302:
            self._token = None                        # a new session: the next page has a new token
        return response

    def sign_out(self):
        assert self.post("/logout").status_code == 302
        self._token = None


def _failures(visitor, username, n):
    for _ in range(n):
        assert visitor.sign_in(username, WRONG).status_code == 200


def _audit_rows(db, *actions):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(actions))
                              .order_by(AuditEvent.id)).all()


def test_failures_while_locked_do_not_extend_the_lock(app, db, make, limits):
    """One wrong attempt every 90 s used to keep the account locked for ever."""
    user = make.user("bureau_admin", username="bureau_x")
    attacker = Visitor(app, "203.0.113.5")
    with time_machine.travel(T0, tick=False) as clock:
        _failures(attacker, user.username, 10)
        for _ in range(9):                                   # 13.5 minutes of knocking
            clock.shift(timedelta(seconds=90))
            assert attacker.sign_in(user.username, WRONG).status_code == 429
        clock.move_to(T0 + timedelta(minutes=15, seconds=1))
        owner = Visitor(app, "198.51.100.9")
        assert owner.sign_in(user.username, DEMO_PASSWORD).status_code == 302


def test_a_locked_account_checks_no_password(app, db, make, limits, checks):
    user = make.user("inspector")
    attacker = Visitor(app)
    _failures(attacker, user.username, 10)
    assert checks["n"] == 10
    for _ in range(5):
        response = attacker.sign_in(user.username, DEMO_PASSWORD)
        assert response.status_code == 429
        assert "登录尝试次数过多" in response.get_data(as_text=True)
    assert checks["n"] == 10


def test_an_unknown_name_locks_like_a_real_one(app, db, limits):
    visitor = Visitor(app)
    _failures(visitor, "nobody-here", 10)
    assert visitor.sign_in("nobody-here", WRONG).status_code == 429


def test_the_right_password_from_a_known_device_gets_through_an_account_lock(app, db, make, limits):
    user = make.user("bureau_admin")
    device = Visitor(app, "198.51.100.20")
    assert device.sign_in(user.username, DEMO_PASSWORD).status_code == 302
    assert device.client.get_cookie(app.config["SIGNIN_DEVICE_COOKIE"]) is not None
    device.sign_out()
    attacker = Visitor(app, "203.0.113.5")
    _failures(attacker, user.username, 10)
    assert attacker.sign_in(user.username, DEMO_PASSWORD).status_code == 429
    stranger = Visitor(app, "198.51.100.20")                 # same address, no device cookie
    assert stranger.sign_in(user.username, DEMO_PASSWORD).status_code == 429
    assert device.sign_in(user.username, DEMO_PASSWORD).status_code == 302


def test_a_known_device_has_its_own_limit(app, db, make, limits):
    user = make.user("inspector")
    device = Visitor(app)
    assert device.sign_in(user.username, DEMO_PASSWORD).status_code == 302
    device.sign_out()
    _failures(Visitor(app, "203.0.113.5"), user.username, 10)      # the account is locked
    _failures(device, user.username, 10)                            # and now the device too
    assert device.sign_in(user.username, DEMO_PASSWORD).status_code == 429


def test_a_device_cookie_helps_only_its_own_user_and_cannot_be_forged(app, db, make, limits):
    owner, victim = make.user("inspector"), make.user("bureau_admin")
    device = Visitor(app)
    assert device.sign_in(owner.username, DEMO_PASSWORD).status_code == 302
    device.sign_out()
    _failures(Visitor(app, "203.0.113.5"), victim.username, 10)
    assert device.sign_in(victim.username, DEMO_PASSWORD).status_code == 429
    forger = Visitor(app)
    forger.client.set_cookie(app.config["SIGNIN_DEVICE_COOKIE"], "eyJuIjoiYWJjIiwidSI6WzJdfQ.forged")
    assert forger.sign_in(victim.username, DEMO_PASSWORD).status_code == 429


def test_one_address_is_throttled_across_accounts(app, db, make, limits):
    user = make.user("inspector")
    sprayer = Visitor(app, "203.0.113.5")
    for i in range(20):
        assert sprayer.sign_in(f"guess{i}", WRONG).status_code == 200
    response = sprayer.sign_in(user.username, DEMO_PASSWORD)
    assert response.status_code == 429
    assert Visitor(app, "198.51.100.9").sign_in(user.username, DEMO_PASSWORD).status_code == 302


def test_ipv6_addresses_are_throttled_by_their_64_bit_network(app, db, make, limits):
    user = make.user("inspector")
    for i in range(20):
        assert Visitor(app, f"2001:db8:5:7::{i + 1:x}").sign_in(f"guess{i}", WRONG).status_code == 200
    assert Visitor(app, "2001:db8:5:7::abcd").sign_in(user.username, DEMO_PASSWORD).status_code == 429
    assert Visitor(app, "2001:db8:5:8::1").sign_in(user.username, DEMO_PASSWORD).status_code == 302


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(app, db, make, limits):
    user = make.user("inspector")
    sprayer = Visitor(app, "203.0.113.5")
    for i in range(20):
        assert sprayer.sign_in(f"guess{i}", WRONG, forwarded=f"192.0.2.{i + 1}").status_code == 200
    assert sprayer.sign_in(user.username, DEMO_PASSWORD, forwarded="192.0.2.200").status_code == 429


def test_behind_one_trusted_proxy_the_address_it_saw_counts(app, db, make, limits, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    user = make.user("inspector")
    proxy = Visitor(app, "10.0.0.2")
    for i in range(20):
        # The client claims another address in front; the proxy appends the one it saw.
        assert proxy.sign_in(f"guess{i}", WRONG, forwarded=f"192.0.2.{i + 1}, 203.0.113.5").status_code == 200
    assert proxy.sign_in(user.username, DEMO_PASSWORD, forwarded="203.0.113.5").status_code == 429
    assert proxy.sign_in(user.username, DEMO_PASSWORD, forwarded="203.0.113.5, 198.51.100.9").status_code == 302


def test_failed_sign_ins_are_audited_without_a_flood(app, db, make, limits):
    user = make.user("inspector")
    attacker = Visitor(app, "203.0.113.5")
    _failures(attacker, user.username, 10)
    for _ in range(40):
        attacker.sign_in(user.username, WRONG)
    rows = _audit_rows(db, "login_failed", "login_locked")
    assert len(rows) == 3              # the account's first failure and lock, the address's first
    account_rows = [r for r in rows if r.entity == "user_account" and r.entity_id == str(user.id)]
    assert [r.action for r in account_rows] == ["login_failed", "login_locked"]
    assert account_rows[0].after["address"] == "203.0.113.5"
    assert account_rows[1].after["failures"] == 10


def test_the_account_page_throttles_wrong_current_passwords(app, db, make, login, limits, checks):
    user = make.user("inspector")
    browser = login(user)
    before = checks["n"]
    body = {"new": "a-new-long-password", "confirm": "a-new-long-password"}
    for _ in range(10):
        response = browser.post("/account", {**body, "current": WRONG}, token_from="/account")
        assert response.status_code == 200
    response = browser.post("/account", {**body, "current": DEMO_PASSWORD}, token_from="/account")
    assert response.status_code == 429
    assert checks["n"] - before == 10
    db.session.expire_all()
    assert db.session.get(type(user), user.id).password_hash == make._hash
    rows = [r for r in _audit_rows(db, "login_failed", "login_locked") if r.entity_id == str(user.id)]
    assert [r.action for r in rows] == ["login_failed", "login_locked"]


def test_the_bureau_unlocks_an_account_and_it_is_audited(app, db, make, login, limits):
    user = make.user("inspector", department="fire")
    bureau = make.user("bureau_admin")
    attacker = Visitor(app, "203.0.113.5")
    _failures(attacker, user.username, 10)
    admin = login(bureau)
    page = admin.get(f"/people/{user.id}").get_data(as_text=True)
    assert f"/people/{user.id}/unlock" in page
    assert admin.post(f"/people/{user.id}/unlock", token_from=f"/people/{user.id}").status_code == 302
    [row] = _audit_rows(db, "unlock")
    assert row.actor_id == bureau.id and row.entity_id == str(user.id) and row.before["failures"] == 10
    assert Visitor(app, "198.51.100.9").sign_in(user.username, DEMO_PASSWORD).status_code == 302


def test_a_department_admin_cannot_unlock(app, db, make, login, limits):
    user = make.user("inspector", department="fire")
    _failures(Visitor(app, "203.0.113.5"), user.username, 10)
    admin = login(make.user("department_admin", department="fire"))
    assert f"/people/{user.id}/unlock" not in admin.get(f"/people/{user.id}").get_data(as_text=True)
    assert admin.post(f"/people/{user.id}/unlock", token_from=f"/people/{user.id}").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "unlock")) == 0
