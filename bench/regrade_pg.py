"""Benchmark: full re-grade on PostgreSQL, 50,000 institutions × 200 answers (10,000,000 rows).

    .venv/bin/python bench/regrade_pg.py [--institutions 50000] [--url postgresql://postgres@127.0.0.1:5432]

Uses its own database ``careinspect_bench_regrade`` (dropped and created afresh). The checklist
is a GENERATED 200-item grading checklist (``bench-grading``: the four GB/T 37276 parts with
24/26/30/120 items of 5 points, every 5th item a 0..5 scale, every 7th a measure with min 90,
three veto prerequisites, the star-grading level thresholds), registered in the app's catalogue
for the run. Each institution has one submitted grading inspection with 200 stored answers.

Measured in the same run:
* baseline — a pure-SQL ``GROUP BY`` of the same 10M rows (earned and applicable points per
  inspection, joined to the item table), fetched to the client;
* re-grade — the real job ``grading.regrade`` run through ``core.jobs.run_job``: COPY out →
  pandas → vectorised scoring → COPY into a temp table → ``UPDATE … FROM`` (all 50,000
  inspections written back, progress rows committed, audit row), then committed.
Target (issue 4): re-grade ≤ 10 s. Printed: seconds, ratio to the baseline, rows/s; and a
check that 200 sampled inspections equal the single scoring path.
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

DB_NAME = "careinspect_bench_regrade"
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


def recreate_database(base_url: str) -> None:
    import psycopg
    with psycopg.connect(base_url + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


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


def main() -> None:
    import faulthandler
    faulthandler.dump_traceback_later(float(os.environ.get("BENCH_WATCHDOG", "1e9")), exit=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=50_000)
    parser.add_argument("--url", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432"))
    args = parser.parse_args()
    recreate_database(args.url)
    instance = tempfile.mkdtemp(prefix="bench-regrade-")
    os.environ["CAREINSPECT_INSTANCE"] = instance
    from inspect_app import create_app
    from inspect_app.domain.checklist.model import parse_checklist_yaml
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://{args.url.split('://', 1)[1]}/{DB_NAME}"})
    app.extensions["job_waker"] = lambda job_id: None          # run in this process
    checklist = parse_checklist_yaml(checklist_yaml(), "bench-grading.yaml")
    app.extensions["checklists"]["bench-grading"] = checklist
    rows = args.institutions * len(checklist.items)
    with app.app_context():
        from sqlalchemy import text

        from inspect_app.core import jobs
        from inspect_app.domain.scoring.single import score, to_contract_dict
        from inspect_app.extensions import db
        from inspect_app.grading.jobs import HANDLERS
        from inspect_app.grading.records import responses_of
        from inspect_app.inspections.models import Inspection
        db.create_all()
        started = time.perf_counter()
        load(db, checklist, args.institutions)
        print(f"loaded {args.institutions:,} institutions × {len(checklist.items)} answers = {rows:,} rows "
              f"in {time.perf_counter() - started:.1f} s (not timed below)")

        timings = []
        for attempt in range(2):
            t0 = time.perf_counter()
            with db.engine.connect() as conn:
                baseline_rows = conn.execute(text(BASELINE)).fetchall()
            baseline = time.perf_counter() - t0
            assert len(baseline_rows) == args.institutions
            job = jobs.enqueue("grading.regrade", {"bench": attempt})
            db.session.commit()
            t0 = time.perf_counter()
            state = jobs.run_job(job.id, HANDLERS)
            regrade = time.perf_counter() - t0
            db.session.refresh(job)
            assert state == jobs.DONE, job.error
            timings.append((baseline, regrade, job.result))
            print(f"run {attempt + 1}: SQL GROUP BY {baseline:.2f} s; re-grade (read, score, write back, commit) "
                  f"{regrade:.2f} s; ratio {regrade / baseline:.2f}×; {rows / regrade / 1e6:.2f} M answers/s; "
                  f"scored {job.result['scored']:,}, changed {job.result['changed']:,}")

        sample = random.Random(7).sample(range(1, args.institutions + 1), 200)
        for ident in sample:
            row = db.session.get(Inspection, ident)
            expected = to_contract_dict(score(checklist, responses_of(row)), checklist)
            assert row.result == expected, (ident, row.result, expected)
        first, base = timings[0][1], timings[0][0]
        print("200 sampled inspections equal the single scoring path")
        print(f"RESULT: full re-grade with every inspection changed {first:.2f} s "
              f"(target ≤ 10 s: {'met' if first <= 10 else 'NOT met'}); pure-SQL GROUP BY {base:.2f} s; "
              f"ratio {first / base:.2f}×; unchanged re-run {timings[1][1]:.2f} s")


if __name__ == "__main__":
    main()
