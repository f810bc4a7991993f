"""A joint visit (联合检查) filled on tablets, end to end: two departments, two inspectors,
photos, an offline period with reloads, a queued submit, a double tap on submit, a re-posted
body, and a connection cut after the server committed. Afterwards the database must hold
exactly the answers given, once."""
from __future__ import annotations

import json

import pytest

from tests.browser.tablet_form import (Offline, answer_visible_step, checklist_plan, create_world, draw_signature,
                                       new_tablet, next_step, open_form, photo_items, post_json, remove_world,
                                       same_answer, sign_in, small_jpeg, stored_state, visible_step, wait_synced)

pytestmark = pytest.mark.browser


@pytest.fixture
def joint_visit(app):
    world = create_world(app, ("fire", "market_regulation"))
    yield world
    remove_world(app, world)


@pytest.fixture
def fire_visit(app):
    world = create_world(app, ("fire",))
    yield world
    remove_world(app, world)


def assert_holds_exactly(app, inspection_id, plan, remarks, photos, submission_id):
    state = stored_state(app, inspection_id)
    assert state["status"] == "submitted"
    assert state["submission_id"] == submission_id
    assert state["answer_rows"] == len(plan), "one answer row per item, no duplicates"
    assert set(state["answers"]) == set(plan)
    for item_id, given in plan.items():
        stored, remark = state["answers"][item_id]
        assert same_answer(stored, given), (item_id, stored, given)
        assert (remark or "") == remarks.get(item_id, ""), item_id
    assert sorted(state["evidence"]) == sorted(photos), "each photo stored once"
    assert state["jobs"] == 1, "one follow-up job per submitted part"
    assert state["signed"]
    return state


def submit_bodies(page):
    bodies = []
    page.on("request", lambda r: bodies.append(r.post_data) if r.method == "POST" and r.url.endswith("/submit") else None)
    return bodies


