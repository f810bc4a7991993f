"""The documented processes on the configured broker (the embedded one, Redis or RabbitMQ):
a real ``celery worker`` and ``celery beat`` turn a submitted inspection into findings, escalate
an overdue finding through the beat sweep, and redo the job of a worker killed mid-job —
exactly once, within a minute of its death."""
from __future__ import annotations

import signal
import time
from datetime import timedelta

from sqlalchemy import func, select, update

from inspect_app.core import jobs
from inspect_app.core.types import utcnow

from .system import LEASE_SECONDS


def _submit_with_failures(system, failed=("FIRE-01", "FIRE-03")) -> int:
    """A fire inspection submitted through the service, as the tablet's submit does."""
    from inspect_app.extensions import db
    from inspect_app.inspections.services import start, submit
    from tests.conftest import DEMO_PASSWORD
    from tests.factories import Factory
    from tests.inspections.kit import Kit, new_id
    with system.session():
        make = Factory(db, DEMO_PASSWORD)
        kit = Kit(make, db)
        inspector = make.user("inspector", department="fire")
        visit = kit.visit(departments={"fire": [inspector]})
        part = visit.inspections[0]
        sid = new_id()
        start(inspector, part.id, sid)
        body = kit.submit_body(part, sid)
        for item in failed:
            body["answers"][item] = "fail"
        if "FIRE-01" in failed:            # answered from a formal finding: its document is named
            body["remarks"] = {**body.get("remarks", {}), "FIRE-01": "消防监督检查记录，区消防救援大队，2026-11-30"}
        kit.evidence_for_required(inspector, part, body["answers"])
        submit(inspector, part.id, body)
        part_id = part.id
    return part_id                         # committed: the wake-up goes to the broker now


def test_submitted_inspection_gets_its_findings_through_the_worker(system):
    from inspect_app.rectification.models import Finding, RectificationNotice
    part_id = _submit_with_failures(system)
    submitted = time.monotonic()
    items = system.wait_for("the findings of the submitted inspection", lambda s: sorted(s.scalars(
        select(Finding.item_id).where(Finding.inspection_id == part_id))))
    assert items == ["FIRE-01", "FIRE-03"]
    # Woken by the broker's message, not found later by a sweep (which waits a minute).
    assert time.monotonic() - submitted < 20
    with system.session() as s:
        assert s.scalar(select(func.count()).select_from(RectificationNotice)
                        .where(RectificationNotice.inspection_id == part_id)) == 1
        job = s.scalar(select(jobs.Job).where(jobs.Job.key == f"findings:{part_id}"))
        assert job.state == jobs.DONE and job.attempts == 1


def test_overdue_finding_is_escalated_by_the_beat_sweep(system):
    from inspect_app.rectification.models import Finding, FindingEvent
    part_id = _submit_with_failures(system, failed=("FIRE-03",))
    finding_id = system.wait_for("the finding", lambda s: s.scalar(
        select(Finding.id).where(Finding.inspection_id == part_id)))
    now = utcnow()
    with system.session() as s:       # the deadline passed yesterday; the next rung is due
        s.execute(update(Finding).where(Finding.id == finding_id).values(
            deadline_at=now - timedelta(days=1), next_due_at=now - timedelta(days=4)))
    steps = system.wait_for("the overdue escalation", lambda s: list(s.scalars(
        select(FindingEvent.step).where(FindingEvent.finding_id == finding_id, FindingEvent.step.is_not(None)))))
    assert steps == ["overdue"]        # the reminders came too late and were skipped


def test_killed_workers_job_is_redone_once_within_a_minute(system):
    hold, log = system.tmp / "hold", system.tmp / "attempts.log"
    hold.touch()
    with system.session() as s:
        job_id = jobs.enqueue("test.hold", {"hold": str(hold), "log": str(log)}).id
    system.wait_for("the job's first attempt", lambda s: log.exists() and log.read_text())

    # A live job outlasting its lease: the heartbeats keep it; no other worker takes it over.
    time.sleep(LEASE_SECONDS + 2)
    with system.session() as s:
        job = s.get(jobs.Job, job_id)
        assert (job.state, job.attempts) == (jobs.RUNNING, 1), system.logs()

    system.kill("worker", signal.SIGKILL)       # the worker and its pool, mid-job
    died = time.monotonic()
    hold.unlink()
    system.start("worker")                      # what the process manager does
    state = system.wait_for("the job redone", lambda s: s.get(jobs.Job, job_id).state == jobs.DONE, timeout=60)
    assert state and time.monotonic() - died < 60

    with system.session() as s:
        job = s.get(jobs.Job, job_id)
        assert job.attempts == 2
        effects = s.scalar(select(func.count()).select_from(jobs.Job).where(jobs.Job.name == "test.effect"))
        assert effects == 1                      # the killed attempt left nothing behind
    first, second = [line.split() for line in log.read_text().splitlines()]
    assert first[1] == "1" and second[1] == "2" and first[0] != second[0]
