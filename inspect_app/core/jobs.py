"""Background work as rows (docs/security.md, "The database is the source of truth").

* :func:`enqueue` inserts a :class:`Job` row in the caller's transaction and, only once that
  transaction commits, sends a wake-up message naming the row. A rollback sends nothing.
* A worker runs the job through :func:`run_job`, which claims the row with a conditional
  UPDATE (so a duplicate message is a no-op) and marks it done in the same transaction as
  the handler's effects.
* A claim is a short lease (``JOB_LEASE_SECONDS``) that a heartbeat thread extends every
  ``JOB_HEARTBEAT_SECONDS`` while the handler runs. A job whose lease ran out belongs to a
  dead worker: the next wake-up (a broker's redelivery) or sweep claims it again, so the work
  of a killed worker is redone within a minute. The attempt number is the fencing token: the
  job is marked done only by the attempt that holds it, in the handler's transaction, so a
  worker that lost its lease (paused, cut off) commits nothing.
* Beat's periodic sweep (:func:`sweep`) runs any pending job whose wake-up was lost and
  returns jobs whose worker died (lease expired) to pending.
Handlers must be idempotent: a job may run again after a crash.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from flask import current_app
from sqlalchemy import JSON, String, Text, and_, bindparam, event, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Mapped, Session, make_transient_to_detached, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

log = logging.getLogger(__name__)

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
MAX_ATTEMPTS = 5
WAKE_TASK = "tasks.jobs.run_job"


class Job(db.Model):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    progress: Mapped[int] = mapped_column(default=0)   # 0..100, shown to users
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)   # while running
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


_NEW_JOB_COLUMNS = ("name", "payload", "key", "state", "attempts", "progress", "created_at")


# INSERT INTO job … ON CONFLICT (key) DO NOTHING RETURNING id (PostgreSQL): built once, one
# bound parameter per column of a new job.
_INSERT_NEW_JOB = (pg_insert(Job.__table__)
                   .values({c: bindparam(c, type_=Job.__table__.c[c].type) for c in _NEW_JOB_COLUMNS})
                   .on_conflict_do_nothing(index_elements=[Job.__table__.c.key]).returning(Job.__table__.c.id))


def enqueue(name: str, payload: dict | None = None, key: str | None = None) -> Job:
    """Record work to do; the wake-up is sent after commit. ``key`` makes it idempotent."""
    if key is not None and db.session.get_bind().dialect.name == "postgresql":
        # One statement: the row, or nothing when the key is taken (then the existing row).
        job = Job(name=name, payload=payload or {}, key=key, state=PENDING, attempts=0, progress=0,
                  created_at=utcnow())
        # A Core statement built once, on the session's connection (the job row refers to
        # nothing, so no flush of other pending objects is needed before it).
        job_id = db.session.connection().execute(
            _INSERT_NEW_JOB, {c: getattr(job, c) for c in _NEW_JOB_COLUMNS}).scalar()
        if job_id is None:
            return db.session.scalar(select(Job).where(Job.key == key))
        job.id = job_id
        make_transient_to_detached(job)         # the row as written: persistent, no flush
        db.session.add(job)
    else:
        if key is not None:
            existing = db.session.scalar(select(Job).where(Job.key == key))
            if existing is not None:
                return existing
        job = Job(name=name, payload=payload or {}, key=key, state=PENDING, created_at=utcnow())
        db.session.add(job)
        db.session.flush()
    db.session.info.setdefault("job_wakeups", []).append(job.id)
    return job


@event.listens_for(Session, "after_commit")
def _send_wakeups(session: Session) -> None:
    ids = session.info.pop("job_wakeups", None)
    if not ids:
        return
    waker = current_app.extensions.get("job_waker") if current_app else None
    for job_id in ids:
        try:
            if waker is not None:
                waker(job_id)
        except Exception:  # the sweep will find the row; a lost message only costs time
            log.warning("could not send wake-up for job %s; the sweep will run it", job_id, exc_info=True)


@event.listens_for(Session, "after_rollback")
def _drop_wakeups(session: Session) -> None:
    session.info.pop("job_wakeups", None)


def celery_waker(celery_app) -> Callable[[int], None]:
    def wake(job_id: int) -> None:
        celery_app.send_task(WAKE_TASK, args=[job_id])
    return wake


class LeaseLost(Exception):
    """Another worker claimed the job after this one's lease ran out."""


def _lease(now: datetime) -> datetime:
    return now + timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])


def _claimable(now: datetime):
    """Pending, or running under a lease that ran out (its worker died) with attempts left."""
    return or_(Job.state == PENDING,
               and_(Job.state == RUNNING, Job.lease_until < now, Job.attempts < MAX_ATTEMPTS))


@dataclass(frozen=True)
class Work:
    """What a handler is given: the job's id, kind, input and attempt number (the row itself
    stays with the runner, which alone moves its state)."""
    id: int
    name: str
    payload: dict
    attempts: int