def test_joint_visit_filled_on_two_tablets_offline_and_double_submit(app, live_server, chromium, joint_visit):
    fire = joint_visit.parts["fire"]
    market = joint_visit.parts["market_regulation"]

    # --- The fire inspector: online for the first step, then the connection drops. -------------
    fire_plan = checklist_plan(app, fire.checklist_id, fail=("FIRE-07",), na=("FIRE-11",))
    fire_remarks = {"FIRE-07": "灭火器压力不足 <script>alert(1)</script>"}
    jpeg = small_jpeg()
    fire_photos = {item: jpeg for item in photo_items(app, fire.checklist_id, fire_plan)}
    assert {"FIRE-05", "FIRE-07", "FIRE-17"} <= set(fire_photos)

    context, page = new_tablet(chromium)
    try:
        sign_in(page, live_server, fire.inspector)
        open_form(page, live_server, fire.inspection_id)
        assert page.evaluate("document.documentElement.scrollWidth") <= 768, "form wider than the tablet"
        assert page.locator("section.step:not([hidden])").count() == 1, "one step at a time"
        first = answer_visible_step(page, fire_plan, fire_remarks, fire_photos)
        wait_synced(page)
        progress = page.locator('nav.steps a[data-step="1"] .progress').inner_text()
        assert progress == f"{len(first)}/{len(first)}"
        page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")
        submission_id = page.locator("#inspection-form").get_attribute("data-submission-id")
        assert submission_id
        stored = stored_state(app, fire.inspection_id)
        assert stored["status"] == "draft" and stored["submission_id"] == submission_id
        assert set(stored["answers"]) == set(first), "each answer is saved as it is given"

        with Offline(context) as offline:
            answered = set(first)
            while next_step(page) and visible_step(page).locator("fieldset.item").count():
                answered.update(answer_visible_step(page, fire_plan, fire_remarks, fire_photos))
                if len(answered) > 15:
                    break
            page.wait_for_selector('#sync-status[data-state="offline"]', state="attached")
            assert set(stored_state(app, fire.inspection_id)["answers"]) == set(first), "nothing reached the server"

            # A reload while offline: the service worker serves the page, IndexedDB the draft.
            page.reload()
            page.wait_for_selector('#inspection-form[data-ready="1"]', state="attached")
            assert offline.blocked > 0, "the worker's own network requests were cut"
            for item_id in answered:
                value = fire_plan[item_id]
                item = page.locator(f'fieldset.item[data-item-id="{item_id}"]')
                if item.get_attribute("data-type") == "check":
                    assert item.locator(f'input[type=radio][value="{value}"]').is_checked(), item_id
            assert page.locator('ul.photos li').count() >= len([i for i in fire_photos if i in answered])

            # The rest of the form, the signatures and the submit, all offline.
            steps = page.locator("section.step").evaluate_all("nodes => nodes.map(n => n.id)")
            while True:
                answer_visible_step(page, fire_plan, fire_remarks, fire_photos)
                if not next_step(page) or not visible_step(page).locator("fieldset.item").count():
                    break
            assert visible_step(page).get_attribute("id") == steps[-1]
            page.fill("input[name=representative_name]", "张三")
            draw_signature(page, "inspector")
            draw_signature(page, "representative")
            page.locator("#submit-inspection").tap()
            page.wait_for_selector('#inspection-form.locked', state="attached")
            page.wait_for_selector('#sync-status[data-state="offline"]', state="attached")
            assert stored_state(app, fire.inspection_id)["status"] == "draft"

            # Reload again: the queued submit survives and the form stays read-only.
            page.reload()
            page.wait_for_selector('#inspection-form[data-ready="1"]', state="attached")
            assert page.locator("#inspection-form.locked").count() == 1

        # Back online: the outbox is replayed in order (fresh CSRF token) and the submit lands.
        wait_synced(page, "submitted", timeout=30000)
        assert_holds_exactly(app, fire.inspection_id, fire_plan, fire_remarks, list(fire_photos), submission_id)
        assert stored_state(app, fire.inspection_id)["visit_status"] == "in_progress"
    finally:
        context.close()

    # --- The market-regulation inspector: online, double tap on submit. ------------------------
    market_plan = checklist_plan(app, market.checklist_id, fail=("FOOD-06",), na=("FOOD-25",))
    market_remarks = {"FOOD-06": "留样不足48小时"}
    market_photos = {item: small_jpeg((40, 120, 200)) for item in photo_items(app, market.checklist_id, market_plan)}
    context, page = new_tablet(chromium)
    try:
        sign_in(page, live_server, market.inspector)
        open_form(page, live_server, market.inspection_id)
        while True:
            answer_visible_step(page, market_plan, market_remarks, market_photos)
            if not next_step(page) or not visible_step(page).locator("fieldset.item").count():
                break
        wait_synced(page)
        page.fill("input[name=representative_name]", "李四")
        draw_signature(page, "inspector")
        draw_signature(page, "representative")
        bodies = submit_bodies(page)
        page.evaluate("""() => { const b = document.getElementById('submit-inspection');
                                  b.click(); b.click(); b.dispatchEvent(new Event('click')); }""")
        wait_synced(page, "submitted")
        assert bodies and len(set(bodies)) == 1, "a double tap sends one body (at most re-sent unchanged)"
        body = json.loads(bodies[0])
        state = assert_holds_exactly(app, market.inspection_id, market_plan, market_remarks, list(market_photos),
                                     body["submission_id"])

        # The same body again: the first result, nothing new stored.
        url = f"{live_server}/inspections/{market.inspection_id}/submit"
        again = post_json(page, url, bodies[0])
        assert again.status == 200, again.text()
        assert again.json()["status"] == "submitted"
        # The same id with another body: refused, the first submission stands.
        changed = dict(body, representative_name="王五")
        refused = post_json(page, url, changed)
        assert refused.status == 422
        after = assert_holds_exactly(app, market.inspection_id, market_plan, market_remarks, list(market_photos),
                                     body["submission_id"])
        assert after["digest"] == state["digest"]
        assert after["visit_status"] == "completed", "the joint visit completes with its last part"
    finally:
        context.close()


