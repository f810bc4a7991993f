"""The visits list: each filter and sort, the export of exactly the filtered rows, and the
viewer's scope (another department's visits, another inspector's, another institution's never
appear, in the list or in the export)."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict

from inspect_app.inspections.services import create_visit, listing

D1, D2, D3, D4 = date(2026, 5, 4), date(2026, 5, 12), date(2026, 5, 20), date(2026, 6, 2)


@pytest.fixture
def world(make, db):
    east = make.institution(name="东湖养老院", district="甲区")
    west = make.institution(name="西山敬老院", district="乙区")
    fire1, fire2 = make.user("inspector", department="fire", name="消防甲"), make.user("inspector", department="fire", name="消防乙")
    health1 = make.user("inspector", department="health", name="卫健甲")
    health2, fire3 = make.user("inspector", department="health", name="卫健乙"), make.user("inspector", department="fire", name="消防丙")
    visits = {
        "fire_east": create_visit(None, east.id, D1, {"fire": [fire1.id, fire2.id]}, "routine"),
        "health_west": create_visit(None, west.id, D2, {"health": [health1.id, health2.id]}, "complaint"),
        "joint_west": create_visit(None, west.id, D3, {"fire": [fire2.id, fire3.id], "health": [health1.id, health2.id]}, "random"),
        "grading_east": create_visit(None, east.id, D4, {"civil_affairs": [make.user("inspector", department="civil_affairs").id]},
                                     "grading", kind="grading"),
    }
    visits["health_west"].status = "completed"
    db.session.flush()
    return {"east": east, "west": west, "fire1": fire1, "fire2": fire2, "health1": health1, "visits": visits}


def _ids(user, args):
    query, choices = listing.visit_query(user, MultiDict(args))
    assert query.problems == ()
    return [v.id for v in listing.search_visits(user, query, choices).page.items]


CASES = {
    "q": ([("q", "西山")], {"health_west", "joint_west"}),
    "department": ([("department", "health")], {"health_west", "joint_west"}),
    "district": ([("district", "甲区")], {"fire_east", "grading_east"}),
    "inspector": ([("inspector", "__FIRE2__")], {"fire_east", "joint_west"}),
    "status": ([("status", "completed")], {"health_west"}),
    "purpose": ([("purpose", "complaint")], {"health_west"}),
    "kind": ([("kind", "grading")], {"grading_east"}),
    "date_range": ([("date_from", D2.isoformat()), ("date_to", D3.isoformat())], {"health_west", "joint_west"}),
}


@pytest.mark.parametrize("name", CASES)
def test_each_visit_filter_keeps_exactly_the_matching_visits(world, make, name):
    args, keep = CASES[name]
    args = [(k, str(world["fire2"].id) if v == "__FIRE2__" else v) for k, v in args]
    expected = sorted(world["visits"][k].id for k in keep)
    assert sorted(_ids(make.user("bureau_admin"), args)) == expected


def test_visits_sort_by_date_institution_and_status(world, make):
    bureau = make.user("bureau_admin")
    v = world["visits"]
    assert _ids(bureau, []) == [v[k].id for k in ("grading_east", "joint_west", "health_west", "fire_east")]
    assert _ids(bureau, [("sort", "date")]) == [v[k].id for k in ("fire_east", "health_west", "joint_west", "grading_east")]
    assert _ids(bureau, [("sort", "institution"), ("district", "乙区")]) == sorted([v["health_west"].id, v["joint_west"].id])
    assert _ids(bureau, [("sort", "status")])[0] == v["health_west"].id          # completed < planned


def test_visit_export_is_exactly_the_list_with_teams_and_dates(world, make, login):
    browser = login(make.user("bureau_admin"))
    response = browser.get("/inspections/visits.xlsx?district=%E4%B9%99%E5%8C%BA&sort=date")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in ws[1]][:4] == ["编号", "日期", "截止日期", "机构"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:L3"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [world["visits"]["health_west"].id, world["visits"]["joint_west"].id]
    assert ws.cell(row=2, column=2).is_date and rows[0][1].date() == D2
    assert rows[1][10] == "消防救援：消防乙（组长）、消防丙；卫生健康：卫健甲（组长）、卫健乙"
    assert browser.get("/inspections/visits.xlsx?date_from=May").status_code == 400


def test_visit_list_and_export_show_only_what_the_viewer_may_see(world, make, login):
    v = world["visits"]
    health_admin = login(make.user("department_admin", department="health"))
    html = health_admin.get("/inspections/visits").get_data(as_text=True)
    assert f'data-visit-id="{v["health_west"].id}"' in html and f'data-visit-id="{v["fire_east"].id}"' not in html
    ws = load_workbook(io.BytesIO(health_admin.get("/inspections/visits.xlsx").data)).active
    assert {r[0] for r in ws.iter_rows(min_row=2, values_only=True)} == {v["health_west"].id, v["joint_west"].id}
    assert "list-problems" in health_admin.get("/inspections/visits?department=fire").get_data(as_text=True)

    fire1 = login(world["fire1"])
    ws = load_workbook(io.BytesIO(fire1.get("/inspections/visits.xlsx").data)).active
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == [v["fire_east"].id]
    assert "list-problems" in fire1.get(f"/inspections/visits?inspector={world['fire2'].id}").get_data(as_text=True)

    staff = login(make.user("institution_staff", institution_id=world["west"].id))
    ws = load_workbook(io.BytesIO(staff.get("/inspections/visits.xlsx").data)).active
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == [v["health_west"].id]    # completed only
