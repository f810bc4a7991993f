"""A visit to a meal point (老年助餐点) filled on a tablet: the form is the meal-service
checklist of its facility type, at tablet width, shows each item's legal basis apart from
what is only a local rule, and the submit stores exactly the answers given with one
follow-up job (findings and the notice: tests/community/test_community_visits.py)."""
from __future__ import annotations

import pytest

from tests.browser.tablet_form import (answer_visible_step, checklist_plan, create_world, draw_signature, new_tablet,
                                       next_step, open_form, photo_items, remove_world, same_answer, sign_in,
                                       small_jpeg, stored_state, visible_step, wait_synced)

pytestmark = pytest.mark.browser


@pytest.fixture
def meal_visit(app):
    world = create_world(app, ("civil_affairs",), institution={
        "name": "平板检查东风社区老年助餐点", "type": "meal_point", "beds": 0, "nursing_beds": 0})
    yield world
    remove_world(app, world)


def test_a_meal_point_visit_is_filled_on_a_tablet_with_its_own_checklist(app, live_server, chromium, meal_visit):
    part = meal_visit.parts["civil_affairs"]
    assert part.checklist_id == "meal-service"
    plan = checklist_plan(app, part.checklist_id, fail=("MEAL-16", "MEAL-20"), na=("MEAL-02", "MEAL-13"))
    remarks = {"MEAL-16": "取餐处未标示补贴后价格", "MEAL-20": "3号老人同一午餐记录两次补贴"}
    photos = {item: small_jpeg() for item in photo_items(app, part.checklist_id, plan)}
    assert set(photos) == {"MEAL-16", "MEAL-20"}

    context, page = new_tablet(chromium)
    try:
        sign_in(page, live_server, part.inspector)
        open_form(page, live_server, part.inspection_id)
        assert page.evaluate("document.documentElement.scrollWidth") <= 768, "form wider than the tablet"
        form_text = page.locator("#inspection-form").text_content()      # every step, shown or not
        assert "老年助餐服务（老年食堂、助餐点）检查表" in page.content()
        assert "明码标价和禁止价格欺诈规定" in form_text            # the item's legal basis
        assert "大民规〔2025〕5号" in form_text                      # a local rule, shown as reference
        answered = []
        while True:
            answered += answer_visible_step(page, plan, remarks, photos)
            if not next_step(page) or not visible_step(page).locator("fieldset.item").count():
                break
        assert sorted(answered) == sorted(plan)
        wait_synced(page)
        page.fill("input[name=representative_name]", "王站长")
        draw_signature(page, "inspector")
        draw_signature(page, "representative")
        page.locator("#submit-inspection").tap()
        wait_synced(page, "submitted")
    finally:
        context.close()

    state = stored_state(app, part.inspection_id)
    assert state["status"] == "submitted" and state["signed"] and state["jobs"] == 1
    assert state["answer_rows"] == len(plan) == 21
    assert all(same_answer(state["answers"][item][0], value) for item, value in plan.items())
    assert {item: state["answers"][item][1] for item in remarks} == remarks
    assert sorted(state["evidence"]) == sorted(photos)
    assert state["visit_status"] == "completed"
