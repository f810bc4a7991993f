"""The real Celery app of ``tasks/worker.py`` for the broker tests (``celery -A
tests.broker.celery_app worker|beat``), with three test-only changes: the job and deadline
sweeps run every second instead of every 15 and 60 s; the job lease and heartbeat are short
(set by the test through the environment); and two more job kinds, ``test.hold`` and
``test.note``, whose handlers note each attempt and then wait while a file exists, so a test
can kill a worker mid-job."""
from __future__ import annotations

import os
import time
from pathlib import Path

from inspect_app.core import jobs
from tasks.handlers import HANDLERS
from tasks.schedule import BEAT_SCHEDULE
from tasks.worker import celery, flask_app

FAST = ("sweep-jobs", "sweep-deadlines")

celery.conf.beat_schedule = {name: ({**entry, "schedule": 1.0, "options": {"expires": 1.0}} if name in FAST else entry)
                             for name, entry in BEAT_SCHEDULE.items()}
flask_app.config.update(JOB_LEASE_SECONDS=float(os.environ["TEST_JOB_LEASE_SECONDS"]),
                        JOB_HEARTBEAT_SECONDS=float(os.environ["TEST_JOB_HEARTBEAT_SECONDS"]))


def hold(job) -> dict:
    """Note '<pid> <attempt>' in the payload's log, wait while the hold file exists (at most
    a minute), then leave one effect row (a job of kind ``test.effect``) and finish."""
    with open(job.payload["log"], "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {job.attempts}\n")
    hold_file, until = Path(job.payload["hold"]), time.monotonic() + 60
    while hold_file.exists() and time.monotonic() < until:
        time.sleep(0.05)
    jobs.enqueue("test.effect", {"by": os.getpid()})
    return {"pid": os.getpid()}


HANDLERS["test.hold"] = hold
HANDLERS["test.effect"] = lambda job: {"noted": True}


def note(job) -> dict:
    """Note '<job id> <attempt> <pid> <worker pid>' in the payload's log (the worker pid is
    the pool's parent: one per ``celery worker``), wait while the hold file exists (if any, at
    most a minute) or ``sleep`` seconds, then leave one effect row and finish."""
    with open(job.payload["log"], "a", encoding="utf-8") as log:
        log.write(f"{job.id} {job.attempts} {os.getpid()} {os.getppid()}\n")
    hold_file, until = Path(job.payload.get("hold") or os.devnull + ".none"), time.monotonic() + 60
    while hold_file.exists() and time.monotonic() < until:
        time.sleep(0.05)
    time.sleep(float(job.payload.get("sleep", 0)))
    jobs.enqueue("test.effect", {"of": job.id})
    return {"pid": os.getpid()}


HANDLERS["test.note"] = note
