"""The dashboard's counts and charts on the hand-counted world of conftest.py."""
from __future__ import annotations

import re
from datetime import timedelta
from fractions import Fraction

import pytest
import time_machine
from werkzeug.datastructures import MultiDict

from inspect_app.core.types import local_today
from inspect_app.overview import dashboard
from inspect_app.rectification.policy import current as supervision
from tests.overview.conftest import NOW


def _view(user, args=None):
    query, _ = dashboard.read_filters(user, MultiDict(args or {}))
    return query


def _counts(app, user, args=None):
    with app.test_request_context():
        groups = dashboard.counts(user, _view(user, args), local_today(NOW), NOW)
    return {c.key: c for g in groups for c in g.counts}


def _charts(app, user, args=None, now=NOW):
    rule = supervision()
    with app.test_request_context():
        charts = dashboard.charts(user, _view(user, args), local_today(now), now,
                                  __import__("zoneinfo").ZoneInfo(rule.local_timezone), rule.local_timezone)
    return {c.key: c for c in charts}


def test_counts_of_the_bureau(app, make, world):
    bureau = make.user("bureau_admin")
    counts = _counts(app, bureau, {"district": "东城区"})
    assert counts["findings_open"].value == 1            # A's FIRE-03
    assert counts["overdue_none"].value == 1
    counts = _counts(app, bureau)
    assert counts["findings_open"].value == 2 and counts["findings_due_week"].value == 1
    mine = {k: c.value for k, c in counts.items()}
    for key in ("visits_today", "visits_overdue", "findings_due_week", "in_publicity", "expiring",
                "applications", "to_confirm", "blacklist"):
        assert key in mine


def test_counts_of_a_department_are_its_own(app, make, world):
    fire = _counts(app, make.user("department_admin", department="fire"), {"district": "西城区"})
    assert fire["findings_open"].value == 1               # B's open FIRE-03
    assert fire["findings_due_week"].value == 1           # due by the end of 03-19
    assert fire["overdue_none"].value == 0
    health = _counts(app, make.user("department_admin", department="health"), {"district": "西城区"})
    assert health["findings_open"].value == 0 and health["findings_due_week"].value == 0


def test_each_count_is_the_total_of_the_list_it_links_to(app, make, world, login):
    fire = make.user("department_admin", department="fire")
    counts = _counts(app, fire, {"district": "西城区"})
    with time_machine.travel(NOW, tick=False):
        browser = login(fire)
        for key in ("findings_open", "findings_due_week", "overdue_none", "to_decide"):
            page = browser.get(counts[key].url).get_data(as_text=True)
            found = re.search(r"<h1>[^<]*<small class=\"muted\">([^<]*)</small>", page)
            assert found and re.search(rf"\b{counts[key].value}\b", found.group(1)), (key, counts[key].url)


def test_the_finding_counts_counted_together_are_each_lists_total(app, make, world):
    """One statement counts every list (a FILTER per list); each equals its list counted alone,
    and a list of closed findings (not all unresolved) is counted on its own."""
    from inspect_app.rectification import lists

    bureau = make.user("bureau_admin")
    choices = lists.finding_choices(bureau)
    argsets = [{}, {"district": "东城区"}, {"overdue": "1", "rung": "none"}, {"state": "responded"},
               {"awaiting": "1"}, {"deadline_from": "2026-03-16", "deadline_to": "2026-03-22"}, {"severity": "major"}]
    queries = [dashboard.parse(lists.FINDINGS, MultiDict(a), dashboard.codes(choices)) for a in argsets]
    alone = [dashboard._number(lists.findings_select(bureau, q, NOW)) for q in queries]
    assert alone == [2, 1, 1, 0, 0, 1, 2]
    together, unresolved = [], dashboard.Unresolved()
    dashboard.count_findings(bureau, queries, NOW, together.extend, unresolved)
    assert together == []                     # counted when the page's counts are made
    unresolved.run()
    assert together == alone
    closed = dashboard.parse(lists.FINDINGS, MultiDict({"state": "closed"}), dashboard.codes(choices))
    apart = []
    dashboard.count_findings(bureau, [queries[0], closed], NOW, apart.extend)
    assert apart == [2, 2]


