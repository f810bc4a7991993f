"""Benchmark: background jobs on one, then three, Celery worker processes sharing one broker
and one database (docs/scaling.md, "Workers on several hosts").

``--jobs`` jobs of a fixed size (``--cpu-ms`` of computation and ``--io-ms`` of waiting each,
the ``bench.work`` kind of ``bench/workers_app.py``) are enqueued in one transaction; the
wake-ups go to the broker at commit, and the time until the last is done is measured:

* baseline, same run: the same jobs run one after another in this process by the same job
  runner (``core.jobs.run_job``: claim, lease, handler, finish), no broker;
* one ``celery worker`` (``--concurrency 1``), then three, each on its own process group.

Every job must end done after exactly one attempt (no duplicate delivery, none lost); the
workers that did them are counted. On two cores three workers can at most double the
throughput of computation; waiting overlaps fully.

Broker: ``CELERY_BROKER_URL`` when set (Redis, RabbitMQ), else the embedded one. Database:
its own PostgreSQL database ``<BENCH_DB_PREFIX>_workers`` on ``127.0.0.1:5432`` (dropped and
created afresh; ``BENCH_POSTGRES_URL`` names another server).

Run from the project root: ``.venv/bin/python bench/workers.py [--jobs 300 --cpu-ms 20 --io-ms 30]``
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB_PREFIX", "careinspect_bench") + "_workers"
RUN_ALL: list[str] = []          # bench/run_all.py runs it with the defaults


def fresh_database() -> str:
    import psycopg
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return f"{SERVER.replace('postgresql://', 'postgresql+psycopg://', 1)}/{DB_NAME}"


class Workers:
    """``celery -A bench.workers_app worker`` processes on the run's queue."""

    def __init__(self, env: dict, tmp: Path):
        self.env, self.tmp, self.procs = env, tmp, {}

    def start(self, names: list[str]) -> None:
        for name in names:
            log = open(self.tmp / f"{name}.log", "ab")
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "bench.workers_app", "worker", "--loglevel=INFO",
                 "--concurrency=1", "--without-mingle", "--without-gossip", "--without-heartbeat",
                 "--hostname", f"{name}@%h"],
                cwd=PROJECT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        until = time.monotonic() + 60
        for name in names:
            while "ready." not in (self.tmp / f"{name}.log").read_text(errors="replace"):
                if self.procs[name].poll() is not None or time.monotonic() > until:
                    sys.exit(f"celery {name} did not start:\n{(self.tmp / f'{name}.log').read_text()[-3000:]}")
                time.sleep(0.1)

    def stop(self) -> None:
        for proc in self.procs.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.procs.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--cpu-ms", type=float, default=20)
    parser.add_argument("--io-ms", type=float, default=30)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="careinspect-workers-"))
    env = {**os.environ, "CAREINSPECT_INSTANCE": str(tmp / "instance"), "DATABASE_URL": fresh_database(),
           "CELERY_QUEUE": f"careinspect-bench-{uuid.uuid4().hex[:12]}",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")]))}
    os.environ.update({k: env[k] for k in ("CAREINSPECT_INSTANCE", "DATABASE_URL", "CELERY_QUEUE")})

    from celery import Celery
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from inspect_app import create_app
    from inspect_app.core import jobs
    from inspect_app.extensions import db
    import bench.workers_app as workers_app

    app = create_app()
    sender = Celery("careinspect-bench-web", set_as_current=False)
    sender.config_from_object(app.config["CELERY"])
    app.extensions["job_waker"] = jobs.celery_waker(sender)
    payload = {"cpu_ms": args.cpu_ms, "io_ms": args.io_ms}
    with app.app_context():
        upgrade(revision="heads")
        db.session.commit()

    def enqueue(n: int, wake: bool) -> list[int]:
        with app.app_context():
            if not wake:
                app.extensions["job_waker"] = None
            ids = [jobs.enqueue("bench.work", payload).id for _ in range(n)]
            db.session.commit()
            app.extensions["job_waker"] = jobs.celery_waker(sender)
            return ids

    def check(ids: list[int]) -> tuple[int, int]:
        """(jobs done once, distinct worker processes) — exits when any job is not done once."""
        with app.app_context():
            rows = db.session.execute(select(jobs.Job.state, jobs.Job.attempts, jobs.Job.result)
                                      .where(jobs.Job.id.in_(ids))).all()
            db.session.remove()
        wrong = [r for r in rows if r.state != jobs.DONE or r.attempts != 1]
        if len(rows) != len(ids) or wrong:
            sys.exit(f"{len(wrong)} of {len(ids)} jobs not done exactly once: {wrong[:5]}")
        return len(rows), len({r.result["worker"] for r in rows})

    def wait_done(ids: list[int], timeout: float) -> None:
        until = time.monotonic() + timeout
        with app.app_context():
            while True:
                done = db.session.scalar(select(func.count()).select_from(jobs.Job).where(
                    jobs.Job.id.in_(ids), jobs.Job.state == jobs.DONE))
                db.session.rollback()
                if done == len(ids):
                    return
                if time.monotonic() > until:
                    sys.exit(f"only {done} of {len(ids)} jobs done after {timeout:.0f} s (see {tmp})")
                time.sleep(0.02)

    # Baseline: the same runner in this process, one job after another, no broker.
    ids = enqueue(args.jobs, wake=False)
    began = time.perf_counter()
    with app.app_context():
        for job_id in ids:
            jobs.run_job(job_id, {"bench.work": workers_app.work})
            db.session.remove()
    inline = time.perf_counter() - began
    check(ids)

    results = {}
    runner = Workers(env, tmp)
    try:
        for count in (1, 3):
            runner.start([f"w{i}" for i in range(1, count + 1)])
            ids = enqueue(args.jobs, wake=True)          # the wake-ups leave at this commit
            began = time.perf_counter()
            wait_done(ids, timeout=max(120, inline * 4))
            results[count] = (time.perf_counter() - began, *check(ids))
            runner.stop()
    finally:
        runner.stop()

    broker = os.environ.get("CELERY_BROKER_URL", "").split("://")[0] or "embedded"
    load = os.getloadavg()[0]
    print(f"\n{args.jobs} jobs of {args.cpu_ms:g} ms CPU + {args.io_ms:g} ms waiting; broker {broker}; "
          f"PostgreSQL; load average {load:.1f}\n")
    print("| run | time | jobs/s | ratio to in-process | workers that did jobs |")
    print("|---|---|---|---|---|")
    print(f"| in process, one after another (baseline) | {inline:.2f} s | {args.jobs / inline:.0f} | 1.00× | — |")
    for count, (seconds, _, used) in results.items():
        print(f"| {count} worker{'s' if count > 1 else ''} | {seconds:.2f} s | {args.jobs / seconds:.0f} | "
              f"{seconds / inline:.2f}× | {used} |")
    for count, (seconds, _, used) in results.items():
        print(f"SUMMARY: {args.jobs} jobs on {count} worker{'s' if count > 1 else ''} ({broker} broker), every job "
              f"once | {seconds:.2f} s | {inline:.2f} s in process | {seconds / inline:.2f}× | "
              f"{'three workers faster than one' if count == 3 else 'every job done once'}")
    speedup = results[1][0] / results[3][0]
    print(f"\nthree workers vs one: {speedup:.2f}× the throughput")
    if speedup <= 1.0:
        sys.exit("three workers were not faster than one")


if __name__ == "__main__":
    main()
