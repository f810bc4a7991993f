"""Odd weeks in the calendar, odd versions and concurrent edits of a plan: a message, never
a server error."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from inspect_app.core.errors import Conflict
from inspect_app.planning import plans
from tests.planning.conftest import make_plan


@pytest.mark.parametrize("week", ["0001-W01", "9999-W52", "9999-W99", "1899-W52", "٢٠٢٦-W10", "2026-W60"])
def test_a_week_outside_the_calendar_shows_this_week_with_a_message(db, make, login, week):
    browser = login(make.user("bureau_admin"))
    response = browser.get(f"/planning/calendar?week={week}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is no such week" in html or "没有这一周" in html
    from inspect_app.core.types import utcnow
    from inspect_app.domain.planning.plans import local_date
    from inspect_app.planning.calendar import parse_week, week_key
    assert week_key(parse_week(None, local_date(utcnow()))) in html


def test_a_week_at_the_edge_of_the_range_links_both_neighbours(db, make, login):
    browser = login(make.user("bureau_admin"))
    html = browser.get("/planning/calendar?week=1900-W01").get_data(as_text=True)
    assert "week=1899-W52" in html and "week=1900-W02" in html
    assert browser.get("/planning/calendar?week=2999-W52").status_code == 200


@pytest.mark.parametrize("version", ["²", "99999999999999999999999"])
def test_an_odd_version_in_the_plan_form_is_a_conflict_message(db, make, login, version):
    plan = make_plan(db, make.user("bureau_admin"))
    browser = login(make.user("bureau_admin"))
    url = f"/planning/plans/{plan.id}/edit"
    response = browser.post(url, {"name": "新名称", "version": version}, token_from=url)
    assert response.status_code == 422
    db.session.refresh(plan)
    assert plan.name != "新名称"


def test_a_plan_committed_by_someone_else_during_the_edit_is_a_conflict(db, make):
    admin = make.user("bureau_admin")
    plan = make_plan(db, admin)
    seen = plan.version
    values = {k: getattr(plan, k) for k in plan.EDITABLE} | {"name": "改过的名称"}
    # the other edit lands after this request read the row (its identity map holds the old one)
    db.session.execute(text("UPDATE plan SET version = version + 1 WHERE id = :i"), {"i": plan.id})
    with pytest.raises(Conflict):
        plans.update_plan(admin, plan.id, values, seen)
    db.session.rollback()
