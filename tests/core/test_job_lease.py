"""A running job holds a short lease that its heartbeats extend: the job of a worker that died
is run again within a minute, a live job that outlasts the lease is left alone, and a worker
that lost its lease commits nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from inspect_app.core import jobs
from inspect_app.core.types import utcnow
from tasks.schedule import BEAT_SCHEDULE


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing after the claim runs, not even the failure path."""


def _die(job):
    raise WorkerKilled


def _start_and_die(db, name="count"):
    job = jobs.enqueue(name)
    db.session.commit()
    with pytest.raises(WorkerKilled):
        jobs.run_job(job.id, {name: _die})
    db.session.rollback()
    db.session.refresh(job)
    assert job.state == jobs.RUNNING and job.attempts == 1
    return job


def test_a_dead_workers_job_is_run_again_within_a_minute(app, db):
    died = utcnow()
    job = _start_and_die(db)
    # The last sweep that still counts: a minute after the death, less one sweep interval.
    last_sweep = died + timedelta(seconds=60 - BEAT_SCHEDULE["sweep-jobs"]["schedule"])
    calls = []
    with time_machine.travel(last_sweep, tick=False):
        jobs.sweep({"count": lambda j: calls.append(j.attempts) or {"ok": True}})
    db.session.refresh(job)
    assert calls == [2]
    assert job.state == jobs.DONE and job.attempts == 2


def test_a_redelivered_wakeup_takes_over_a_dead_workers_job(app, db):
    job = _start_and_die(db)
    calls = []
    handlers = {"count": lambda j: calls.append(j.attempts)}
    assert jobs.run_job(job.id, handlers) == jobs.RUNNING          # still leased: a duplicate
    later = utcnow() + timedelta(seconds=app.config["JOB_LEASE_SECONDS"] + 1)
    with time_machine.travel(later, tick=False):
        assert jobs.run_job(job.id, handlers) == jobs.DONE         # the lease ran out
    assert calls == [2]


def test_heartbeats_keep_a_long_job_from_being_taken_over(app, db):
    lease = app.config["JOB_LEASE_SECONDS"]
    job = _start_and_die(db)            # a long job: claimed, its handler still running
    start = utcnow()
    calls = []
    for n in range(1, 4):               # three heartbeats, each before the lease runs out
        with time_machine.travel(start + timedelta(seconds=n * (lease - 1)), tick=False):
            assert jobs.heartbeat(job.id, attempt=1)
            jobs.sweep({"count": lambda j: calls.append(j.id)})
    db.session.refresh(job)
    assert calls == [] and job.state == jobs.RUNNING and job.attempts == 1


def test_a_worker_that_lost_its_lease_commits_nothing(app, db):
    from sqlalchemy import func, select, update
    job = jobs.enqueue("slow")
    db.session.commit()

    def slow(j):
        jobs.enqueue("effect")          # the handler's work, in the handler's transaction
        # Meanwhile its lease ran out and another worker claimed the job (attempt 2).
        db.session.execute(update(jobs.Job).where(jobs.Job.id == j.id)
                           .values(attempts=jobs.Job.attempts + 1))
        return {"done_by": "attempt 1"}

    assert jobs.run_job(job.id, {"slow": slow}) == jobs.RUNNING
    db.session.refresh(job)
    assert job.state == jobs.RUNNING and job.result is None
    assert db.session.scalar(select(func.count()).select_from(jobs.Job).where(jobs.Job.name == "effect")) == 0


def test_a_job_that_keeps_killing_its_worker_is_marked_failed(app, db):
    job = jobs.enqueue("count")
    db.session.commit()
    lease = timedelta(seconds=app.config["JOB_LEASE_SECONDS"] + 1)
    at = utcnow()
    for _ in range(jobs.MAX_ATTEMPTS):
        at += lease
        with time_machine.travel(at, tick=False):
            with pytest.raises(WorkerKilled):
                jobs.run_job(job.id, {"count": _die})
            db.session.rollback()
    with time_machine.travel(at + lease, tick=False):
        jobs.sweep({"count": _die})
    db.session.refresh(job)
    assert job.state == jobs.FAILED and job.attempts == jobs.MAX_ATTEMPTS
    assert "worker" in job.error


def test_health_check_reports_jobs_piling_up(app, db, client):
    """A dead broker or no live worker: submits keep being accepted, so the operator needs to
    see the age of the oldest pending job."""
    assert client.get("/healthz").get_json()["jobs"]["delayed"] is False
    job = jobs.enqueue("count")
    db.session.commit()
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["jobs"]["pending"] == 1 and body["jobs"]["delayed"] is False
    later = job.created_at + timedelta(seconds=app.config["JOB_DELAYED_AFTER_SECONDS"] + 5)
    with time_machine.travel(later, tick=False):
        response = client.get("/healthz")
    assert response.status_code == 200          # the web app itself is fine
    assert response.get_json()["jobs"] == {"pending": 1, "oldest_pending_seconds":
                                           app.config["JOB_DELAYED_AFTER_SECONDS"] + 5,
                                           "stalled": 0, "delayed": True}


def test_jobs_status_command_fails_when_jobs_wait_too_long(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "status"])
    assert result.exit_code == 0, result.output
    assert "pending 0" in result.output
    job = jobs.enqueue("count")
    db.session.commit()
    with time_machine.travel(job.created_at + timedelta(minutes=10), tick=False):
        result = runner.invoke(args=["jobs", "status"])
    assert result.exit_code == 1
    assert "pending 1, oldest 600 s" in result.output and "delayed" in result.output
