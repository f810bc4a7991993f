"""The real Celery app of ``tasks/worker.py`` for ``bench/workers.py`` (``celery -A
bench.workers_app worker``), with one more job kind, ``bench.work``: a job of a fixed size,
``cpu_ms`` of computation and ``io_ms`` of waiting (what a PDF render or a mail costs), then
one read of the database. Nothing else is changed: the same job runner, leases and wake-ups."""
from __future__ import annotations

import hashlib
import os
import time

from sqlalchemy import select

from inspect_app.core import jobs
from inspect_app.extensions import db
from tasks.handlers import HANDLERS
from tasks.worker import celery, flask_app  # noqa: F401  (celery -A finds it here)


def busy(cpu_ms: float) -> None:
    """Compute for ``cpu_ms`` of this process's CPU time."""
    until = time.process_time() + cpu_ms / 1000
    digest = b"careinspect"
    while time.process_time() < until:
        digest = hashlib.sha256(digest).digest()


def work(job) -> dict:
    busy(float(job.payload.get("cpu_ms", 0)))
    time.sleep(float(job.payload.get("io_ms", 0)) / 1000)
    db.session.scalar(select(jobs.Job.state).where(jobs.Job.id == job.id))
    return {"pid": os.getpid(), "worker": os.getppid()}


HANDLERS["bench.work"] = work