def run_job(job_id: int, handlers: dict[str, Callable[[Work], dict | None]]) -> str:
    """Claim, run and finish one job; returns its final state. Commits."""
    now = utcnow()
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, _claimable(now))
        .values(state=RUNNING, started_at=now, lease_until=_lease(now), attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    job = db.session.get(Job, job_id)
    if not claimed:
        return job.state if job else "missing"
    work = Work(job.id, job.name, dict(job.payload or {}), job.attempts)
    # The handler starts its own transaction when it first needs the database (on SQLite a
    # transaction holds the write lock, which the heartbeats need too).
    db.session.commit()
    attempt = work.attempts
    mine = (Job.id == job_id, Job.state == RUNNING, Job.attempts == attempt)
    handler = handlers.get(work.name)
    try:
        with _Heartbeat(job_id, attempt):
            if handler is None:
                raise LookupError(f"no handler for job {work.name!r}")
            result = handler(work)
        finished = db.session.execute(
            update(Job).where(*mine)
            .values(state=DONE, result=result, progress=100, finished_at=utcnow(), lease_until=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not finished:
            raise LeaseLost
        db.session.commit()
    except LeaseLost:
        db.session.rollback()
        log.warning("job %s (%s) attempt %s lost its lease; its work was rolled back", job_id, work.name, attempt)
    except Exception as exc:
        db.session.rollback()
        db.session.execute(
            update(Job).where(*mine)
            .values(error=f"{type(exc).__name__}: {exc}", lease_until=None,
                    state=FAILED if attempt >= MAX_ATTEMPTS else PENDING)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        log.exception("job %s (%s) failed", job_id, work.name)
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    return job.state


def heartbeat(job_id: int, attempt: int) -> bool:
    """Extend the lease of a running attempt, in its own short transaction; False when the
    attempt no longer holds the job."""
    with Session(db.engine, join_transaction_mode="create_savepoint") as session, session.begin():
        return bool(session.execute(
            update(Job).where(Job.id == job_id, Job.state == RUNNING, Job.attempts == attempt)
            .values(lease_until=_lease(utcnow())).execution_options(synchronize_session=False)
        ).rowcount)


class _Heartbeat:
    """Beats every ``JOB_HEARTBEAT_SECONDS`` from a daemon thread while the handler runs."""

    def __init__(self, job_id: int, attempt: int):
        self.job_id, self.attempt = job_id, attempt
        self.app = current_app._get_current_object()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"job-{job_id}-heartbeat", daemon=True)

    def _run(self) -> None:
        every = self.app.config["JOB_HEARTBEAT_SECONDS"]
        with self.app.app_context():
            while not self.stopped.wait(every):
                try:
                    if not heartbeat(self.job_id, self.attempt):
                        return
                except Exception:  # a busy database: the next beat tries again
                    log.warning("heartbeat of job %s failed", self.job_id, exc_info=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        # Not joined: on SQLite a beat may be waiting for the write lock this worker's own
        # transaction holds until it commits; a late beat matches no row (attempt or state).
        self.stopped.set()


def set_progress(job: Work, percent: int) -> None:
    """Record progress in its own short transaction so users see it while the job runs."""
    db.session.execute(update(Job).where(Job.id == job.id).values(progress=max(0, min(100, percent))))
    db.session.commit()


def sweep(handlers: dict, now: datetime | None = None, limit: int = 100) -> int:
    """Run pending jobs whose wake-up is overdue and revive jobs whose worker died (lease
    expired); a job whose workers died ``MAX_ATTEMPTS`` times is marked failed."""
    now = now or utcnow()
    grace = timedelta(seconds=current_app.config["JOB_RESEND_AFTER_SECONDS"])
    dead = (Job.state == RUNNING, Job.lease_until < now)
    db.session.execute(
        update(Job).where(*dead, Job.attempts >= MAX_ATTEMPTS)
        .values(state=FAILED, lease_until=None, error="the worker running it stopped on every attempt")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Job).where(*dead).values(state=PENDING, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    due = db.session.scalars(
        select(Job.id).where(
            Job.state == PENDING,
            or_(Job.created_at < now - grace, Job.attempts > 0),
        ).order_by(Job.id).limit(limit)
    ).all()
    for job_id in due:
        run_job(job_id, handlers)
    return len(due)


def backlog(now: datetime | None = None) -> dict:
    """What an operator watches (``/healthz``, ``flask jobs status``): pending jobs and the age
    of the oldest, and running jobs whose lease ran out long ago. A dead broker or no live
    worker shows as ``delayed``: something waited longer than ``JOB_DELAYED_AFTER_SECONDS``."""
    now = now or utcnow()
    limit = now - timedelta(seconds=current_app.config["JOB_DELAYED_AFTER_SECONDS"])
    pending, oldest = db.session.execute(
        select(func.count(), func.min(Job.created_at)).where(Job.state == PENDING)).one()
    stalled = db.session.scalar(select(func.count()).select_from(Job).where(
        Job.state == RUNNING, Job.lease_until < limit))
    age = None if oldest is None else max(0, int((now - oldest).total_seconds()))
    return {"pending": pending, "oldest_pending_seconds": age, "stalled": stalled,
            "delayed": bool(stalled) or (oldest is not None and oldest < limit)}
