"""Background work as rows (docs/security.md, "The database is the source of truth").

* :func:`enqueue` inserts a :class:`Job` row in the caller's transaction and, only once that
  transaction commits, sends a wake-up message naming the row. A rollback sends nothing.
* A worker runs the job through :func:`run_job`, which claims the row with a conditional
  UPDATE (so a duplicate message is a no-op) and marks it done in the same transaction as
  the handler's effects.
* Beat's periodic sweep (:func:`sweep`) runs any pending job whose wake-up was lost and
  returns jobs whose worker died (lease expired) to pending.
Handlers must be idempotent: a job may run again after a crash.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Callable

from flask import current_app
from sqlalchemy import JSON, String, Text, event, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

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
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


def enqueue(name: str, payload: dict | None = None, key: str | None = None) -> Job:
    """Record work to do; the wake-up is sent after commit. ``key`` makes it idempotent."""
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


def run_job(job_id: int, handlers: dict[str, Callable[[Job], dict | None]]) -> str:
    """Claim, run and finish one job; returns its final state. Commits."""
    now = utcnow()
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == PENDING)
        .values(state=RUNNING, started_at=now, attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        job = db.session.get(Job, job_id)
        return job.state if job else "missing"
    job = db.session.get(Job, job_id)
    handler = handlers.get(job.name)
    try:
        if handler is None:
            raise LookupError(f"no handler for job {job.name!r}")
        result = handler(job)
        job.result = result
        job.state = DONE
        job.progress = 100
        job.finished_at = utcnow()
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.error = f"{type(exc).__name__}: {exc}"
        job.state = FAILED if job.attempts >= MAX_ATTEMPTS else PENDING
        db.session.commit()
        log.exception("job %s (%s) failed", job_id, job.name)
    return job.state


def set_progress(job: Job, percent: int) -> None:
    """Record progress in its own short transaction so users see it while the job runs."""
    db.session.execute(update(Job).where(Job.id == job.id).values(progress=max(0, min(100, percent))))
    db.session.commit()


def sweep(handlers: dict, now: datetime | None = None, limit: int = 100) -> int:
    """Run pending jobs whose wake-up is overdue and revive jobs whose worker died."""
    now = now or utcnow()
    cfg = current_app.config
    lease = timedelta(seconds=cfg["JOB_LEASE_SECONDS"])
    grace = timedelta(seconds=cfg["JOB_RESEND_AFTER_SECONDS"])
    db.session.execute(
        update(Job).where(Job.state == RUNNING, Job.started_at < now - lease)
        .values(state=PENDING).execution_options(synchronize_session=False)
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
