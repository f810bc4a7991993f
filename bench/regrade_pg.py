"""Benchmark: a province's full re-grade on PostgreSQL, at growing sizes, × 200 answers each.

    .venv/bin/python bench/regrade_pg.py [--sizes 5000,50000[,500000]] [--url postgresql://postgres@127.0.0.1:5432]

For each size (default 5,000 and 50,000 institutions; add 500,000 = 100,000,000 answers for the
growth check, which loads for several minutes) a fresh database ``careinspect_bench_regrade``
(``--database``; dropped and created afresh) is filled by one child process, then a second child
process measures; the parent prints the growth table. The checklist is a GENERATED 200-item
grading checklist (``bench-grading``: the four GB/T 37276 parts with 24/26/30/120 items of 5
points, every 5th item a 0..5 scale, every 7th a measure with min 90, three veto prerequisites,
the star-grading level thresholds), registered in the app's catalogue for the run. Each
institution has one submitted grading inspection with 200 stored answers.

Measured in the same child, per size:
* baseline — a pure-SQL ``GROUP BY`` of the same rows (earned and applicable points per
  inspection, joined to the item table), fetched to the client;
* re-grade — the real job ``grading.regrade`` run through ``core.jobs.run_job``, streamed in
  chunks of ``grading.regrade.CHUNK`` inspections (keyset paging): COPY out → pandas →
  vectorised scoring → COPY into a temp table → ``UPDATE … FROM``, every inspection written
  back, progress rows committed, audit row, then committed; its peak RSS
  (``resource.getrusage``, read right after it, before the baseline runs);
* the same re-grade again with nothing changed.
Targets: 50,000 institutions in ≤ 10 s; time linear in the size (the "s per 1,000" column
flat), memory bounded. A check that 200 sampled inspections equal the single scoring path.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DB_NAME = os.environ.get("BENCH_DB_PREFIX", "careinspect_bench") + "_regrade"
RUN_ALL: list[str] = []          # bench/run_all.py runs it with the default sizes
SAMPLE = 200
SECTIONS = (("environment", "环境", 24), ("facilities", "设施设备", 26), ("operations", "运营管理", 30),
            ("services", "服务", 120))


def checklist_yaml() -> str:
    lines = ['id: bench-grading', 'version: "bench.1"', "title: 基准测试评分表（200项）",
             "department: civil_affairs", "kind: grading", "sections:"]
    n = 0
    for sid, title, count in SECTIONS:
        lines += [f"  - id: {sid}", f"    title: {title}", "    items:"]
        for _ in range(count):
            n += 1
            item = f"      - {{id: B{n:03d}, text: 基准条目{n}, points: 5"
            if sid == "operations" and n <= 24 + 26 + 3:
                item += ", type: check, veto: true, na: false}"
            elif n % 7 == 0:
                item += ', type: measure, unit: "%", min: 90}'
            elif n % 5 == 0:
                item += ", type: scale, step: 1, pass_min: 3}"
            else:
                item += ", type: check}"
            lines.append(item)
    lines += ["levels:",
              "  - {level: 1, min_total: 360, min_sections: {environment: 48, facilities: 52, operations: 60, services: 240}}",
              "  - {level: 2, min_total: 450, min_sections: {environment: 60, facilities: 65, operations: 75, services: 300}}",
              "  - {level: 3, min_total: 570, min_sections: {environment: 72, facilities: 78, operations: 90, services: 360}}",
              "  - {level: 4, min_total: 780, min_sections: {environment: 96, facilities: 104, operations: 120, services: 480}}",
              "  - {level: 5, min_total: 900, min_sections: {environment: 108, facilities: 117, operations: 135, services: 540}}"]
    return "\n".join(lines) + "\n"


def recreate_database(base_url: str, name: str) -> None:
    import psycopg
    with psycopg.connect(base_url + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def load(db, checklist, institutions: int) -> None:
    from sqlalchemy import text

    from inspect_app.checklists.services import store_version
    version = store_version(checklist)
    db.session.commit()
    version_id = version.id
    raw = db.session.connection().connection.driver_connection
    rng = random.Random(4)
    with raw.cursor() as cur:
        with cur.copy("COPY institution (id, name, credit_code, type, district, street, address, beds, "
                      "nursing_beds, operator_type, medical_integration, ltc_designated, status, filed_on, "
                      "created_at, updated_at, version) FROM STDIN") as copy:
            for i in range(1, institutions + 1):
                copy.write_row((i, f"基准养老院{i}", f"B{i:017d}", "nursing_home", f"区{i % 20}", "街道",
                                f"路{i}号", 100, 40, "private", "none", False, "operating", "2015-01-01",
                                "2026-01-01 00:00+00", "2026-01-01 00:00+00", 1))
        with cur.copy("COPY visit (id, institution_id, kind, purpose, scheduled_for, status, source, "
                      "created_at, version) FROM STDIN") as copy:
            for i in range(1, institutions + 1):
                copy.write_row((i, i, "grading", "grading", "2026-01-05", "completed", None,
                                "2026-01-05 00:00+00", 1))
        with cur.copy("COPY inspection (id, visit_id, department, checklist_version_id, status, source, "
                      "version) FROM STDIN") as copy:
            for i in range(1, institutions + 1):
                copy.write_row((i, i, "civil_affairs", version_id, "submitted", "tablet", 1))
        cur.execute("CREATE TABLE bench_item (item_id text PRIMARY KEY, type text, points numeric, "
                    "min numeric, veto boolean, na boolean)")
        with cur.copy("COPY bench_item FROM STDIN") as copy:
            for item in checklist.items:
                copy.write_row((item.id, item.type, float(item.points),
                                None if item.min is None else float(item.min), item.veto, item.na))
        for table in ("institution", "visit", "inspection"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {institutions})")
        # 10M answers, generated in the database (random but valid for each item's type).
        cur.execute("ALTER TABLE answer DROP CONSTRAINT IF EXISTS uq_answer_inspection_id")
        cur.execute("DROP INDEX IF EXISTS ix_answer_inspection_id")
        cur.execute("SELECT setseed(%s)", (rng.random(),))
        cur.execute("""
            INSERT INTO answer (inspection_id, item_id, value, updated_at, version)
            SELECT i.id, it.item_id,
                   CASE WHEN it.na AND r < 0.05 THEN 'na'
                        WHEN it.type = 'check' THEN CASE WHEN r < (CASE WHEN it.veto THEN 0.995 ELSE 0.85 END) + 0.05
                                                         THEN 'pass' ELSE 'fail' END
                        WHEN it.type = 'scale' THEN floor(r * 6)::int::text
                        ELSE (80 + floor(r * 21)::int)::text END,
                   now(), 1
            FROM inspection i CROSS JOIN bench_item it CROSS JOIN LATERAL (SELECT random() AS r) x""")
        cur.execute("ALTER TABLE answer ADD CONSTRAINT uq_answer_inspection_id UNIQUE (inspection_id, item_id)")
        cur.execute("CREATE INDEX ix_answer_inspection_id ON answer (inspection_id)")
    db.session.commit()
    db.session.close()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


BASELINE = """
SELECT a.inspection_id,
       sum(CASE WHEN a.value = 'na' THEN 0
                WHEN it.type = 'check' THEN CASE WHEN a.value = 'pass' THEN it.points ELSE 0 END
                WHEN it.type = 'scale' THEN a.value::numeric
                ELSE CASE WHEN a.value::numeric >= it.min THEN it.points ELSE 0 END END) AS earned,
       sum(CASE WHEN a.value = 'na' THEN 0 ELSE it.points END) AS applicable
