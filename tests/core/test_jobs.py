"""Background work as rows: wake-ups only after commit, exactly-once runs, the sweep."""
from __future__ import annotations

from datetime import timedelta

from inspect_app.core import jobs
from inspect_app.core.types import utcnow


def test_wakeup_is_sent_only_after_commit(app, db):
    waker = app.extensions["job_waker"]
    job = jobs.enqueue("count", {"n": 1})
    assert waker == []
    db.session.commit()
    assert waker == [job.id]


def test_rollback_enqueues_nothing(app, db):
    waker = app.extensions["job_waker"]
    jobs.enqueue("count", {"n": 1})
    db.session.rollback()
    db.session.commit()
    assert waker == []


def test_same_key_is_one_job(db):
    first = jobs.enqueue("count", key="regrade:2026")
    second = jobs.enqueue("count", key="regrade:2026")
    assert first.id == second.id


def test_duplicate_message_runs_the_job_once(db):
    calls = []
    handlers = {"count": lambda job: calls.append(job.id) or {"ok": True}}
    job = jobs.enqueue("count")
    db.session.commit()
    assert jobs.run_job(job.id, handlers) == jobs.DONE
    assert jobs.run_job(job.id, handlers) == jobs.DONE
    assert calls == [job.id]


def test_sweep_runs_a_job_whose_message_was_lost(db):
    calls = []
    job = jobs.enqueue("count")
    db.session.commit()
    handlers = {"count": lambda j: calls.append(j.id)}
    assert jobs.sweep(handlers, now=utcnow()) == 0          # too fresh: the message may still come
    assert jobs.sweep(handlers, now=utcnow() + timedelta(minutes=5)) == 1
    assert calls == [job.id]


def test_sweep_revives_a_job_whose_worker_died(db):
    job = jobs.enqueue("count")
    job.state, job.started_at, job.attempts = jobs.RUNNING, utcnow() - timedelta(hours=1), 1
    job.lease_until = job.started_at + timedelta(seconds=30)         # no heartbeat since
    db.session.commit()
    calls = []
    jobs.sweep({"count": lambda j: calls.append(j.id)}, now=utcnow())
    assert calls == [job.id]
    db.session.refresh(job)
    assert job.state == jobs.DONE


def test_failing_job_is_retried_then_marked_failed(db):
    job = jobs.enqueue("boom")
    db.session.commit()
    def boom(_):
        raise RuntimeError("no")
    for _ in range(jobs.MAX_ATTEMPTS):
        jobs.run_job(job.id, {"boom": boom})
    db.session.refresh(job)
    assert job.state == jobs.FAILED and "RuntimeError" in job.error