def test_connection_cut_after_the_server_commits_still_one_submission(app, live_server, chromium, fire_visit):
    part = fire_visit.parts["fire"]
    plan = checklist_plan(app, part.checklist_id)
    photos = {item: small_jpeg() for item in photo_items(app, part.checklist_id, plan)}
    context, page = new_tablet(chromium, service_workers="block")
    try:
        sign_in(page, live_server, part.inspector)
        open_form(page, live_server, part.inspection_id)
        while True:
            answer_visible_step(page, plan, {}, photos)
            if not next_step(page) or not visible_step(page).locator("fieldset.item").count():
                break
        wait_synced(page)
        page.fill("input[name=representative_name]", "张三")
        draw_signature(page, "inspector")
        draw_signature(page, "representative")

        cuts = []

        def cut_once(route):
            if cuts:
                route.continue_()
                return
            response = route.fetch()              # the server commits…
            cuts.append(response.status)
            route.abort("connectionreset")        # …and the answer never reaches the tablet

        bodies = submit_bodies(page)
        page.route("**/submit", cut_once)
        page.locator("#submit-inspection").tap()
        wait_synced(page, "submitted", timeout=30000)
        assert cuts == [200], "the first attempt was committed by the server"
        assert len(bodies) >= 2 and len(set(bodies)) == 1, "the retry re-sent the same body"
        assert_holds_exactly(app, part.inspection_id, plan, {}, list(photos), json.loads(bodies[0])["submission_id"])
    finally:
        context.close()


def test_submit_refused_for_an_answer_changed_elsewhere_then_resolved(app, live_server, chromium, fire_visit):
    """Another device changes an answer after this tablet saved it: the submit (carrying the
    versions this tablet knows) is refused with the conflict shown on the item; the inspector
    keeps theirs and submits again under the same submission id."""
    part = fire_visit.parts["fire"]
    plan = checklist_plan(app, part.checklist_id)
    photos = {item: small_jpeg() for item in photo_items(app, part.checklist_id, plan)}
    context, page = new_tablet(chromium, service_workers="block")
    try:
        sign_in(page, live_server, part.inspector)
        open_form(page, live_server, part.inspection_id)
        while True:
            answer_visible_step(page, plan, {}, photos)
            if not next_step(page) or not visible_step(page).locator("fieldset.item").count():
                break
        wait_synced(page)
        item = page.locator('fieldset.item[data-item-id="FIRE-01"]')
        seen = int(item.get_attribute("data-version"))
        other = post_json(page, f"{live_server}/inspections/{part.inspection_id}/answers",
                          {"item_id": "FIRE-01", "value": "fail", "remark": "另一台设备", "version": seen})
        assert other.status == 200 and other.json()["version"] == seen + 1
        page.fill("input[name=representative_name]", "张三")
        draw_signature(page, "inspector")
        draw_signature(page, "representative")
        bodies = submit_bodies(page)
        page.locator("#submit-inspection").tap()
        wait_synced(page, "conflict")
        assert json.loads(bodies[0])["versions"]["FIRE-01"] == seen
        assert stored_state(app, part.inspection_id)["status"] == "draft"
        assert stored_state(app, part.inspection_id)["answers"]["FIRE-01"] == ("fail", "另一台设备")
        conflict = item.locator(".conflict")
        assert "另一台设备" in conflict.inner_text()
        assert page.locator("#inspection-form.locked").count() == 0
        assert visible_step(page).locator('fieldset.item[data-item-id="FIRE-01"]').count() == 1, "shown to resolve"
        conflict.locator("button.keep-mine").tap()
        wait_synced(page)
        page.locator('nav.steps a[data-step="last"]').tap()
        page.locator("#submit-inspection").tap()
        wait_synced(page, "submitted")
        state = stored_state(app, part.inspection_id)
        assert state["status"] == "submitted" and state["answers"]["FIRE-01"] == (plan["FIRE-01"], None)
        assert len({json.loads(b)["submission_id"] for b in bodies}) == 1
    finally:
        context.close()


def test_signing_out_drops_the_offline_copies_of_pages(chromium, live_server, fire_visit):
    """A tablet handed to the next person keeps no readable copy of the last one's forms."""
    part = fire_visit.parts["fire"]
    context, page = new_tablet(chromium)
    try:
        sign_in(page, live_server, part.inspector)
        open_form(page, live_server, part.inspection_id)
        page.wait_for_function(
            "caches.keys().then(n => n.some(k => k.startsWith('careinspect-')))", timeout=15000)
        page.goto(f"{live_server}/")
        page.locator("form[data-sign-out] button").tap()
        page.wait_for_url(f"{live_server}/login*")
        names = page.evaluate("caches.keys()")
        assert not [n for n in names if n.startswith("careinspect-")]
    finally:
        context.close()
