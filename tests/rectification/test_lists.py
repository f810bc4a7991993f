"""The finding and notice lists: each filter, each sort, paging, the URL keeping the filters,
the Excel export of exactly the filtered rows, and the viewer's scope (another department's,
institution's or team's rows never appear, in the list or in the export)."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict

from inspect_app.domain.rectification import ladder as dl
from inspect_app.rectification import lists
from inspect_app.rectification import policy as policies

from .conftest import T0

NOW = T0 + timedelta(days=4)          # FIRE-01 (3 days) is overdue, the others are not


@pytest.fixture
def world(make, rect, db):
    east = make.institution(name="东湖养老院", district="甲区")
    west = make.institution(name="西山敬老院", district="乙区")
    inspector = make.user("inspector", department="fire")
    fire_notice, fire = rect.findings(east, now=T0, failed=("FIRE-01", "FIRE-03", "FIRE-06"),
                                      inspectors=(inspector,))
    health_notice, health = rect.findings(west, now=T0 + timedelta(days=5), failed=("HLTH-03",),
                                          department="health", checklist="health-hygiene")
    fire["FIRE-06"].state = "closed"
    fire["FIRE-06"].next_due_at = None
    fire["FIRE-01"].escalation_level = 2          # reached the second escalation rung (interview)
    db.session.flush()
    found = {**fire, **health}
    return {"east": east, "west": west, "inspector": inspector, "found": found,
            "notices": {"fire": fire_notice, "health": health_notice}}


def _ids(user, args, now=NOW):
    query, choices = lists.finding_query(user, MultiDict(args))
    assert query.problems == ()
    listing = lists.search_findings(user, query, choices, now=now)
    return [f.id for f in listing.page.items]


def _day(f):
    return dl.local_day(f.deadline_at, policies.tz())


# (query arguments, which findings they keep) — checked against every finding of the world
FILTERS = {
    "q": ([("state", ""), ("q", "东湖")], lambda f: f.institution.name == "东湖养老院"),
    "q_credit_code": ([("q", "__CODE__")], lambda f: f.institution.name == "西山敬老院"),
    "department": ([("department", "health")], lambda f: f.department == "health"),
    "district": ([("state", ""), ("district", "甲区")], lambda f: f.institution.district == "甲区"),
    "severity": ([("severity", "critical")], lambda f: f.severity == "critical"),
    "severities": ([("state", ""), ("severity", "critical"), ("severity", "minor")],
                   lambda f: f.severity in ("critical", "minor")),
    "state_default_unresolved": ([], lambda f: f.state != "closed"),
    "state_closed": ([("state", "closed")], lambda f: f.state == "closed"),
    "state_any": ([("state", ""), ("severity", "minor")], lambda f: f.severity == "minor"),
    "deadline_range": ([("state", ""), ("deadline_from", "__D1__"), ("deadline_to", "__D1__")],
                       lambda f: f.item_id == "FIRE-03"),
    "deadline_from": ([("state", ""), ("deadline_from", "__D1__")], lambda f: f.item_id != "FIRE-01"),
    "rung": ([("rung", "interview")], lambda f: f.item_id == "FIRE-01"),
    "rung_none": ([("rung", "none")], lambda f: f.item_id in ("FIRE-03", "HLTH-03")),
    "overdue": ([("overdue", "1")], lambda f: f.item_id == "FIRE-01"),
}


@pytest.mark.parametrize("name", FILTERS)
def test_each_finding_filter_keeps_exactly_the_matching_rows(world, make, name):
    args, keep = FILTERS[name]
    found = world["found"]
    substitutes = {"__CODE__": world["west"].credit_code[:12], "__D1__": _day(found["FIRE-03"]).isoformat()}
    args = [(k, substitutes.get(v, v)) for k, v in args]
    expected = sorted(f.id for f in found.values() if keep(f))
    assert expected and len(expected) < len(found), "the case must tell rows apart"
    assert sorted(_ids(make.user("bureau_admin"), args)) == expected


def test_sorting_by_each_whitelisted_column_and_direction(world, make):
    bureau = make.user("bureau_admin")
    f = world["found"]
    by_deadline = sorted(f.values(), key=lambda x: (x.deadline_at, x.id))
    everything = [("state", "")]
    assert _ids(bureau, everything) == [x.id for x in by_deadline]
    assert _ids(bureau, everything + [("sort", "-deadline")]) == [x.id for x in reversed(by_deadline)]
    rank = {"critical": 0, "major": 1, "minor": 2}
    assert _ids(bureau, everything + [("sort", "severity")]) == [
        x.id for x in sorted(f.values(), key=lambda x: (rank[x.severity], x.id))]
    assert _ids(bureau, everything + [("sort", "institution")])[-1] == f["HLTH-03"].id   # 西 after 东
    assert _ids(bureau, everything + [("sort", "-id")]) == sorted((x.id for x in f.values()), reverse=True)
    assert _ids(bureau, everything + [("sort", "state")])[0] == f["FIRE-06"].id          # closed < open


def test_unknown_values_are_left_out_with_a_located_note_and_exports_refuse_them(world, make, login):
    bureau = make.user("bureau_admin")
    query, _ = lists.finding_query(bureau, MultiDict([("severity", "zz"), ("severity", "critical"),
                                                      ("sort", "password"), ("deadline_from", "2026-02-30"),
                                                      ("state", "gone"), ("page", "x"), ("lang", "en")]))
    assert [where for where, _ in query.problems] == ["severity", "state", "deadline_from", "sort", "page"]
    assert query["severity"] == ("critical",) and query["state"] == "unresolved"
    browser = login(bureau)
    page = browser.get("/rectification/?severity=zz&sort=password")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "list-problems" in html and "password" in html
    refused = browser.get("/rectification/findings.xlsx?severity=zz")
    assert refused.status_code == 400 and "severity" in refused.get_data(as_text=True)
    assert browser.get("/rectification/notices.xlsx?issued_from=yesterday").status_code == 400


def test_the_url_keeps_filters_and_sort_in_every_link(world, make, login):
    bureau = make.user("bureau_admin")
    html = login(bureau).get("/rectification/?severity=critical&severity=major&district=%E7%94%B2%E5%8C%BA"
                             "&sort=-deadline").get_data(as_text=True)
    export = next(line for line in html.splitlines() if "findings.xlsx" in line)
    for part in ("severity=critical", "severity=major", "district=%E7%94%B2%E5%8C%BA", "sort=-deadline"):
        assert part in export
    assert 'name="sort" value="-deadline"' in html                     # the filter form keeps the sort
    assert "sort=deadline" in html                                    # the header flips the direction


def test_paging_keeps_the_filters(make, login, rect):
    inst = make.institution(name="多问题养老院")
    for n in range(7):                    # 4 major findings each: 28, two pages
        rect.findings(inst, now=T0 + timedelta(minutes=n), failed=("FIRE-01", "FIRE-03", "FIRE-04", "FIRE-06",
                                                                    "FIRE-07", "FIRE-08"))
    browser = login(make.user("bureau_admin"))
    first = browser.get("/rectification/?severity=major&sort=id").get_data(as_text=True)
    assert first.count("data-finding-id=") == 25
    assert "page=2" in first and "severity=major" in first.split("page=2")[0].rsplit("href=", 1)[-1]
    second = browser.get("/rectification/?severity=major&sort=id&page=2").get_data(as_text=True)
    assert 0 < second.count("data-finding-id=") < 25


def _sheet(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data)).active


def test_the_export_holds_exactly_the_filtered_rows_formatted(world, make, login, db):
    world["west"].name = "=HYPERLINK(\"http://evil.example\")西山"
    db.session.flush()
    browser = login(make.user("bureau_admin"))
    args = "state=&severity=minor&severity=critical&sort=-deadline"
    ws = _sheet(browser.get(f"/rectification/findings.xlsx?{args}"))
    header = [c.value for c in ws[1]]
    assert header[:3] == ["编号", "机构", "统一社会信用代码"] and "整改期限" in header and "已到梯级" in header
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:O{ws.max_row}"
    assert ws.column_dimensions["G"].width == 50
    ids = [row[0].value for row in ws.iter_rows(min_row=2)]
    query, choices = lists.finding_query(make.user("bureau_admin"), MultiDict(
        [("state", ""), ("severity", "minor"), ("severity", "critical"), ("sort", "-deadline")]))
    assert ids == [f.id for f in lists.search_findings(make.user("bureau_admin"), query, choices).page.items]
    assert len(ids) == 3
    deadline = ws.cell(row=2, column=header.index("整改期限") + 1)
    assert deadline.is_date and deadline.number_format == "yyyy-mm-dd"
    names = [row[1].value for row in ws.iter_rows(min_row=2)]
    assert "'=HYPERLINK(\"http://evil.example\")西山" in names          # formula-safe
    rungs = {row[0].value: row[11].value for row in ws.iter_rows(min_row=2)}
    assert "约谈" in rungs[world["found"]["FIRE-01"].id]


def test_another_departments_findings_never_appear_in_the_list_or_the_export(world, make, login):
    fire_admin = login(make.user("department_admin", department="fire"))
    html = fire_admin.get("/rectification/?state=").get_data(as_text=True)
    assert "FIRE-01" in html and "HLTH-03" not in html and "西山敬老院" not in html
    asked = fire_admin.get("/rectification/?state=&department=health").get_data(as_text=True)
    assert "list-problems" in asked and "HLTH-03" not in asked
    ws = _sheet(fire_admin.get("/rectification/findings.xlsx?state="))
    assert {row[5].value for row in ws.iter_rows(min_row=2)} == {"FIRE-01", "FIRE-03", "FIRE-06"}
    notices = _sheet(fire_admin.get("/rectification/notices.xlsx"))
    assert [row[0].value for row in notices.iter_rows(min_row=2)] == [world["notices"]["fire"].code]


def test_institution_staff_and_inspectors_see_and_export_only_their_own(world, make, login):
    staff = login(make.user("institution_staff", institution_id=world["west"].id))
    assert "FIRE-0" not in staff.get("/rectification/?state=").get_data(as_text=True)
    ws = _sheet(staff.get("/rectification/findings.xlsx?state=&q=%E4%B8%9C%E6%B9%96"))   # asks for 东湖
    assert ws.max_row == 1
    assert [r[5].value for r in _sheet(staff.get("/rectification/findings.xlsx?state=")).iter_rows(min_row=2)] == ["HLTH-03"]
    member = login(world["inspector"])
    ws = _sheet(member.get("/rectification/findings.xlsx?state="))
    assert {row[5].value for row in ws.iter_rows(min_row=2)} == {"FIRE-01", "FIRE-03", "FIRE-06"}
    outsider = login(make.user("inspector", department="fire"))
    assert _sheet(outsider.get("/rectification/findings.xlsx?state=")).max_row == 1
    assert _sheet(outsider.get("/rectification/notices.xlsx")).max_row == 1


def test_notice_filters_sorts_and_counts(world, make, login):
    bureau = make.user("bureau_admin")
    fire, health = world["notices"]["fire"], world["notices"]["health"]

    def ids(args):
        query, choices = lists.notice_query(bureau, MultiDict(args))
        assert query.problems == ()
        return [n.id for n in lists.search_notices(bureau, query, choices, now=NOW).page.items]

    assert ids([]) == [health.id, fire.id]                                  # newest first
    assert ids([("sort", "issued")]) == [fire.id, health.id]
    assert ids([("department", "fire")]) == [fire.id]
    assert ids([("district", "乙区")]) == [health.id]
    assert ids([("q", fire.code), ("department", "fire")]) == [fire.id]    # numbers run per department
    assert ids([("q", "2026-0999")]) == []
    assert ids([("q", "西山")]) == [health.id]
    assert ids([("overdue", "1")]) == [fire.id]
    assert ids([("state", "closed")]) == []
    assert ids([("issued_from", (T0 + timedelta(days=1)).date().isoformat())]) == [health.id]
    assert ids([("issued_to", T0.date().isoformat())]) == [fire.id]
    query, choices = lists.notice_query(bureau, MultiDict())
    counts = lists.search_notices(bureau, query, choices, now=NOW).extra["counts"]
    assert counts[fire.id] == (3, 2, 1)
    ws = _sheet(login(bureau).get("/rectification/notices.xlsx?sort=issued"))
    assert [row[0].value for row in ws.iter_rows(min_row=2)] == [fire.code, health.code]
    assert ws.cell(row=2, column=5).is_date
