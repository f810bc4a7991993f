"""The ranking page (ranks with ties, sorting, filters, trend), the exports, the league tables
on hand-computed counts, and the what-if that changes nothing."""
from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, timedelta
from fractions import Fraction as F

from sqlalchemy import select

from inspect_app.ranking import standing

from .conftest import NOW


def _ranks(html: str) -> dict[str, str]:
    """institution id → rank cell text, in page order."""
    import re
    return dict(re.findall(r'data-institution-id="(\d+)">\s*<td class="rank" data-rank="(\d*)"', html))


def _three(world, make):
    a = make.institution(name="甲养老院", district="东区", beds=40)
    b = make.institution(name="乙养老院", district="东区", beds=120)
    c = make.institution(name="丙养老院", district="西区", beds=120)
    d = make.institution(name="丁养老院", district="西区", beds=300)
    for inst, severity in ((a, "minor"), (b, "minor"), (c, "critical")):
        world.finding(world.visit(inst, date(2026, 6, 1)), severity, "open", deadline=NOW + timedelta(days=9))
    world.grade(b, 2, 500)
    return a, b, c, d


def test_ranks_share_ties_sort_and_filter(world, make, db, login):
    a, b, c, d = _three(world, make)
    standing.refresh()
    browser = login(make.user("bureau_admin"))
    html = browser.get("/ranking/").get_data(as_text=True)
    ranks = _ranks(html)
    assert ranks[str(a.id)] == "1" and ranks[str(b.id)] == "1" and ranks[str(c.id)] == "3"
    assert ranks[str(d.id)] == ""                                  # never inspected: no rank
    assert list(ranks).index(str(d.id)) == len(ranks) - 1          # and listed last
    worst_first = _ranks(browser.get("/ranking/?sort=-index").get_data(as_text=True))
    assert list(worst_first)[0] == str(c.id) and worst_first[str(c.id)] == "3"
    west = _ranks(browser.get("/ranking/?district=西区").get_data(as_text=True))
    assert set(west) == {str(c.id), str(d.id)} and west[str(c.id)] == "1"   # ranked within the filter
    by_level = _ranks(browser.get("/ranking/?sort=level").get_data(as_text=True))
    assert list(by_level)[0] == str(b.id) and by_level[str(b.id)] == "1"
    assert _ranks(browser.get("/ranking/?beds=lt50").get_data(as_text=True)).keys() == {str(a.id)}
    assert _ranks(browser.get("/ranking/?level=none&district=东区").get_data(as_text=True)).keys() == {str(a.id)}
    odd = browser.get("/ranking/?sort=bogus&level=9")
    assert odd.status_code == 200 and "bogus" in odd.get_data(as_text=True)


def test_trend_against_the_previous_period(world, make, db, login):
    a, *_ = _three(world, make)
    standing.refresh(NOW - timedelta(days=40))      # 2026-05: a has no cycle yet … index None
    standing.refresh(NOW)
    more = world.visit(a, date(2026, 6, 10))
    world.finding(more, "major", "open", deadline=NOW + timedelta(days=30))
    world.finding(more, "major", "open", deadline=NOW + timedelta(days=30))
    standing.refresh(NOW + timedelta(days=20))      # 2026-07: a's recent cycle has 70 points
    html = login(make.user("bureau_admin")).get(f"/ranking/institutions/{a.id}").get_data(as_text=True)
    assert "2026-07" in html and "2026-06" in html
    # Two cycles (weights 3/5, 2/5): the new one's pattern of majors 2 × 35 = 70; the older
    # minor (4) has gone overdue (+ 0.5 × 4): 3/5 × 70 + 2/5 × 6 = 44.4, against 4 in June.
    assert 'data-index><data value="44.4000">44.4</data>' in html
    assert '▲ <data value="40.4000">40.4</data>' in html


def test_exports_are_formatted_and_formula_safe(world, make, db, login):
    from openpyxl import load_workbook
    a, b, c, d = _three(world, make)
    make.institution(name="=HYPERLINK(\"x\")", district="东区")
    standing.refresh()
    browser = login(make.user("department_admin", department="fire"))
    xlsx = browser.get("/ranking/ranking.xlsx?district=东区")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "排名" and sheet["J1"].value == "评定得分" and sheet["K1"].value == "监管指数"
    assert isinstance(sheet["K2"].value, (int, float)) and sheet["H2"].value == 40
    assert sheet.column_dimensions["B"].width == 34
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows][:2] == ["甲养老院", "乙养老院"] and rows[0][0] == rows[1][0] == 1
    assert rows[-1][1] == "'=HYPERLINK(\"x\")"
    csv_file = browser.get("/ranking/ranking.csv?district=东区")
    assert csv_file.mimetype == "text/csv" and csv_file.headers["Cache-Control"] == "private, no-store"
    assert csv_file.headers["Content-Disposition"] == ("attachment; filename=\"ranking.csv\"; "
                                                       "filename*=UTF-8''%E6%9C%BA%E6%9E%84%E6%8E%92%E5%90%8D.csv")
    body = csv_file.data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body)))
    assert table[0][0] == "排名" and len(table) == 4 and table[3][1].startswith("'=")
    assert browser.get("/ranking/ranking.xlsx?sort=bogus").status_code == 400


