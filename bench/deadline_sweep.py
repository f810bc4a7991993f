"""Benchmark of the rectification deadline sweep (issue 6) on PostgreSQL.

1,000,000 open findings (5,000 institutions × 200), deadlines spread over the next 60 days,
so nothing is due. Two scenarios, each beside a bare indexed ``SELECT count(*)`` of the due
rows measured in the same run:

- *idle*: the sweep when nothing is due (target < 50 ms: one probe of the next_due_at index);
- *burst*: 10,000 findings newly overdue, escalated (history row, two messages and one audit
  row per rung and batch), committed batch by batch (target < 1 s).

Uses its own database ``careinspect_bench_rect`` on ``127.0.0.1:5432`` as user ``postgres``
(dropped and created afresh; ``BENCH_POSTGRES_URL`` names another server), or, when
``BENCH_DATABASE_URL`` is set, that database, whose schema it wipes.
Run from the project root: ``.venv/bin/python bench/deadline_sweep.py``
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB_PREFIX", "careinspect_bench") + "_rect"
RUN_ALL: list[str] = []          # bench/run_all.py runs it as it is
FINDINGS = int(os.environ.get("BENCH_FINDINGS", "1000000"))
PER_INSPECTION = 200
BURST = 10_000


def timed(fn, repeat=1):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def build(db, text, now):
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    db.metadata.create_all(db.engine)
    n_insp = FINDINGS // PER_INSPECTION
    with db.engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO checklist_version (checklist_id, version, department, kind, title, digest, content, item_count, loaded_at)
            VALUES ('fire-safety', 'bench', 'fire', 'inspection', 'bench', 'x', '{}', 200, :now)"""), {"now": now})
        conn.execute(text("""
            INSERT INTO institution (id, name, credit_code, type, district, street, address, beds, nursing_beds,
                                     operator_type, medical_integration, ltc_designated, status, created_at, updated_at, version)
            SELECT g, '机构' || g, lpad(g::text, 18, '0'), 'nursing_home', '区', '街道', '路', 100, 40, 'private', 'none',
                   false, 'operating', :now, :now, 1 FROM generate_series(1, :n) g"""), {"now": now, "n": n_insp})
        conn.execute(text("""
            INSERT INTO visit (id, institution_id, kind, purpose, scheduled_for, status, created_at, version)
            SELECT g, g, 'inspection', 'routine', CAST(:now AS date), 'completed', :now, 1 FROM generate_series(1, :n) g"""),
            {"now": now, "n": n_insp})
        conn.execute(text("""
            INSERT INTO inspection (id, visit_id, department, checklist_version_id, status, source, version)
            SELECT g, g, 'fire', 1, 'submitted', 'tablet', 1 FROM generate_series(1, :n) g"""), {"n": n_insp})
        # deadlines 4..64 days ahead: the pointer is at the first reminder (deadline − 3 days)
        conn.execute(text("""
            INSERT INTO finding (inspection_id, visit_id, institution_id, department, checklist_id, checklist_version,
                                 item_id, item_text, severity, veto, deadline_days, original_deadline_at, deadline_at,
                                 state, step, escalation_level, next_due_at, policy_version, contested, created_at, version)
            SELECT i, i, i, 'fire', 'fire-safety', 'bench', 'I-' || k, '检查项', 'major', k = 0, 10, d, d,
                   'open', 0, 0, d - interval '3 days', '2026.1', false, :now, 1
            FROM (SELECT (g - 1) / :per + 1 AS i, (g - 1) % :per AS k,
                         CAST(:now AS timestamptz) + interval '4 days' + (g % 86400) * interval '1 minute' * 1 AS d
                  FROM generate_series(1, :total) g) s"""),
            {"now": now, "per": PER_INSPECTION, "total": FINDINGS})
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def database_url() -> str:
    """``BENCH_DATABASE_URL``, or a fresh database of this benchmark's own."""
    given = os.environ.get("BENCH_DATABASE_URL")
    if given:
        return given
    import psycopg
    with psycopg.connect(SERVER + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    return f"postgresql+psycopg://{SERVER.split('://', 1)[1]}/{DB_NAME}"


def main() -> None:
    os.environ.setdefault("CAREINSPECT_INSTANCE", tempfile.mkdtemp(prefix="rect-bench-"))
    from sqlalchemy import text

    from inspect_app import create_app
    from inspect_app.core.types import utcnow
    from inspect_app.extensions import db
    from inspect_app.rectification import escalation

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url()})
    with app.app_context():
        now = utcnow()
        t_build, _ = timed(lambda: build(db, text, now))
        total = db.session.scalar(text("SELECT count(*) FROM finding"))
        print(f"built {total:,} open findings in {t_build:.1f} s")

        count_sql = text("SELECT count(*) FROM finding WHERE next_due_at <= :now")

        def bare(at):
            result = db.session.execute(count_sql, {"at": at, "now": at}).scalar()
            db.session.rollback()
            return result

        def sweep_once(at):
            result = escalation.sweep_deadlines(at)
            db.session.commit()
            return result

        for _ in range(3):      # warm caches
            bare(now), sweep_once(now)
        t_bare, due = timed(lambda: bare(now), repeat=21)
        t_idle, result = timed(lambda: sweep_once(now), repeat=21)
        assert due == 0 and result.due == 0
        print(f"idle : bare count(*) of due rows {t_bare * 1000:7.2f} ms ({due} due) | "
              f"sweep {t_idle * 1000:7.2f} ms | ratio {t_idle / t_bare:5.1f}× | target < 50 ms "
              f"{'OK' if t_idle < 0.05 else 'MISSED'}")

        # 10,000 findings become overdue (reminders already done): the overdue notice is due.
        with db.engine.begin() as conn:
            conn.execute(text("""
                UPDATE finding SET deadline_at = CAST(:now AS timestamptz) - interval '1 hour', step = 2,
                                   next_due_at = CAST(:now AS timestamptz) - interval '1 hour'
                WHERE id IN (SELECT id FROM finding ORDER BY random() LIMIT :n)"""), {"now": now, "n": BURST})
            conn.execute(text("ANALYZE finding"))
        t_bare_burst, due = timed(lambda: bare(now), repeat=5)

        def sweep_all():
            done = 0
            while True:
                r = escalation.sweep_deadlines(now)
                db.session.commit()
                done += r.done
                if not r.more:
                    return done
        t_burst, done = timed(sweep_all)
        events = db.session.scalar(text("SELECT count(*) FROM finding_event WHERE action = 'escalate'"))
        messages = db.session.scalar(text("SELECT count(*) FROM rectification_message"))
        assert done == BURST == events, (done, events)
        print(f"burst: bare count(*) of due rows {t_bare_burst * 1000:7.2f} ms ({due:,} due) | "
              f"sweep {t_burst * 1000:7.1f} ms for {done:,} escalations ({messages:,} messages) | "
              f"ratio {t_burst / t_bare_burst:5.0f}× | {done / t_burst:,.0f} findings/s | target < 1 s "
              f"{'OK' if t_burst < 1 else 'MISSED'}")
        t_after, result = timed(lambda: sweep_once(now), repeat=5)
        print(f"after: sweep {t_after * 1000:7.2f} ms ({result.due} due)")
        print(f"SUMMARY: deadline sweep, idle, {FINDINGS:,} open findings | {t_idle * 1000:.1f} ms | "
              f"indexed count(*) {t_bare * 1000:.1f} ms | {t_idle / t_bare:.1f}× | < 50 ms")
        print(f"SUMMARY: deadline sweep, {done:,} newly overdue | {t_burst * 1000:,.0f} ms | "
              f"indexed count(*) {t_bare_burst * 1000:.1f} ms | {t_burst / t_bare_burst:,.0f}× | < 1 s")


if __name__ == "__main__":
    main()
