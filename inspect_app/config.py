"""Configuration: defaults as data; secrets and deployment choices only from the environment.

``create_app`` applies, in order: :class:`Defaults`, the environment (:func:`from_environment`),
then explicit overrides (tests).
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    # Security (TRUST.md finding 4): secure cookies, SameSite, short sessions, size limits.
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "careinspect_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # Idle time-out is kept by the session rows (LOGIN_SESSION_IDLE); re-signing the cookie on
    # every request would only cost time.
    SESSION_REFRESH_EACH_REQUEST = False
    REMEMBER_COOKIE_DURATION = timedelta(days=1)
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    LOGIN_SESSION_IDLE = timedelta(hours=12)
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024          # whole request
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024
    UPLOAD_MAX_BYTES = 12 * 1024 * 1024             # one evidence photo
    WTF_CSRF_TIME_LIMIT = 8 * 3600                  # a working day; tablets refresh before syncing
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # SQLite: a writer waits at most this long for the write lock, then the request is
    # answered 503 with Retry-After: BUSY_RETRY_AFTER (docs/operations.md, "SQLite").
    SQLITE_BUSY_TIMEOUT = 5.0
    BUSY_RETRY_AFTER = 5
    # Heavy work (PDFs, uploaded spreadsheets, photos) per web process: running at once,
    # waiting, and how long one waits; beyond that 503 (core.heavy, docs/operations.md).
    HEAVY_WORK_SLOTS = 1
    HEAVY_WORK_QUEUE = 1
    HEAVY_WORK_WAIT = 10.0
    SQLALCHEMY_RECORD_QUERIES = False
    # Internationalisation: Chinese first, English second.
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    # Paging
    PAGE_SIZE = 25
    # Checklist catalogue (data, not code)
    CHECKLIST_DIR = str(PROJECT_ROOT / "checklists")
    # Password hashing (TRUST.md finding 5): argon2id, >= 19 MiB, t=2, p=1.
    ARGON2_MEMORY_KIB = 19 * 1024
    ARGON2_TIME_COST = 2
    ARGON2_PARALLELISM = 1
    # Background work: pending work is a row; a message is only a wake-up.
    JOB_LEASE_SECONDS = 600
    JOB_RESEND_AFTER_SECONDS = 60
    MAIL_SERVER = None


def instance_path() -> Path:
    return Path(os.environ.get("CAREINSPECT_INSTANCE", PROJECT_ROOT / "instance")).resolve()


def _database_url(url: str | None, instance: Path) -> str:
    if not url:
        return f"sqlite:///{instance / 'careinspect.db'}"
    # psycopg 3 is the PostgreSQL driver we ship.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment; otherwise one generated once and kept in instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def from_environment() -> dict:
    """Everything deployment-specific, read when the app is built (never at import)."""
    instance = instance_path()
    broker = os.environ.get("CELERY_BROKER_URL", "")
    celery = {
        "broker_url": broker or "filesystem://",
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        "timezone": "Asia/Shanghai",
        "beat_schedule_filename": str(instance / "celerybeat-schedule"),
    }
    if not broker:
        queue = instance / "broker"
        celery["broker_transport_options"] = {
            "data_folder_in": str(queue / "out"),
            "data_folder_out": str(queue / "out"),
            "processed_folder": str(queue / "processed"),
            "store_processed": False,
        }
    values = {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": _database_url(os.environ.get("DATABASE_URL"), instance),
        "INSTANCE_DIR": str(instance),
        "UPLOAD_DIR": os.environ.get("CAREINSPECT_UPLOADS", str(instance / "uploads")),
        "CELERY": celery,
        "MAIL_SERVER": os.environ.get("SMTP_HOST") or None,
        "MAIL_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "MAIL_FROM": os.environ.get("SMTP_FROM", "careinspect@localhost"),
    }
    if os.environ.get("CAREINSPECT_INSECURE_COOKIES") == "1":
        # Plain-http deployments on a private network only; never on the internet.
        values["SESSION_COOKIE_SECURE"] = False
        values["REMEMBER_COOKIE_SECURE"] = False
    return values
