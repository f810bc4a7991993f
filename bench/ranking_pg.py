"""Benchmark: rankings and league tables on PostgreSQL at city scale.

    .venv/bin/python bench/ranking_pg.py [--institutions 50000] [--repeat 30] [--reuse]
        [--url postgresql://postgres@127.0.0.1:5432] [--db careinspect_bench_rank]

Creates its own database (``<BENCH_DB_PREFIX>_rank``, default ``careinspect_bench_rank``;
dropped and created afresh) and generates, in the database
(``generate_series``, set-based INSERTs): 50,000 institutions in 16 districts and 400 streets,
200,000 inspection visits with one submitted department part each (four cycles per
institution over four years, each part submitted on its visit's day), 2,000,000 findings (ten per part on average, one part in nine
clean; every state, deadlines, closings), a rejected fix for each reopened finding, and 30,000 confirmed grades. Then the
standings are computed (``ranking.standing.refresh``, what ``flask ranking refresh`` runs, last
month's and this month's, so the ranking has a trend), timed against a bare SQL ``GROUP BY``
of every finding per institution (it runs hourly in the background: no target, reported).

Measured in the same run, each against a bare SQL ``SELECT … ORDER BY … LIMIT`` of the same
rows (for the league: the bare GROUP BY of the same year's rows, ordered and limited):
* the ranking page (``GET /ranking/`` through the Flask test client, signed in as the bureau)
  with several sorts and filters — p95 of ``--repeat`` requests each;
* the district and department league tables — p95;
* the full ranking Excel export (every institution) — one run, against the bare SELECT of all
  rows;
* the bureau dashboard (``GET /`` as the bureau admin: its counts, expiring grades, plan
  progress and charts over every institution) — p95, against the bare SELECT of the open
  findings it counts, ordered by deadline, LIMIT 50;
* the what-if (``/ranking/what-if`` with other cycle weights: every institution's index under
  both policies) — one run, against the bare GROUP BY of every finding per institution; target
  30 s, a web worker's timeout;
* the public institution page (``/public/institutions/<id>``, signed out, a different
  institution each request) — p95, against the bare SELECT of that institution's inspections
  joined to their visit and institution, newest first, LIMIT 50.
Targets: ranking and league p95 < 300 ms; full Excel export < 10 s; dashboard p95 < 300 ms;
public institution page p95 < 100 ms. Each figure is also printed as a ``SUMMARY:`` line for
``bench/run_all.py``.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "bench-ranking-2026"
DB_NAME = os.environ.get("BENCH_DB_PREFIX", "careinspect_bench") + "_rank"
RUN_ALL: list[str] = ["--repeat", "10"]   # bench/run_all.py: 50,000 institutions, fewer requests per figure


def recreate_database(base_url: str, name: str) -> None:
    import psycopg
    with psycopg.connect(base_url + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def generate(db, institutions: int) -> dict:
    """The rows, generated in the database. Returns the counts."""
    from sqlalchemy import text

    from inspect_app.checklists.services import sync_catalogue
    sync_catalogue()
    db.session.commit()
    version_id = db.session.execute(text("SELECT min(id) FROM checklist_version")).scalar()
    visits = institutions * 4
    sql = [
        "SELECT setseed(0.42)",
        f"""INSERT INTO institution (id, name, credit_code, type, district, street, address, beds, nursing_beds,
                operator_type, medical_integration, ltc_designated, status, filed_on, created_at, updated_at, version)
            SELECT i, '基准养老院' || i, 'B' || lpad(i::text, 17, '0'),
                   (ARRAY['nursing_home','community_center','day_care','care_home','meal_point','service_station'])[1 + i % 6],
                   '区' || (i % 16), '街道' || (i % 400), '路' || i || '号', 10 + (i * 37) % 490, 10,
                   (ARRAY['public','private','public_private'])[1 + i % 3], 'none', false,
                   CASE WHEN i % 50 = 0 THEN 'closed' ELSE 'operating' END, DATE '2015-01-01',
                   now(), now(), 1
            FROM generate_series(1, {institutions}) i""",
        # Four inspection visits per institution, a year apart (the last ones this year).
        f"""INSERT INTO visit (id, institution_id, kind, purpose, scheduled_for, status, created_at, completed_at, version)
            SELECT v, 1 + (v - 1) % {institutions}, 'inspection', 'routine',
                   current_date - ((3 - (v - 1) / {institutions}) * 365 + (v % 200) + 1)::int,
                   'completed', now(), now(), 1
            FROM generate_series(1, {visits}) v""",
        f"""INSERT INTO inspection (id, visit_id, department, checklist_version_id, status, source, submitted_at,
                failed_count, veto_count, version)
            SELECT v.id, v.id,
                   (ARRAY['civil_affairs','fire','market_regulation','health','medical_insurance'])[1 + v.id % 5],
                   {version_id}, 'submitted', 'tablet', (v.scheduled_for + time '16:00') AT TIME ZONE 'Asia/Shanghai',
                   CASE WHEN v.id % 9 = 0 THEN 0 WHEN v.id % 9 <= 2 THEN 12 ELSE 11 END, 0, 1
            FROM visit v""",
        # Ten findings per part on average: none for every ninth part (a clean inspection), 11 or
        # 12 for the others (one per failed item).
        f"""INSERT INTO finding (inspection_id, visit_id, institution_id, department, checklist_id, checklist_version,
                item_id, item_text, severity, veto, deadline_days, original_deadline_at, deadline_at, state, step,
                escalation_level, policy_version, contested, created_at, closed_at, version)
            SELECT p.id, p.id, v.institution_id, p.department, 'fire-safety', '1', 'B' || n, '基准问题',
                   s.severity, false, 10, s.created + interval '10 days', s.created + interval '10 days', s.state, 0, 0,
                   '2026.2', s.state = 'contested', s.created,
                   CASE WHEN s.state IN ('closed', 'withdrawn') THEN s.created + (s.r * 20) * interval '1 day' END, 1
            FROM inspection p JOIN visit v ON v.id = p.visit_id
            CROSS JOIN LATERAL generate_series(1, p.failed_count) n
            CROSS JOIN LATERAL (SELECT random() AS r, random() AS q WHERE n > 0 AND p.id > 0) x
            CROSS JOIN LATERAL (SELECT
                 CASE WHEN x.q < 0.15 THEN 'critical' WHEN x.q < 0.5 THEN 'major' ELSE 'minor' END AS severity,
                 CASE WHEN v.scheduled_for > current_date - 30 AND x.r < 0.5 THEN 'open'
                      WHEN x.r < 0.03 THEN 'withdrawn' WHEN x.r < 0.08 THEN 'open' WHEN x.r < 0.11 THEN 'responded'
                      WHEN x.r < 0.14 THEN 'reopened' WHEN x.r < 0.15 THEN 'contested' ELSE 'closed' END AS state,
                 (v.scheduled_for + time '10:00') AT TIME ZONE 'Asia/Shanghai' AS created,
                 x.r AS r) s
            WHERE p.failed_count > 0""",
        """INSERT INTO finding_event (finding_id, at, action, from_state, to_state)
           SELECT id, created_at + interval '5 days', 'reject', 'responded', 'reopened' FROM finding
           WHERE state = 'reopened'""",
        # Confirmed grades for 60 % of the institutions, each from its own grading visit.
        f"""INSERT INTO visit (id, institution_id, kind, purpose, scheduled_for, status, created_at, version)
            SELECT {visits} + i, i, 'grading', 'grading', current_date - 400, 'completed', now(), 1
            FROM generate_series(1, {institutions}) i WHERE i % 5 < 3""",
        f"""INSERT INTO inspection (id, visit_id, department, checklist_version_id, status, source, version)
            SELECT id, id, 'civil_affairs', {version_id}, 'submitted', 'tablet', 1 FROM visit WHERE id > {visits}""",
        f"""INSERT INTO grade_record (institution_id, inspection_id, state, level, total, percent, explanation,
                evaluated_at, effective_on, expires_on, policy_version, regrade_differs, version)
            SELECT v.institution_id, v.id, 'confirmed', 1 + (v.institution_id * 7) % 5,
                   300 + (v.institution_id * 13) % 700, 30, '{{}}', now(), current_date - 390,
                   current_date + 700, '2026.1', false, 1
            FROM visit v WHERE v.id > {visits}""",
    ]
    for table in ("institution", "visit", "inspection"):
        sql.append(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    for statement in sql:
        db.session.execute(text(statement))
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    counts = {}
    for table in ("institution", "visit", "inspection", "finding", "finding_event", "grade_record"):
        counts[table] = db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    return counts


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def timed(fn, repeat: int) -> list[float]:
    fn()                                  # warm-up (plans, caches)
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


# (label, query string of the page, the bare SQL of the same rows)
PERIOD = "(SELECT max(period) FROM ranking_standing)"
BASE = ("SELECT s.*, i.name, i.district, i.street FROM ranking_standing s JOIN institution i "
        "ON i.id = s.institution_id WHERE s.period = " + PERIOD)
CASES = [
    ("default (index, best first)", "",
     BASE + " ORDER BY s.supervision_index NULLS LAST, i.id LIMIT 50"),
    ("index, worst first", "sort=-index",
     BASE + " ORDER BY s.supervision_index DESC NULLS LAST, i.id DESC LIMIT 50"),
    ("on-time rate, page 20", "sort=rate&page=20",
     BASE + " ORDER BY s.on_time_rate DESC NULLS LAST, i.id LIMIT 50 OFFSET 950"),
    ("district + level sort", "district=区3&sort=level",
     BASE + " AND i.district = '区3' ORDER BY s.level DESC NULLS LAST, i.id LIMIT 50"),
    ("type + beds + open findings", "type=care_home&beds=100-299&sort=-open",
     BASE + " AND i.type = 'care_home' AND i.beds BETWEEN 100 AND 299 ORDER BY s.open_findings DESC, i.id DESC LIMIT 50"),
    ("street text + trend", "street=街道12&sort=trend",
     BASE + " AND i.street ILIKE '%街道12%' ORDER BY s.supervision_index - s.previous_index NULLS LAST, i.id LIMIT 50"),
    ("level 4 + band E + name", "level=4&band=E&sort=name",
     BASE + " AND s.level = 4 AND s.district_band = 'E' ORDER BY i.name, i.id LIMIT 50"),
]


def league_baseline(kind: str) -> str:
    group = "i.district" if kind == "district" else "f.department"
    return (f"SELECT {group}, count(*) FROM finding f JOIN institution i ON i.id = f.institution_id "
            "WHERE f.created_at >= date_trunc('year', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai' "
            f"GROUP BY {group} ORDER BY 2 DESC LIMIT 50")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--url", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--db", default=DB_NAME, help="the database to drop and create")
    parser.add_argument("--reuse", action="store_true",
                        help="measure again on the database a previous run generated (no generation, no refresh)")
    args = parser.parse_args()
    if not args.reuse:
        recreate_database(args.url, args.db)
    os.environ["CAREINSPECT_INSTANCE"] = tempfile.mkdtemp(prefix="bench-ranking-")
    from inspect_app import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://{args.url.split('://', 1)[1]}/{args.db}",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        from sqlalchemy import text

        from inspect_app.core.types import utcnow
        from inspect_app.extensions import db
        now = utcnow()
        if args.reuse:
            counts = {t: db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                      for t in ("institution", "visit", "inspection", "finding", "finding_event", "grade_record")}
            print("reusing " + ", ".join(f"{n:,} {t}" for t, n in counts.items()) + " and their standings")
            db.session.remove()
            refresh = None
        else:
            refresh = prepare(db, args, now)

    measure(app, args, refresh)


def prepare(db, args, now) -> tuple[float, float, int]:
    """Generate the rows, compute last month's and this month's standings, add the bureau user.
    Returns this month's refresh time, the bare GROUP BY's and the institutions ranked."""
    from datetime import timedelta

    from sqlalchemy import text

    from inspect_app.auth.models import User
    from inspect_app.auth.services import hash_password
    from inspect_app.ranking import standing
    db.create_all()
    t0 = time.perf_counter()
    counts = generate(db, args.institutions)
    print(f"generated in {time.perf_counter() - t0:.1f} s (not timed below): "
          + ", ".join(f"{n:,} {t}" for t, n in counts.items()), flush=True)
    t0 = time.perf_counter()
    standing.refresh(now - timedelta(days=31))
    db.session.commit()
    t1 = time.perf_counter()
    n = standing.refresh(now)
    db.session.commit()
    t2 = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE ranking_standing"))
    print(f"standings: last month's {t1 - t0:.1f} s, this month's {t2 - t1:.1f} s ({n:,} institutions; "
          "hourly in the background, not a page)", flush=True)
    t3 = time.perf_counter()
    with db.engine.connect() as conn:
        conn.execute(text(REFRESH_BASELINE)).fetchall()
    bare = time.perf_counter() - t3
    db.session.add(User(username="bench-bureau", name="基准局管理员", role="bureau_admin",
                        password_hash=hash_password(PASSWORD), created_at=now))
    db.session.commit()
    db.session.remove()
    return t2 - t1, bare, n


REFRESH_BASELINE = ("SELECT institution_id, count(*), sum(CASE WHEN state = 'closed' THEN 1 ELSE 0 END) "
                    "FROM finding GROUP BY institution_id")
WHATIF = "/ranking/what-if?weight_1=0.5&weight_2=0.25&weight_3=0.25&try=1"
DASHBOARD_BASELINE = ("SELECT f.* FROM finding f WHERE f.state IN ('open', 'responded', 'reopened', 'contested') "
                      "ORDER BY f.deadline_at, f.id LIMIT 50")


def public_baseline(institution_id: int) -> str:
    return ("SELECT p.*, v.*, i.* FROM inspection p JOIN visit v ON v.id = p.visit_id "
            f"JOIN institution i ON i.id = v.institution_id WHERE i.id = {institution_id} "
            "ORDER BY p.submitted_at DESC, p.id DESC LIMIT 50")


def measure(app, args, refresh) -> None:
    client = app.test_client()
    response = client.post("/login", data={"username": "bench-bureau", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    engine = None
    with app.app_context():
        from inspect_app.extensions import db
        engine = db.engine
    from sqlalchemy import text

    def sql_runner(statement):
        def run():
            with engine.connect() as conn:
                conn.execute(text(statement)).fetchall()
        return run

    def page_runner(url):
        def run():
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
        return run

    rows = []
    for label, query, sql in CASES:
        url = "/ranking/" + ("?" + query if query else "")
        page = p95(timed(page_runner(url), args.repeat))
        bare = p95(timed(sql_runner(sql), args.repeat))
        rows.append((f"ranking: {label}", page, bare, 0.300))
        print(f"  measured {rows[-1][0]}: {page * 1000:.1f} ms vs {bare * 1000:.1f} ms", flush=True)
    for kind in ("district", "department"):
        page = p95(timed(page_runner(f"/ranking/league?kind={kind}"), args.repeat))
        bare = p95(timed(sql_runner(league_baseline(kind)), args.repeat))
        rows.append((f"league: {kind}", page, bare, 0.300))
    t0 = time.perf_counter()
    export = client.get("/ranking/ranking.xlsx")
    excel = time.perf_counter() - t0
    assert export.status_code == 200 and len(export.data) > min(100_000, 20 * args.institutions), export.status_code
    bare = min(timed(sql_runner(BASE + " ORDER BY s.supervision_index NULLS LAST, i.id"), 2))
    rows.append(("full ranking Excel export (one run)", excel, bare, 10.0))

    page = p95(timed(page_runner("/"), args.repeat))
    bare = p95(timed(sql_runner(DASHBOARD_BASELINE), args.repeat))
    rows.append(("bureau dashboard (GET /, bureau admin)", page, bare, 0.300))
    print(f"  measured {rows[-1][0]}: {page * 1000:.1f} ms vs {bare * 1000:.1f} ms", flush=True)

    t0 = time.perf_counter()
    page_runner(WHATIF)()
    whatif = time.perf_counter() - t0
    bare = min(timed(sql_runner(REFRESH_BASELINE), 1))
    rows.append(("what-if, other cycle weights (one run)", whatif, bare, 30.0))
    print(f"  measured {rows[-1][0]}: {whatif * 1000:.1f} ms vs {bare * 1000:.1f} ms", flush=True)

    public = app.test_client()                          # signed out, as the public reads it
    step = max(1, args.institutions // (args.repeat + 1))
    ids = iter(range(1, args.institutions + 1, step))

    def public_page():
        r = public.get(f"/public/institutions/{next(ids)}")
        assert r.status_code == 200, r.status_code

    page = p95(timed(public_page, args.repeat))
    bare_runs = [sql_runner(public_baseline(i)) for i in range(1, args.institutions + 1, step)]
    bare_calls = iter(bare_runs)
    bare = p95(timed(lambda: next(bare_calls)(), args.repeat))
    rows.append(("public institution page (signed out)", page, bare, 0.100))
    print()
    print(f"{'measured':44} {'p95 app':>10} {'p95 SQL':>10} {'ratio':>8} {'target':>9}  met")
    for label, app_s, sql_s, target in rows:
        print(f"{label:44} {app_s * 1000:8.1f}ms {sql_s * 1000:8.1f}ms {app_s / sql_s:7.1f}× "
              f"{'<' + format(target * 1000, '.0f') + 'ms':>9}  {'yes' if app_s < target else 'NO'}")
    print(f"(Excel: {len(export.data) / 1e6:.1f} MB, {args.institutions:,} rows; its SQL is the bare SELECT of all rows)")
    if refresh is not None:
        seconds, bare, ranked = refresh
        print(f"standings refresh (this month, {ranked:,} institutions): {seconds:.1f} s; "
              f"bare GROUP BY of every finding per institution {bare:.1f} s")
        print(f"SUMMARY: ranking standings refresh (`flask ranking refresh`), {ranked:,} institutions | "
              f"{seconds:.1f} s | GROUP BY of every finding per institution {bare:.2f} s | {seconds / bare:.1f}× | "
              "— (hourly, in the background)")
    for label, app_s, sql_s, target in rows:
        kind = "one run" if "one run" in label else "p95"
        shown = label.replace(" (one run)", "")
        print(f"SUMMARY: {shown}, {args.institutions:,} institutions | {kind} {app_s * 1000:,.0f} ms | "
              f"bare SQL {sql_s * 1000:,.1f} ms | {app_s / sql_s:,.1f}× | < {target * 1000:,.0f} ms")


if __name__ == "__main__":
    main()