def test_district_league_by_hand(world, make, db, login):
    from datetime import datetime, timezone
    # 东区: two institutions (40 + 120 beds), three parts planned in 2026, two submitted (one
    # without findings); findings of 2026: a critical closed on time after 4 days, a minor
    # open past its deadline (late, overdue), a major closed late after 16 days.
    a = make.institution(district="东区", beds=40)
    b = make.institution(district="东区", beds=120)
    clean = world.visit(a, date(2026, 3, 1), failed_count=0)
    faulty = world.visit(b, date(2026, 4, 1), failed_count=3)
    world.visit(b, date(2026, 7, 1), status="assigned")
    t = datetime(2026, 4, 1, 3, 0, tzinfo=timezone.utc)
    world.finding(faulty, "critical", "closed", created=t, deadline=t + timedelta(days=5), closed=t + timedelta(days=4))
    world.finding(faulty, "minor", "open", created=t, deadline=t + timedelta(days=30))
    world.finding(faulty, "major", "closed", created=t, deadline=t + timedelta(days=10), closed=t + timedelta(days=16))
    # 西区: one institution, one clean part; last year one late finding.
    c = make.institution(district="西区", beds=100)
    world.visit(c, date(2026, 5, 1), failed_count=0)
    last = world.visit(c, date(2025, 5, 1), failed_count=1)
    t0 = datetime(2025, 5, 1, 3, 0, tzinfo=timezone.utc)
    world.finding(last, "minor", "closed", created=t0, deadline=t0 + timedelta(days=5), closed=t0 + timedelta(days=9))
    from inspect_app.ranking import league
    from tests.ranking.conftest import NOW as now
    bureau = make.user("bureau_admin")
    table = league.league(bureau, "district", 2026, "on_time_rate", now)
    rows = {r.key: r for r in table.rows}
    east = rows["东区"].measures
    assert (east["planned"], east["done"]) == (3, 2)
    assert east["done_share"] == F(2, 3) and east["inspected_share"] == 1 and east["compliance"] == F(1, 2)
    assert east["critical_per_100_beds"] == F(100, 160)        # 1 critical, 160 beds
    assert east["on_time_rate"] == F(1, 3) and east["overdue"] == 1 and east["avg_days_to_close"] == 10
    west = rows["西区"].measures
    assert west["on_time_rate"] is None and west["compliance"] == 1 and west["inspected_share"] == 1
    assert rows["东区"].rank == 1 and rows["西区"].rank is None        # no rate: no rank
    assert rows["西区"].previous["on_time_rate"] == 0
    by_compliance = {r.key: r.rank for r in league.league(bureau, "district", 2026, "compliance", now).rows}
    assert by_compliance == {"西区": 1, "东区": 2, **{k: v for k, v in by_compliance.items() if k not in ("东区", "西区")}}
    page = login(bureau).get("/ranking/league?kind=district&year=2026").get_data(as_text=True)
    assert 'data-key="东区"' in page and "33.3%" in page
    # Stored with the standings, the counts give the same table (and a department's view too).
    live_fire = league.league(make.user("department_admin", department="fire"), "district", 2026, "compliance", now)
    standing.refresh(now)
    stored = league.league(bureau, "district", 2026, "on_time_rate", now)
    assert stored.computed_at == now
    assert {r.key: r.measures for r in stored.rows} == {k: r.measures for k, r in rows.items()}
    assert {r.key: r.previous for r in stored.rows} == {k: r.previous for k, r in rows.items()}
    stored_fire = league.league(make.user("department_admin", department="fire"), "district", 2026, "compliance", now)
    assert [(r.key, r.measures) for r in stored_fire.rows] == [(r.key, r.measures) for r in live_fire.rows]


def test_a_department_sees_its_own_department_row(world, make, db, login):
    part = world.visit(make.institution(), date(2026, 3, 1), department="fire", failed_count=0)
    world.part(part.visit_id, "health")
    browser = login(make.user("department_admin", department="fire"))
    html = browser.get("/ranking/league?kind=department&year=2026").get_data(as_text=True)
    assert 'data-key="fire"' in html and 'data-key="health"' not in html
    assert browser.get("/ranking/league?kind=department&year=1999").status_code == 200
    assert browser.get("/ranking/what-if").status_code == 403


def _fingerprint(db) -> str:
    """A digest of every row of every table (the audit trail aside)."""
    from inspect_app.extensions import db as _db
    digest = hashlib.sha256()
    for table in _db.metadata.sorted_tables:
        if table.name in ("audit_event", "login_session"):
            continue
        for row in db.session.execute(select(table).order_by(*table.primary_key.columns)).all():
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_what_if_shows_who_moves_and_writes_nothing(world, make, db, login):
    a, b, c, d = _three(world, make)
    world.grade(a, 1, 400)
    standing.refresh()
    browser = login(make.user("bureau_admin"))
    before = _fingerprint(db)
    # Minor findings worth 60 points rank a and b below c (critical 50).
    page = browser.get("/ranking/what-if?g_minor_isolated=60&level_2=390&try=1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "data-whatif-result" in html
    assert html.count('data-move="up"') >= 2 and html.count('data-move="down"') >= 2
    db.session.expire_all()
    assert _fingerprint(db) == before
    bad = browser.get("/ranking/what-if?weight_1=0.9&try=1")
    assert bad.status_code == 422 and "weight_1" in bad.get_data(as_text=True)
    assert browser.get("/ranking/what-if?g_major_pattern=abc").status_code == 422
    assert _fingerprint(db) == before
