"""Workers on several hosts (docs/scaling.md): three ``celery worker`` processes and beat on
one broker (the embedded one, Redis or RabbitMQ, as ``CELERY_BROKER_URL`` names) and one
database. Every job is done exactly once, the work spreads over the workers, and the job of a
worker killed mid-job is redone by another one (no restart) once its lease runs out."""
from __future__ import annotations

import signal
import time

import pytest
from sqlalchemy import func, select

from inspect_app.core import jobs

from .system import LEASE_SECONDS, System, require_broker

WORKERS = ("worker-a", "worker-b", "worker-c")


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    require_broker()
    system = System(tmp_path_factory.mktemp("several"))
    try:
        system.start(*WORKERS, "beat")
        yield system
    finally:
        system.close()


def _notes(log) -> list[list[int]]:
    """(job id, attempt, pid, worker pid) per attempt noted."""
    return [[int(x) for x in line.split()] for line in log.read_text().splitlines()] if log.exists() else []


def _effects(s) -> dict[int, int]:
    rows = s.scalars(select(jobs.Job.payload).where(jobs.Job.name == "test.effect")).all()
    counts: dict[int, int] = {}
    for payload in rows:
        counts[payload["of"]] = counts.get(payload["of"], 0) + 1
    return counts


def test_every_job_is_done_exactly_once_across_three_workers(system):
    log = system.tmp / "spread.log"
    with system.session():
        ids = [jobs.enqueue("test.note", {"log": str(log), "sleep": 0.2}).id for _ in range(24)]
    system.wait_for("all 24 jobs done", lambda s: s.scalar(select(func.count()).select_from(jobs.Job).where(
        jobs.Job.id.in_(ids), jobs.Job.state == jobs.DONE)) == len(ids), timeout=60)
    notes = _notes(log)
    assert sorted(n[0] for n in notes) == sorted(ids)              # each ran once: no duplicate delivery
    with system.session() as s:
        assert set(s.scalars(select(jobs.Job.attempts).where(jobs.Job.id.in_(ids)))) == {1}
        effects = _effects(s)
        assert [effects.get(i) for i in ids] == [1] * len(ids)      # and each left its effect once
    workers = {system.processes[name].pid for name in WORKERS}
    assert {n[3] for n in notes} <= workers and len({n[3] for n in notes}) >= 2, notes


def test_a_killed_workers_job_is_redone_by_another_worker(system):
    hold, log = system.tmp / "hold", system.tmp / "killed.log"
    hold.touch()
    with system.session():
        job_id = jobs.enqueue("test.note", {"log": str(log), "hold": str(hold)}).id
    first = system.wait_for("the job's first attempt", lambda s: _notes(log))[0]
    victim = next(name for name in WORKERS if system.processes[name].pid == first[3])
    system.kill(victim, signal.SIGKILL)                  # the host dies mid-job; nobody restarts it
    died = time.monotonic()
    hold.unlink()
    system.wait_for("the job redone", lambda s: s.get(jobs.Job, job_id).state == jobs.DONE,
                    timeout=LEASE_SECONDS + 30)
    assert time.monotonic() - died < LEASE_SECONDS + 30
    attempts = _notes(log)
    assert [a[1] for a in attempts] == [1, 2] and attempts[1][3] != first[3]   # another worker
    with system.session() as s:
        assert s.get(jobs.Job, job_id).attempts == 2
        assert _effects(s).get(job_id) == 1                 # the killed attempt left nothing behind
