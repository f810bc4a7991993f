"""Configuration: defaults as data; secrets and deployment choices only from the environment.

``create_app`` applies, in order: :class:`Defaults`, the environment (:func:`from_environment`),
then explicit overrides (tests).
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from .domain.bureau import LOCAL_TIMEZONE

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    # Security (docs/security.md, "Secure defaults"): secure cookies, SameSite, short sessions, size limits.
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
    JSON_MAX_BYTES = 4 * 1024 * 1024                # a tablet's submission, signatures included
    JSON_MAX_DEPTH = 32                             # a tablet's body nests two levels
    WTF_CSRF_TIME_LIMIT = 8 * 3600                  # a working day; tablets refresh before syncing
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # SQLite: a writer waits at most this long for the write lock, then the request is
    # answered 503 with Retry-After: BUSY_RETRY_AFTER (docs/operations.md, "SQLite").
    SQLITE_BUSY_TIMEOUT = 5.0
    BUSY_RETRY_AFTER = 5
    # PostgreSQL: a statement waits at most this long for a row another transaction holds,
    # then the request is answered 503 the same way (None: wait as long as it takes; the
    # Celery worker sets None).
    POSTGRES_LOCK_TIMEOUT = 5.0
    # Heavy work (PDFs, uploaded spreadsheets, photos) per web process: running at once,
    # waiting, and how long one waits; beyond that 503 (core.heavy, docs/operations.md).
    HEAVY_WORK_SLOTS = 1
    HEAVY_WORK_QUEUE = 1
    HEAVY_WORK_WAIT = 10.0
    SQLALCHEMY_RECORD_QUERIES = False
    # Internationalisation: Chinese first, English second.
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = LOCAL_TIMEZONE
    LANGUAGES = ("zh", "en")
    # Paging
    PAGE_SIZE = 25
    # Checklist catalogue (data, not code)
    CHECKLIST_DIR = str(PROJECT_ROOT / "checklists")
    # Password hashing (docs/security.md, "Passwords"): argon2id, >= 19 MiB, t=2, p=1.
    ARGON2_MEMORY_KIB = 19 * 1024
    ARGON2_TIME_COST = 2
    ARGON2_PARALLELISM = 1
    # Sign-in throttling (docs/security.md, "Sign-in throttling and account takeover"): failed
    # password checks allowed per key in a window that starts at the first failure; a full
    # window locks the key until it ends (failures meanwhile neither count nor extend it).
    SIGNIN_WINDOW = timedelta(minutes=15)
    SIGNIN_MAX_FAILURES_PER_ACCOUNT = 10
    SIGNIN_MAX_FAILURES_PER_DEVICE = 10     # a browser the account signed in from before
    SIGNIN_MAX_FAILURES_PER_ADDRESS = 50    # one client address (an office behind one NAT)
    SIGNIN_DEVICE_COOKIE = "careinspect_device"
    SIGNIN_DEVICE_LIFETIME = timedelta(days=180)
    # Reverse proxies in front of the app that append the client's address to X-Forwarded-For
    # (CAREINSPECT_TRUSTED_PROXIES); 0 trusts no such header.
    TRUSTED_PROXIES = 0
    # Background work: pending work is a row; a message is only a wake-up. A running job's
    # lease is short and extended by heartbeats, so a dead worker's job is redone within a
    # minute (lease + the 15 s job sweep); see docs/operations.md.
    JOB_LEASE_SECONDS = 30
    JOB_HEARTBEAT_SECONDS = 10
    JOB_RESEND_AFTER_SECONDS = 60
    JOB_DELAYED_AFTER_SECONDS = 300     # /healthz and `flask jobs status` report "delayed"
    MAIL_SERVER = None
    # Audit trail (docs/operations.md, "Audit anchors and keys"): how far a row's time may lie
    # before its predecessor's (a transaction is stamped when written, chained when committed).
    AUDIT_CLOCK_TOLERANCE = 300
    AUDIT_HMAC_OLD_KEYS = ""
    AUDIT_ANCHOR_MAILTO = ""
    # Open data (docs/open-data.md): the licence the public downloads are published under.
    OPEN_DATA_LICENCE = "CC BY 4.0"
    OPEN_DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
    # The read-only API (docs/open-data.md, "The API"): requests per client address, counted
    # in RATELIMIT_STORAGE_URI (memory:// counts per web process; a Redis URL counts for all).
    API_RATE_LIMIT = "120 per minute"
    # The public complaint form (docs/security.md, "Complaints"): cases sent and lookups made
    # per client address.
    COMPLAINT_FORM_RATE_LIMIT = "5 per hour"
    COMPLAINT_LOOKUP_RATE_LIMIT = "30 per hour"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True


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
    return _kept_secret("SECRET_KEY", instance / "secret_key")


def _kept_secret(variable: str, path: Path) -> str:
    """A secret from the environment; otherwise one generated once into ``path`` (the demo)."""
    key = os.environ.get(variable)
    if key:
        return key
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
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
        "timezone": LOCAL_TIMEZONE,
        "beat_schedule_filename": str(instance / "celerybeat-schedule"),
    }
    if os.environ.get("CELERY_QUEUE"):
        # Several installations (or test runs) sharing one broker each use their own queue.
        celery["task_default_queue"] = os.environ["CELERY_QUEUE"]
    if not broker:
        queue = instance / "broker"
        celery["broker_transport_options"] = {
            "data_folder_in": str(queue / "out"),
            "data_folder_out": str(queue / "out"),
            "processed_folder": str(queue / "processed"),
            "control_folder": str(queue / "control"),     # exchange tables, never in the working directory
            "store_processed": False,
            # The folder is looked at this often when it was empty (kombu's default is 1 s,
            # which made a worker take at most one queued job a second).
            "polling_interval": 0.1,
        }
    values = {
        "SECRET_KEY": _secret_key(instance),
        "AUDIT_HMAC_KEY": _kept_secret("AUDIT_HMAC_KEY", instance / "audit_hmac_key"),
        "AUDIT_HMAC_OLD_KEYS": os.environ.get("AUDIT_HMAC_OLD_KEYS", ""),
        "AUDIT_ANCHOR_DIR": os.environ.get("AUDIT_ANCHOR_DIR", str(instance / "audit-anchors")),
        "AUDIT_ANCHOR_MAILTO": os.environ.get("AUDIT_ANCHOR_MAILTO", ""),
        "SQLALCHEMY_DATABASE_URI": _database_url(os.environ.get("DATABASE_URL"), instance),
        # A streaming replica for the public pages' reads (core/replica.py, docs/scaling.md).
        "DATABASE_REPLICA_URL": (_database_url(os.environ["DATABASE_REPLICA_URL"], instance)
                                 if os.environ.get("DATABASE_REPLICA_URL") else ""),
        "INSTANCE_DIR": str(instance),
        "UPLOAD_DIR": os.environ.get("CAREINSPECT_UPLOADS", str(instance / "uploads")),
        "CELERY": celery,
        "MAIL_SERVER": os.environ.get("SMTP_HOST") or None,
        "MAIL_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "MAIL_FROM": os.environ.get("SMTP_FROM", "careinspect@localhost"),
    }
    for name in ("OPEN_DATA_LICENCE", "OPEN_DATA_LICENCE_URL", "API_RATE_LIMIT", "RATELIMIT_STORAGE_URI",
                 "COMPLAINT_FORM_RATE_LIMIT", "COMPLAINT_LOOKUP_RATE_LIMIT"):
        if os.environ.get(f"CAREINSPECT_{name}"):
            values[name] = os.environ[f"CAREINSPECT_{name}"].strip()
    lock_timeout = os.environ.get("CAREINSPECT_POSTGRES_LOCK_TIMEOUT", "").strip()
    if lock_timeout:
        try:
            seconds = float(lock_timeout)
        except ValueError:
            raise ValueError("CAREINSPECT_POSTGRES_LOCK_TIMEOUT must be a number of seconds "
                             f"(0: no limit), not {lock_timeout!r}") from None
        values["POSTGRES_LOCK_TIMEOUT"] = seconds or None
    proxies = os.environ.get("CAREINSPECT_TRUSTED_PROXIES", "").strip()
    if proxies:
        if not proxies.isdigit():
            raise ValueError(f"CAREINSPECT_TRUSTED_PROXIES must be a whole number of proxies, not {proxies!r}")
        values["TRUSTED_PROXIES"] = int(proxies)
    if os.environ.get("CAREINSPECT_INSECURE_COOKIES") == "1":
        # Plain-http deployments on a private network only; never on the internet.
        values["SESSION_COOKIE_SECURE"] = False
        values["REMEMBER_COOKIE_SECURE"] = False
    return values