def test_the_page_makes_its_counts_of_unresolved_findings_in_one_statement(app, make, world, db):
    """The board's finding counts and ageing chart are the ones counts() and charts() make
    one by one, and all of them come from one statement over the unresolved findings."""
    from sqlalchemy import event

    bureau = make.user("bureau_admin")
    rule = supervision()
    tz = __import__("zoneinfo").ZoneInfo(rule.local_timezone)
    for args in (None, {"district": "东城区"}, {"type": "day_care"}, {"department": "fire"}):
        seen = []

        def note(conn, cursor, statement, *rest):
            seen.append(statement)
        event.listen(db.engine, "before_cursor_execute", note)
        try:
            with app.test_request_context():
                groups, charts = dashboard.board(bureau, _view(bureau, args), local_today(NOW), NOW, tz,
                                                 rule.local_timezone)
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        assert sum("FILTER (WHERE" in s and "FROM finding" in s for s in seen) == 1, args
        assert {c.key: (c.value, c.alert) for g in groups for c in g.counts} == \
            {k: (c.value, c.alert) for k, c in _counts(app, bureau, args).items()}, args
        assert {c.key: c.rows for c in charts} == {k: c.rows for k, c in _charts(app, bureau, args).items()}, args


def test_on_time_rate_by_department(app, make, world):
    bureau = make.user("bureau_admin")
    east = _charts(app, bureau, {"district": "东城区"})["on_time"]
    assert [row[1:] for row in east.rows] == [[1, 1, Fraction(1, 2)]]      # A: one on time, one open past due
    every = _charts(app, bureau)["on_time"]
    assert [row[1:] for row in every.rows] == [[1, 2, Fraction(1, 3)]]     # B's open one is not yet due
    assert every.series[0][1] == [33.3]
    assert _charts(app, bureau, {"department": "health"})["on_time"].rows == []     # no findings: no rate


def test_a_contested_finding_is_not_counted_while_the_reply_is_decided(app, make, world, db):
    world.a_major.state = "contested"          # open past its deadline, but its clock stands still
    db.session.flush()
    east = _charts(app, make.user("bureau_admin"), {"district": "东城区"})["on_time"]
    assert [row[1:] for row in east.rows] == [[1, 0, Fraction(1)]]


def test_ageing_and_months_on_one_district(app, make, world):
    charts = _charts(app, make.user("bureau_admin"), {"district": "西城区"})
    ageing = charts["ageing"]
    assert [row[1:] for row in ageing.rows] == [[0, 1], [0, 0], [0, 0], [0, 0]]   # 7 days old, not due
    charts = _charts(app, make.user("bureau_admin"), {"district": "东城区"})
    assert [row[1:] for row in charts["ageing"].rows] == [[0, 0], [1, 0], [0, 0], [0, 0]]   # 14 days, overdue
    months = _charts(app, make.user("bureau_admin"), {"district": "西城区", "date_from": "2026-03-01",
                                                       "date_to": "2026-03-31"})["findings_month"]
    assert months.rows == [["2026-03", 2]]


def test_roles_get_their_own_charts(app, make, world):
    assert set(_charts(app, make.user("bureau_admin"))) == {"grades_district", "grades_type", "findings_month",
                                                            "ageing", "on_time"}
    assert set(_charts(app, make.user("inspector", department="fire"))) == {"findings_month", "ageing"}
    assert set(_charts(app, make.user("institution_staff", institution_id=world.a.id))) == {"ageing"}


def test_bad_filters_are_named_and_left_out(make, login, world):
    browser = login(make.user("bureau_admin"))
    response = browser.get("/?district=%E6%97%A0%E6%AD%A4%E5%8C%BA&date_from=2026-13-01&type=castle")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "list-problems" in page and "date_from" in page and "castle" in page


def test_every_chart_has_its_data_table_and_the_page_loads_no_inline_script(make, login, world):
    with time_machine.travel(NOW, tick=False):
        page = login(make.user("bureau_admin")).get("/").get_data(as_text=True)
    charts = re.findall(r'data-chart="([a-z_]+)"', page)
    assert set(charts) == {"grades_district", "grades_type", "findings_month", "ageing", "on_time"}
    assert page.count('<details class="chart-table"') == len(charts)
    assert "/static/vendor/echarts.min.js" in page
    for script in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page):
        assert 'type="application/json"' in script or 'type="application/ld+json"' in script


def test_grade_counts_and_the_expiring_list(app, make, db, login):
    from datetime import date, timedelta

    from tests.grading.conftest import GradingMaker
    today = local_today()
    grading = GradingMaker(db, make)
    grading.publicised(make.institution(filed_on=date(2015, 1, 1)), today=today)
    expiring = grading.confirmed(make.institution(name="将到期养老院", filed_on=date(2015, 1, 1)),
                                 effective_on=date(today.year - 3, today.month, 1) + timedelta(days=40))
    grading.confirmed(make.institution(name="新评定养老院", filed_on=date(2015, 1, 1)), effective_on=today)
    bureau = make.user("bureau_admin")
    with app.test_request_context():
        counts = {c.key: c.value for g in dashboard.counts(bureau, _view(bureau), today, NOW) for c in g.counts}
    soon = 1 if expiring.expires_on <= today + timedelta(days=90) else 0
    assert counts["in_publicity"] == 1 and counts["expiring"] == soon == 1
    page = login(bureau).get("/grades/expiring").get_data(as_text=True)
    assert "将到期养老院" in page and "新评定养老院" not in page


