"""Fixtures: one app per test session on SQLite (default) or PostgreSQL (DATABASE_URL),
schema built by the real migrations, and each test isolated in a rolled-back transaction
(SQLAlchemy's "join a session into an external transaction" recipe)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.factories import Factory

# Property tests run the same examples on every machine and never fail on timing: a loaded
# 2-core CI machine is slow, not wrong.
settings.register_profile("careinspect", derandomize=True, database=None, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("careinspect")

DEMO_PASSWORD = "correct-horse-battery"


def _database_url(tmp: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    return url or f"sqlite:///{tmp / 'test.db'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("instance")
    os.environ["CAREINSPECT_INSTANCE"] = str(tmp)
    from inspect_app import create_app
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp),
        "AUDIT_HMAC_KEY": "test-audit-key-0123456789abcdef",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "ARGON2_MEMORY_KIB": 1024, "ARGON2_TIME_COST": 1,   # fast hashing in tests only
        "UPLOAD_DIR": str(tmp / "uploads"),
        "SERVER_NAME": "localhost",
        "API_RATE_LIMIT": "100000 per minute",     # tests/overview/test_api.py checks the limit itself
        "COMPLAINT_FORM_RATE_LIMIT": "100000 per minute",     # tests/complaints/test_public.py checks
        "COMPLAINT_LOOKUP_RATE_LIMIT": "100000 per minute",   # these limits itself
    })
    app.extensions["job_waker"] = WakeRecorder()
    with app.app_context():
        from flask_migrate import upgrade
        from inspect_app.extensions import db
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                from sqlalchemy import text
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(revision="heads")
        from inspect_app.checklists.services import sync_catalogue
        sync_catalogue()
        db.session.commit()
    yield app


class WakeRecorder(list):
    """Stands in for the broker: records the job ids whose wake-up was sent after commit."""

    def __call__(self, job_id: int) -> None:
        self.append(job_id)


@pytest.fixture
def db(app):
    """Each test runs inside one outer transaction that is rolled back at the end; the
    code under test commits to savepoints. Flask-SQLAlchemy picks the bind from its engine
    table, so the connection stands in for the engine there while the test runs."""
    from inspect_app.extensions import db as _db
    with app.app_context():
        engines = _db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        original = _db.session
        _db.session = _db._make_scoped_session({"bind": connection, "join_transaction_mode": "create_savepoint"})
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            engines[None] = engine
            outer.rollback()
            connection.close()
            app.extensions["job_waker"].clear()


@pytest.fixture
def make(db):
    return Factory(db, DEMO_PASSWORD)


class Browser:
    """A test client that signs in and sends the CSRF token like a real browser does.

    Each request runs in its own application context (fresh ``g``, its own session on the
    test's connection), as it would in production, even though the test holds one open."""

    def __init__(self, client):
        self.client = client
        self.app = client.application

    def _fresh(self, method, *args, **kwargs):
        with self.app.app_context():
            return getattr(self.client, method)(*args, **kwargs)

    def token(self, path: str = "/login") -> str:
        html = self._fresh("get", path, follow_redirects=True).get_data(as_text=True)
        match = re.search(r'name="csrf-token" content="([^"]+)"', html)
        assert match, "page carries no CSRF token"
        return match.group(1)

    def login(self, user, password: str = DEMO_PASSWORD):
        token = self.token("/login")
        response = self._fresh("post", "/login", data={"username": user.username, "password": password,
                                                     "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def get(self, *args, **kwargs):
        return self._fresh("get", *args, **kwargs)

    def post(self, path, data=None, token_from="/", **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token(token_from))
        return self._fresh("post", path, data=data, **kwargs)


@pytest.fixture
def client(app, db):
    return Browser(app.test_client())


@pytest.fixture
def login(app, db):
    """``login(user)`` → a Browser signed in as that user."""
    def _login(user):
        browser = Browser(app.test_client())
        browser.login(user)
        return browser
    return _login