FROM answer a JOIN bench_item it ON it.item_id = a.item_id
GROUP BY a.inspection_id"""


def peak_rss_mib() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024      # KiB on Linux


def child_app(args):
    os.environ["CAREINSPECT_INSTANCE"] = tempfile.mkdtemp(prefix="bench-regrade-")
    from inspect_app import create_app
    from inspect_app.domain.checklist.model import parse_checklist_yaml
    app = create_app({"SQLALCHEMY_DATABASE_URI":
                      f"postgresql+psycopg://{args.url.split('://', 1)[1]}/{args.database}"})
    app.extensions["job_waker"] = lambda job_id: None          # run in this process
    checklist = parse_checklist_yaml(checklist_yaml(), "bench-grading.yaml")
    app.extensions["checklists"]["bench-grading"] = checklist
    return app, checklist


def fill(args) -> None:
    """Child 1: a fresh database with ``args.fill`` institutions × 200 answers."""
    recreate_database(args.url, args.database)
    app, checklist = child_app(args)
    with app.app_context():
        from inspect_app.extensions import db
        db.create_all()
        load(db, checklist, args.fill)


def measure(args) -> None:
    """Child 2: the re-grade (its peak RSS), the SQL baseline, the unchanged re-run, the check;
    one JSON line of figures on stdout."""
    import json

    app, checklist = child_app(args)
    institutions = args.measure
    with app.app_context():
        from sqlalchemy import text

        from inspect_app.core import jobs
        from inspect_app.domain.scoring.single import score, to_contract_dict
        from inspect_app.extensions import db
        from inspect_app.grading.jobs import HANDLERS
        from inspect_app.grading.records import responses_of
        from inspect_app.inspections.models import Inspection

        def regrade(attempt: int) -> tuple[float, dict]:
            job = jobs.enqueue("grading.regrade", {"bench": attempt})
            db.session.commit()
            t0 = time.perf_counter()
            state = jobs.run_job(job.id, HANDLERS)
            seconds = time.perf_counter() - t0
            db.session.refresh(job)
            assert state == jobs.DONE, job.error
            return seconds, job.result

        rss_before = peak_rss_mib()
        seconds, result = regrade(1)
        rss_after = peak_rss_mib()
        assert result["scored"] == institutions and result["changed"] == institutions, result
        t0 = time.perf_counter()
        with db.engine.connect() as conn:
            baseline_rows = conn.execute(text(BASELINE)).fetchall()
        baseline = time.perf_counter() - t0
        assert len(baseline_rows) == institutions
        del baseline_rows
        unchanged, again = regrade(2)
        assert again["changed"] == 0, again
        for ident in random.Random(7).sample(range(1, institutions + 1), min(SAMPLE, institutions)):
            row = db.session.get(Inspection, ident)
            expected = to_contract_dict(score(checklist, responses_of(row)), checklist)
            assert row.result == expected, (ident, row.result, expected)
    print(json.dumps({"institutions": institutions, "answers": institutions * len(checklist.items),
                      "baseline": baseline, "regrade": seconds, "unchanged": unchanged,
                      "rss_start": rss_before, "rss_peak": rss_after}))


def child(args, role: str, size: int) -> str:
    import subprocess
    command = [sys.executable, __file__, f"--{role}", str(size), "--url", args.url,
               "--database", args.database]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"{role} {size:,}: exited {done.returncode}")
    return done.stdout


def main() -> None:
    import faulthandler
    import json
    faulthandler.dump_traceback_later(float(os.environ.get("BENCH_WATCHDOG", "1e9")), exit=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,50000",
                        help="institutions per run, comma-separated (500000 for the growth check)")
    parser.add_argument("--url", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default=DB_NAME, help="the database to drop and create")
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill:
        return fill(args)
    if args.measure:
        return measure(args)
    from inspect_app.grading.regrade import CHUNK
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    figures = []
    for size in sizes:
        t0 = time.perf_counter()
        child(args, "fill", size)
        print(f"loaded {size:,} institutions × 200 answers = {size * 200:,} rows in "
              f"{time.perf_counter() - t0:.0f} s (not timed)", flush=True)
        figures.append(json.loads(child(args, "measure", size).strip().splitlines()[-1]))
        f = figures[-1]
        print(f"  {size:,}: re-grade {f['regrade']:.2f} s, SQL GROUP BY {f['baseline']:.2f} s, "
              f"peak RSS {f['rss_peak']:.0f} MiB", flush=True)
    print(f"\nre-grade streamed in chunks of {CHUNK:,} inspections; 200 sampled inspections per size "
          "equal the single scoring path")
    print("| institutions | answers | SQL GROUP BY | re-grade | ratio | s per 1,000 | unchanged re-run "
          "| RSS at start | peak RSS |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for f in figures:
        print(f"| {f['institutions']:,} | {f['answers']:,} | {f['baseline']:.2f} s | {f['regrade']:.2f} s "
              f"| {f['regrade'] / f['baseline']:.2f}× | {f['regrade'] / f['institutions'] * 1000:.3f} "
              f"| {f['unchanged']:.2f} s | {f['rss_start']:.0f} MiB | {f['rss_peak']:.0f} MiB |")
    for f in figures:
        target = " (target ≤ 10 s: " + ("met)" if f["regrade"] <= 10 else "NOT met)") \
            if f["institutions"] == 50_000 else ""
        print(f"SUMMARY: re-grade {f['institutions']:,} × 200 on PostgreSQL | {f['regrade']:.2f} s, "
              f"peak RSS {f['rss_peak']:.0f} MiB | SQL GROUP BY {f['baseline']:.2f} s | "
              f"{f['regrade'] / f['baseline']:.1f}× | {'≤ 10 s' if f['institutions'] == 50_000 else 'linear'}{target}")


if __name__ == "__main__":
    main()