def test_plan_progress_counts_the_draws_visits(app, make, db):
    from datetime import date, timedelta

    from inspect_app.core.types import utcnow
    from inspect_app.inspections.models import Visit
    from inspect_app.planning.models import PlanRun
    from tests.planning.conftest import make_plan
    today = local_today()
    plan = make_plan(db)
    run = PlanRun(plan_id=plan.id, period_key="t", period_start=today - timedelta(days=10),
                  period_end=today + timedelta(days=10), kind=plan.kind, state="drawn", created_at=utcnow())
    db.session.add(run)
    db.session.flush()
    for status in ("completed", "planned", "completed"):
        db.session.add(Visit(institution_id=make.institution().id, scheduled_for=today, status=status,
                             source=run.source_key, created_at=utcnow()))
    db.session.flush()
    rows = dashboard.plan_progress(make.user("bureau_admin"), today)
    assert [(r.run.id, r.planned, r.done) for r in rows] == [(run.id, 3, 2)]
    assert dashboard.plan_progress(make.user("inspector"), today) == []
    assert dashboard.plan_progress(make.user("bureau_admin"), date(2001, 1, 1)) == []


def test_the_charts_library_is_served_from_the_installed_package(client):
    """Apache ECharts comes from the npm package (package-lock.json), served from this origin."""
    from inspect_app.config import PROJECT_ROOT
    if not (PROJECT_ROOT / "node_modules" / "echarts" / "dist" / "echarts.min.js").exists():
        pytest.skip("the front-end packages are not installed (npm ci)")
    response = client.get("/static/vendor/echarts.min.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert b"echarts" in response.get_data()[:4096]


APRIL = NOW + timedelta(days=35)          # 2026-04-20: March is over


def _tables(app, user, args=None, now=APRIL):
    charts = _charts(app, user, args, now)
    return {k: charts[k].rows for k in ("findings_month", "on_time") if k in charts}, charts


def test_months_that_are_over_are_read_from_the_stored_counts_and_equal_the_live_count(app, make, world, db):
    from inspect_app.ranking import monthly

    bureau, fire = make.user("bureau_admin"), make.user("department_admin", department="fire")
    views = [(bureau, None), (bureau, {"district": "西城区"}), (bureau, {"date_from": "2026-03-01"}),
             (bureau, {"date_from": "2026-03-01", "date_to": "2026-04-10"}),
             (bureau, {"date_from": "2026-03-05", "date_to": "2026-03-31"}), (fire, None),
             (bureau, {"department": "health"}), (bureau, {"type": "day_care"})]
    live = [_tables(app, user, args) for user, args in views]
    assert all(charts["findings_month"].stored is None for _, charts in live)
    # At 2026-04-20 A's open FIRE-03 and B's second are both past due: on time 1, late 3.
    assert [row[1:] for row in live[0][0]["on_time"]] == [[1, 3, Fraction(1, 4)]]
    assert monthly.store(APRIL) == 2                       # March: fire at 东城区 and at 西城区
    stored = monthly.stored()
    assert stored.until == "2026-04" and stored.at == APRIL
    for (user, args), (tables, _) in zip(views, live):
        again, charts = _tables(app, user, args)
        assert again == tables, args
        whole_march = not args or args.get("date_from") == "2026-03-01" or "district" in args or "department" in args or "type" in args
        assert (charts["findings_month"].stored is not None) == whole_march, args
    assert _charts(app, make.user("inspector", department="fire"), None, APRIL)["findings_month"].stored is None
    # The stored counts stand for March until the next refresh: a finding withdrawn since is
    # still counted there, and no longer after the refresh.
    world.b_open.state = "withdrawn"
    db.session.flush()
    assert _tables(app, bureau)[0]["findings_month"][-2] == ["2026-03", 4]
    # (part of a month is counted live: the withdrawal shows at once)
    assert _tables(app, bureau, {"date_from": "2026-03-05"})[0]["findings_month"] == [["2026-03"], ["2026-04"]]
    monthly.store(APRIL)
    assert _tables(app, bureau)[0]["findings_month"][-2] == ["2026-03", 3]


def test_the_page_says_when_the_stored_counts_were_made(app, make, world, login):
    from inspect_app.ranking import monthly

    monthly.store(APRIL)
    with time_machine.travel(APRIL, tick=False):
        page = login(make.user("bureau_admin")).get("/").get_data(as_text=True)
    assert re.findall(r'data-stored="([a-z_]+)"', page) == ["findings_month", "on_time"]
    assert "2026-04" in page
