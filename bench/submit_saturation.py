"""Submit cost benchmark: CPU per 200-answer submit and saturation, on PostgreSQL.

Two measurements of the real submit endpoint (``POST /inspections/<id>/submit``: 200 answers,
remarks for the failed items, two drawn signatures), each beside a bare endpoint doing one
INSERT and a commit (the floor of Flask + SQLAlchemy + PostgreSQL), measured in the same run:

1. **in process** (Flask's test client, one thread): CPU time of this process per request
   (``time.process_time``) and database statements per request (counted on the engine);
2. **under gunicorn** (``-w 2 -k gthread``, the server a deployment runs): closed-loop
   saturation with 4, 8, 16 tablets submitting back to back, submits/s, p50/p95, and the CPU
   per request of the gunicorn workers and of PostgreSQL (Linux ``/proc``).

Every acknowledged submit is checked in the database afterwards (status, submission id and
all 200 answers); a lost answer fails the run.

Everything is set up here as in ``bench/inspection_load.py`` (whose set-up this reuses): a
fresh database ``careinspect_bench_submit`` (``--database``; the prefix is ``BENCH_DB_PREFIX``) on 127.0.0.1 as user postgres
(``--admin-url``), the schema by the real migrations, a generated 200-item checklist, the
inspectors signed in through the log-in page, started drafts.

Targets: ≤ 10 ms CPU per submit in the web process; saturation ≥ 200 submits/s. Each figure is
also printed as a ``SUMMARY:`` line for ``bench/run_all.py``; the run fails (exit 1) only when
an acknowledged submit is not stored.

Run from the project root: ``.venv/bin/python bench/submit_saturation.py``
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import inspection_load as load_bench  # noqa: E402  (the shared set-up and HTTP client)

TARGETS = {"cpu_ms": 10, "saturation_per_s": 200}
DB_NAME = os.environ.get("BENCH_DB_PREFIX", "careinspect_bench") + "_submit"
RUN_ALL: list[str] = ["--submits", "200", "--levels", "4,16"]   # bench/run_all.py: two levels, under 5 minutes


def count_statements(engine) -> list[int]:
    """A counter of the statements sent on ``engine`` (a list of one int, bumped per statement)."""
    from sqlalchemy import event
    counter = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args):
        counter[0] += 1
    return counter


def in_process(app, plan, n: int, signature: str, items: list[str]) -> dict:
    """CPU ms and statements per request of the submit and of the bare INSERT, in this process."""
    from inspect_app.extensions import db

    client = app.test_client()
    page = client.get("/login").data
    token = re.search(rb'name="csrf-token" content="([^"]+)"', page).group(1).decode()
    answer = client.post("/login", data={"username": plan.users[0], "password": load_bench.PASSWORD,
                                         "csrf_token": token})
    if answer.status_code != 302:
        raise SystemExit(f"log-in answered {answer.status_code}")
    token = client.get("/inspections/csrf-token").json["csrf_token"]
    pool = plan.submits[0]
    warm = min(20, len(pool) // 4)
    if len(pool) < n + warm:
        raise SystemExit("not enough drafts for the in-process step")
    bodies = [(i, body(i, s, items, signature)) for i, s in pool[:n + warm]]

    def submit(inspection_id, data):
        response = client.post(f"/inspections/{inspection_id}/submit", data=data, content_type="application/json",
                               headers={"X-CSRFToken": token})
        if response.status_code != 200:
            raise SystemExit(f"submit answered {response.status_code}: {response.data[:300]!r}")

    def bare(k):
        client.post("/bench/insert", data=f"ping {k}".encode(), content_type="text/plain")

    with app.app_context():
        counter = count_statements(db.engine)
    for inspection_id, data in bodies[:warm]:
        submit(inspection_id, data)
    for k in range(warm):
        bare(k)
    out = {}
    for name, calls in (("submit", [(lambda i=i, d=d: submit(i, d)) for i, d in bodies[warm:]]),
                        ("bare", [(lambda k=k: bare(k)) for k in range(n)])):
        counter[0] = 0
        cpu, wall = time.process_time(), time.perf_counter()
        for call in calls:
            call()
        out[name] = {"cpu_ms": (time.process_time() - cpu) / len(calls) * 1000,
                     "wall_ms": (time.perf_counter() - wall) / len(calls) * 1000,
                     "statements": counter[0] / len(calls)}
    return out, [i for i, _ in bodies]


def body(inspection_id: int, submission_id: str, items: list[str], signature: str) -> bytes:
    answers = load_bench.answers_for(inspection_id, items)
    remarks = {k: "现场发现问题" for k, v in answers.items() if v == "fail"}
    return json.dumps({"submission_id": submission_id, "answers": answers, "remarks": remarks,
                       "representative_name": "压测代表", "signatures": {"inspector": signature, "representative": signature}},
                      ensure_ascii=False).encode("utf-8")


async def closed_loop(args, clients, level: int, seconds: float, work) -> dict:
    """``level`` clients calling ``work(client, w, k)`` back to back for ``seconds``."""
    series = load_bench.Series(f"{level}")
    done = 0
    stop_at = time.perf_counter() + seconds
    before = load_bench.cpu_snapshot(args)

    async def worker(w: int):
        nonlocal done
        k = 0
        while time.perf_counter() < stop_at:
            call = work(clients[w % len(clients)], w, k)
            if call is None:
                series.error("pool exhausted")
                return
            began = time.perf_counter()
            try:
                status, _ = await call
            except Exception as exc:          # noqa: BLE001 - every failure is counted
                series.error(type(exc).__name__)
            else:
                if status == 200:
                    series.ok(time.perf_counter() - began)
                    done += 1
                else:
                    series.error(str(status))
            k += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(level)))
    elapsed = time.perf_counter() - began
    after = load_bench.cpu_snapshot(args)
    per = {key: sum(v - before[key].get(pid, 0.0) for pid, v in after[key].items()) for key in ("gunicorn", "postgres")}
    per["busy"] = after["busy"] - before["busy"]
    return {"level": level, "done": done, "rate": done / elapsed, "p50": series.pct(50), "p95": series.pct(95),
            "errors": dict(series.errors),
            **{f"{key}_ms": (per[key] / done * 1000 if done else float("nan")) for key in per}}


async def under_gunicorn(args, plan, port: int, signature: str, items: list[str], acked: dict) -> list[tuple[dict, dict]]:
    await load_bench.wait_ready(port)
    clients = await load_bench.sign_in_all(port, plan.users)
    rows = []
    for level in args.levels:
        pools = plan.saturation[level]
        prepared = [[(i, s, body(i, s, items, signature)) for i, s in pool] for pool in pools]

        def submit(client, w, k, prepared=prepared):
            if k >= len(prepared[w]):
                return None
            inspection_id, submission_id, data = prepared[w][k]

            async def call():
                status, answer = await client.call("POST", f"/inspections/{inspection_id}/submit", data, "application/json")
                if status == 200:
                    acked[inspection_id] = submission_id
                return status, answer
            return call()

        def bare(client, w, k):
            return client.call("POST", "/bench/insert", f"ping {w} {k}".encode(), "text/plain")

        base = await closed_loop(args, clients, level, args.bare_seconds, bare)
        real = await closed_loop(args, clients, level, args.sat_seconds, submit)
        rows.append((real, base))
    for c in clients:
        c.close()
    return rows


def verify(app, acked: dict, items: list[str]) -> int:
    """Acknowledged submits not stored as acknowledged (status, id or any of their answers)."""
    from sqlalchemy import select

    from inspect_app.extensions import db
    from inspect_app.inspections.models import SUBMITTED, Answer, Inspection

    bad = 0
    ids = sorted(acked)
    with app.app_context():
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            parts = {p.id: p for p in db.session.scalars(select(Inspection).where(Inspection.id.in_(chunk)))}
            stored: dict[int, dict[str, str]] = {}
            for a, i, v in db.session.execute(select(Answer.inspection_id, Answer.item_id, Answer.value)
                                              .where(Answer.inspection_id.in_(chunk))):
                stored.setdefault(a, {})[i] = v
            for inspection_id in chunk:
                part = parts.get(inspection_id)
                if (part is None or part.status != SUBMITTED or part.submission_id != acked[inspection_id]
                        or stored.get(inspection_id) != load_bench.answers_for(inspection_id, items)):
                    bad += 1
    return bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submits", type=int, default=300, help="submits measured in process")
    parser.add_argument("--levels", default="4,8,16", help="closed-loop concurrency levels under gunicorn ('' to skip)")
    parser.add_argument("--sat-seconds", type=float, default=8)
    parser.add_argument("--bare-seconds", type=float, default=4)
    parser.add_argument("--sat-cap", type=float, default=400, help="submits/s the saturation pools allow")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database", default=DB_NAME, help="the database to drop and create")
    parser.add_argument("--admin-url", default=os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--keep", action="store_true", help="keep the database and temporary files")
    args = parser.parse_args()
    args.levels = [int(x) for x in args.levels.split(",") if x.strip()]
    args.cpu = True
    load_bench.DB_NAME = args.database
    items = load_bench.item_ids(200)

    tmp = Path(tempfile.mkdtemp(prefix="careinspect-bench-submit-"))
    checklists = tmp / "checklists"
    checklists.mkdir()
    for path in (ROOT / "checklists").glob("*.yaml"):
        shutil.copy(path, checklists / path.name)
    shutil.copytree(ROOT / "checklists" / "hazards", checklists / "hazards")   # the major-hazard catalogue
    (checklists / f"{load_bench.CHECKLIST_ID}.yaml").write_text(load_bench.checklist_yaml(200), encoding="utf-8")
    db_url = args.admin_url.rsplit("/", 1)[0] + f"/{args.database}"
    env = dict(os.environ, DATABASE_URL=db_url, CAREINSPECT_INSTANCE=str(tmp / "instance"),
               CAREINSPECT_INSECURE_COOKIES="1", BENCH_CHECKLIST_DIR=str(checklists),
               SECRET_KEY="bench-" + uuid.uuid4().hex)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "CAREINSPECT_INSTANCE", "CAREINSPECT_INSECURE_COOKIES",
                                           "BENCH_CHECKLIST_DIR", "SECRET_KEY")})
    load_bench.recreate_database(args.admin_url)
    app = load_bench.bench_app()
    # Tablet 0's submit pool feeds the in-process step; the saturation pools the gunicorn step.
    world = argparse.Namespace(tablets=max(args.levels or [1]), duration=args.submits + 20, submit_every=1,
                               levels=args.levels, sat_cap=args.sat_cap, sat_seconds=args.sat_seconds)
    plan = load_bench.build_world(app, world)
    signature = load_bench.signature_png()

    inproc, submitted = in_process(app, plan, args.submits, signature, items)
    acked = {i: s for i, s in plan.submits[0] if i in set(submitted)}
    with app.app_context():
        from inspect_app.extensions import db
        db.engine.dispose()          # no connection of this process carried into the server's run

    rows = []
    if args.levels:
        port = load_bench.free_port()
        log = open(tmp / "gunicorn.log", "w")
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers), "-k", "gthread", "--threads", str(args.threads),
             "--keep-alive", "30", "--pythonpath", str(ROOT), "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT),
             "--log-level", "warning", "bench.inspection_load:bench_app()"], env=env, stdout=log, stderr=subprocess.STDOUT)
        args.server_pid = server.pid
        try:
            rows = asyncio.run(under_gunicorn(args, plan, port, signature, items, acked))
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
    lost = verify(app, acked, items)

    s, b = inproc["submit"], inproc["bare"]
    print()
    print(f"in process (Flask test client, one thread), {args.submits} submits of 200 answers:")
    print(f"{'':<24} {'CPU ms':>8} {'wall ms':>8} {'statements':>11}")
    for name, row in (("submit (200 answers)", s), ("bare INSERT endpoint", b)):
        print(f"{name:<24} {row['cpu_ms']:>8.2f} {row['wall_ms']:>8.2f} {row['statements']:>11.1f}")
    print(f"{'ratio':<24} {s['cpu_ms'] / b['cpu_ms']:>7.1f}× {s['wall_ms'] / b['wall_ms']:>7.1f}× "
          f"{s['statements'] / b['statements']:>10.1f}×")
    best = 0.0
    if rows:
        print()
        print(f"under gunicorn -w {args.workers} -k gthread --threads {args.threads}, closed loop "
              f"({os.cpu_count()} cores, load generator on the same cores); CPU per request:")
        print(f"{'concurrency':<12} {'what':<8} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'web CPU ms':>11} "
              f"{'PG CPU ms':>10} {'machine ms':>11} {'errors':>7}")
        for real, base in rows:
            best = max(best, real["rate"])
            for name, row in (("submit", real), ("bare", base)):
                errors = {k: v for k, v in row["errors"].items() if k != "pool exhausted"}
                print(f"{row['level']:<12} {name:<8} {row['rate']:>8.1f} {row['p50']:>8.1f} {row['p95']:>8.1f} "
                      f"{row['gunicorn_ms']:>11.2f} {row['postgres_ms']:>10.2f} {row['busy_ms']:>11.2f} "
                      f"{sum(errors.values()):>7}" + (f" {errors}" if errors else "")
                      + ("  (pool ran out: raise --sat-cap)" if row["errors"].get("pool exhausted") else ""))
            print(f"{'':<12} {'ratio':<8} {real['rate'] / base['rate']:>8.2f} {real['p50'] / base['p50']:>8.1f} "
                  f"{real['p95'] / base['p95']:>8.1f} {real['gunicorn_ms'] / base['gunicorn_ms']:>11.1f} "
                  f"{real['postgres_ms'] / base['postgres_ms']:>10.1f} {real['busy_ms'] / base['busy_ms']:>11.1f}")
        print(f"best: {best:.0f} submits/s = {best * 200:,.0f} answers/s")
    print(f"acknowledged submits checked in the database: {len(acked)}, not stored as acknowledged: {lost}")
    checks = [(f"CPU per submit ≤ {TARGETS['cpu_ms']} ms (in process)", s["cpu_ms"] <= TARGETS["cpu_ms"]),
              ("0 submits lost", lost == 0)]
    if rows:
        checks.append((f"saturation ≥ {TARGETS['saturation_per_s']} submits/s", best >= TARGETS["saturation_per_s"]))
    print("targets: " + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in checks))
    print(f"SUMMARY: submit of 200 answers, CPU in the web process | {s['cpu_ms']:.2f} ms, "
          f"{s['statements']:.0f} statements | bare INSERT endpoint {b['cpu_ms']:.2f} ms, {b['statements']:.0f} statements "
          f"| {s['cpu_ms'] / b['cpu_ms']:.1f}× | ≤ {TARGETS['cpu_ms']} ms")
    for real, base in rows:
        print(f"SUMMARY: submit saturation, {real['level']} tablets, gunicorn -w {args.workers} | "
              f"{real['rate']:.0f} submits/s, p95 {real['p95']:.0f} ms | bare INSERT {base['rate']:.0f}/s, "
              f"p95 {base['p95']:.0f} ms | {real['rate'] / base['rate']:.2f}× | ≥ {TARGETS['saturation_per_s']} submits/s")
    print(f"SUMMARY: acknowledged submits stored as acknowledged | {len(acked) - lost} of {len(acked)} | — | — | all")
    if args.keep:
        print(f"kept: database {args.database}, files in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
        with app.app_context():
            from inspect_app.extensions import db
            db.engine.dispose()
        load_bench.recreate_database(args.admin_url)
    return 0 if lost == 0 else 1          # a missed speed target is a figure, a lost submit a failure


if __name__ == "__main__":
    sys.exit(main())
