"""A plan's scope (districts, institution types, departments) is picked from checkbox lists,
with a search box for long ones; ticking several saves them all."""
from __future__ import annotations


def test_plan_scope_is_picked_from_checkbox_lists_with_search_for_long_ones(make, login, db):
    for n in range(9):
        make.institution(district=f"第{n}区")
    browser = login(make.user("bureau_admin"))
    html = browser.get("/planning/plans/new").get_data(as_text=True)
    assert "<select multiple" not in html and html.count("data-pick") >= 3
    districts = html.split('name="districts"', 1)[0].rsplit("<fieldset", 1)[1]
    assert "data-pick-search" in districts                         # nine districts: a search box
    assert 'name="departments" type="checkbox" value="fire"' in html


def test_a_plans_stored_scope_is_ticked_on_its_edit_page(make, login, db):
    from tests.planning.conftest import make_plan
    make.institution(district="东区")
    plan = make_plan(db, None, districts=["东区"], departments=["fire", "health"])
    html = login(make.user("bureau_admin")).get(f"/planning/plans/{plan.id}/edit").get_data(as_text=True)
    assert 'name="districts" type="checkbox" value="东区" checked' in html
    assert 'value="fire" checked' in html and 'value="health" checked' in html
    assert 'value="civil_affairs" checked' not in html
