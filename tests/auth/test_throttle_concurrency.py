"""Parallel sign-in attempts on PostgreSQL (set DATABASE_URL): real requests in threads, each
in its own transaction, so this test commits and cleans up after itself."""
from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from tests.conftest import Browser

pytestmark = pytest.mark.skipif(not (os.environ.get("DATABASE_URL") or "").startswith("postgres"),
                                reason="concurrency is tested on PostgreSQL (set DATABASE_URL)")

PARALLEL = 30
MAXIMUM = 10


@pytest.fixture
def committed(app):
    """Rows committed for real; every row added by the test is deleted afterwards."""
    from inspect_app.extensions import db
    with app.app_context():
        tables = [t for t in db.metadata.sorted_tables if "id" in t.c]
        before = {t.name: db.session.scalar(select(func.coalesce(func.max(t.c.id), 0))) for t in tables}
        db.session.commit()
    yield
    with app.app_context():
        for t in reversed(tables):
            db.session.execute(t.delete().where(t.c.id > before[t.name]))
        db.session.commit()


def test_thirty_parallel_wrong_passwords_make_exactly_the_maximum_of_checks(app, committed, monkeypatch):
    from inspect_app.extensions import db
    from tests.factories import Factory
    for key, value in {"SIGNIN_MAX_FAILURES_PER_ACCOUNT": MAXIMUM, "SIGNIN_MAX_FAILURES_PER_ADDRESS": 50,
                       "SIGNIN_WINDOW": timedelta(minutes=15), "TRUSTED_PROXIES": 0}.items():
        monkeypatch.setitem(app.config, key, value)
    with app.app_context():
        username = Factory(db, "correct-horse-battery").user("bureau_admin").username
        db.session.commit()

    checks, lock = [0], threading.Lock()
    original = PasswordHasher.verify

    def counting(self, hash, password):
        with lock:
            checks[0] += 1
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    browsers = [Browser(app.test_client()) for _ in range(PARALLEL)]
    tokens = [b.token("/login") for b in browsers]
    barrier, statuses = threading.Barrier(PARALLEL), []

    def attempt(browser, token):
        barrier.wait()
        response = browser._fresh("post", "/login", data={
            "username": username, "password": "wrong-password", "csrf_token": token})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(browsers, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(statuses) == PARALLEL
    assert checks[0] == MAXIMUM
    assert sorted(statuses) == [200] * MAXIMUM + [429] * (PARALLEL - MAXIMUM)
