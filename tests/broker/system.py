"""A whole system for the broker tests, outside the rolled-back test transaction: its own
database (a SQLite file, or a PostgreSQL database beside the test database when DATABASE_URL
names one), instance folder and queue, and real ``celery worker`` / ``celery beat`` processes
on whatever broker ``CELERY_BROKER_URL`` names (the embedded filesystem broker when unset).

An unreachable broker skips these tests on a developer's machine and fails them in CI."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3          # the test worker's job lease and heartbeat (production: 30 s and 10 s)
HEARTBEAT_SECONDS = 0.5


def broker_url() -> str:
    return os.environ.get("CELERY_BROKER_URL", "")


def require_broker() -> None:
    """Connect once; an unreachable server skips (fails under CI=true). A transport that
    cannot even be loaded (a missing package) always fails."""
    url = broker_url()
    if not url:
        return
    from kombu import Connection
    from kombu.exceptions import OperationalError
    try:
        with Connection(url, connect_timeout=5) as conn:
            conn.ensure_connection(max_retries=1)
    except OperationalError as exc:
        message = f"the broker at {url} is unreachable: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def fresh_database(tmp: Path) -> str:
    """A new, empty database for the system: a SQLite file, or ``<test database>_system``."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp / 'system.db'}"
    import psycopg
    from sqlalchemy.engine import make_url
    test_db = make_url(url)
    name = f"{test_db.database}_system"
    admin = test_db.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return test_db.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    import psycopg
    from sqlalchemy.engine import make_url
    db_url = make_url(url)
    admin = db_url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_url.database}" WITH (FORCE)')


class System:
    """The instance's environment, its Flask app (in this process, to submit and look), and
    the Celery processes started for it."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.database_url = fresh_database(tmp)
        self.env = {
            **os.environ,
            "CAREINSPECT_INSTANCE": str(tmp / "instance"),
            "DATABASE_URL": self.database_url,
            "CELERY_QUEUE": f"careinspect-test-{uuid.uuid4().hex[:12]}",
            "TEST_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
            "TEST_JOB_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        self.processes: dict[str, subprocess.Popen] = {}
        self.app = self._build_app()

    def _build_app(self):
        """The web side: the app as ``create_app`` builds it from this environment, migrated,
        with wake-ups sent to the broker by a Celery client that is not made the process's
        current Celery app (the rest of the suite calls tasks directly)."""
        from celery import Celery
        with pytest.MonkeyPatch.context() as env:
            for key in ("CAREINSPECT_INSTANCE", "DATABASE_URL", "CELERY_QUEUE"):
                env.setenv(key, self.env[key])
            from inspect_app import create_app
            app = create_app()
        self.sender = Celery("careinspect-test-web", set_as_current=False)
        self.sender.config_from_object(app.config["CELERY"])
        from inspect_app.core.jobs import celery_waker
        app.extensions["job_waker"] = celery_waker(self.sender)
        with app.app_context():
            from flask_migrate import upgrade
            from inspect_app.checklists.services import sync_catalogue
            from inspect_app.extensions import db
            upgrade(revision="heads")
            sync_catalogue()
            db.session.commit()
        return app

    # Processes ----------------------------------------------------------------------------

    def start(self, *names: str) -> None:
        """``celery -A tests.broker.celery_app worker|beat`` for each name (``worker…`` or
        ``beat``), each in its own process group; waits until all are ready and fails the
        test with the log of one that exits first."""
        ready = {}
        for name in names:
            kind = "beat" if name == "beat" else "worker"
            cmd = [sys.executable, "-m", "celery", "-A", "tests.broker.celery_app", kind, "--loglevel=INFO"]
            if kind == "worker":
                cmd += ["--concurrency=2", "--without-mingle", "--without-gossip", "--hostname", f"{name}@%h"]
            else:
                cmd += ["--schedule", str(self.tmp / "beat-schedule")]
            with open(self.tmp / f"{name}.log", "ab") as out:
                self.processes[name] = subprocess.Popen(
                    cmd, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            ready[name] = "ready." if kind == "worker" else "beat: Starting"
        until = time.monotonic() + 30
        while ready:
            for name, line in list(ready.items()):
                proc = self.processes[name]
                if line in (self.tmp / f"{name}.log").read_text(errors="replace"):
                    del ready[name]
                elif proc.poll() is not None:
                    pytest.fail(f"celery {name} exited with {proc.returncode} at start:\n{self.log_tail(name)}")
            if ready and time.monotonic() > until:
                pytest.fail(f"not ready after 30 s: {', '.join(ready)}\n{self.logs()}")
            time.sleep(0.1)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal the process and its children (the pool), as a machine or OOM kill would."""
        proc = self.processes.pop(name)
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        proc.wait(20)

    def stop_all(self) -> None:
        """Kill what is left (nothing graceful is under test here)."""
        for proc in self.processes.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in self.processes.values():
            proc.wait(10)
        self.processes.clear()

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.tmp / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{self.log_tail(p.stem)}" for p in sorted(self.tmp.glob("*.log")))

    # Looking at the database ----------------------------------------------------------------

    @contextmanager
    def session(self):
        """An app context with a fresh session; commits on success."""
        from inspect_app.extensions import db
        with self.app.app_context():
            try:
                yield db.session
                db.session.commit()
            finally:
                db.session.remove()

    def wait_for(self, what: str, check, timeout: float = 30.0):
        """Poll ``check(session)`` until it returns something truthy; fail with the logs."""
        until = time.monotonic() + timeout
        while True:
            with self.session() as session:
                value = check(session)
            if value:
                return value
            if time.monotonic() > until:
                pytest.fail(f"not seen within {timeout:.0f} s: {what}\n{self.logs()}")
            time.sleep(0.2)

    def close(self) -> None:
        self.stop_all()
        if broker_url():          # the test's queue on a shared server (a temp folder otherwise)
            with self.sender.connection_for_write() as conn:
                conn.default_channel.queue_delete(self.env["CELERY_QUEUE"])
        self.sender.close()
        from inspect_app.extensions import db
        with self.app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
        drop_database(self.database_url)
