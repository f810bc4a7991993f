"""PostgreSQL lock timeouts at the web edge (core/database.py, docs/operations.md): a request
whose statement waits longer than POSTGRES_LOCK_TIMEOUT for a row another transaction holds
is rolled back whole and answered 503 with Retry-After, like SQLite's busy lock."""
from __future__ import annotations

import os
import time

import pytest

from inspect_app.core.database import is_busy

POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgresql")


class _DriverError(Exception):
    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


class _Wrapped(Exception):
    def __init__(self, orig):
        super().__init__(str(orig))
        self.orig = orig


@pytest.mark.parametrize("sqlstate, busy", [
    ("55P03", True),     # lock_not_available: lock_timeout ran out
    ("40P01", True),     # deadlock_detected
    ("40001", True),     # serialization_failure
    ("23505", False),    # unique_violation: a real conflict, not a busy database
    ("57014", False),    # query_canceled (statement_timeout): the work itself was too long
    (None, False),
])
def test_which_postgresql_errors_mean_busy(sqlstate, busy):
    assert is_busy(_Wrapped(_DriverError(sqlstate))) is busy


def test_the_lock_timeout_is_set_on_postgresql_connections_only():
    from flask import Flask
    from inspect_app.core.database import configure_engine
    for uri, timeout, expected in [
        ("postgresql+psycopg://h/db", 0.25, "-c lock_timeout=250"),
        ("postgresql+psycopg://h/db", None, None),
        ("sqlite:///x.db", 0.25, None),
    ]:
        app = Flask(__name__)
        app.config.update(SQLALCHEMY_DATABASE_URI=uri, POSTGRES_LOCK_TIMEOUT=timeout)
        configure_engine(app)
        assert app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {}).get("options") == expected


def test_the_worker_waits_for_its_rows():
    source = open(os.path.join(os.path.dirname(__file__), "..", "..", "tasks", "worker.py"), encoding="utf-8").read()
    assert 'create_app({"POSTGRES_LOCK_TIMEOUT": None})' in source


@pytest.mark.skipif(not POSTGRES, reason="row locks and lock_timeout are PostgreSQL's")
def test_a_sign_in_that_waits_too_long_for_a_row_is_503_and_counts_nothing(app, tmp_path):
    del app                      # the suite's app fixture has migrated the database
    import psycopg
    from sqlalchemy import delete, select
    from sqlalchemy.engine import make_url

    from inspect_app import create_app
    from inspect_app.auth.models import SignInThrottle
    from inspect_app.extensions import db

    url = os.environ["DATABASE_URL"]
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "POSTGRES_LOCK_TIMEOUT": 0.3,
                      "BUSY_RETRY_AFTER": 4, "AUDIT_HMAC_KEY": "test-audit-key-0123456789abcdef",
                      "UPLOAD_DIR": str(tmp_path), "SESSION_COOKIE_SECURE": False,
                      "WTF_CSRF_ENABLED": False})
    username = "lock-timeout-probe"
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as setup:
        setup.execute("INSERT INTO signin_throttle (scope, key, failures, refused, window_started_at) "
                      "VALUES ('account', %s, 0, 0, now())", (username,))
    try:
        with psycopg.connect(plain) as holder:          # another transaction holds the row
            holder.execute("SELECT 1 FROM signin_throttle WHERE scope = 'account' AND key = %s FOR UPDATE",
                           (username,))
            began = time.monotonic()
            response = app.test_client().post("/login", data={"username": username, "password": "x" * 12},
                                              headers={"Accept-Language": "zh"})
            elapsed = time.monotonic() - began
            holder.rollback()
        assert response.status_code == 503, response.get_data(as_text=True)[:300]
        assert response.headers["Retry-After"] == "4"
        assert "繁忙" in response.get_data(as_text=True)
        assert elapsed < 3
        with app.app_context():                          # the attempt was not counted
            counted = db.session.scalars(select(SignInThrottle.failures).where(
                SignInThrottle.scope == "account", SignInThrottle.key == username)).all()
            assert counted == [0]
    finally:
        with app.app_context():
            db.session.execute(delete(SignInThrottle).where(SignInThrottle.key == username))
            db.session.commit()
            db.engine.dispose()
