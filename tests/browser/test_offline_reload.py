"""A reload while offline keeps what the tablet knows (docs/offline.md): the photos already
uploaded, the answer count and the last known score, even when the service worker's copy of
the page is older than the tablet's state; and the tablet's required-photo check agrees with
the server's (a photo the server holds counts; a failed measurement wants its photo)."""
from __future__ import annotations

import pytest

from tests.browser.tablet_form import (Offline, answer_visible_step, checklist_plan, create_world, draw_signature,
                                       new_tablet, next_step, open_form, photo_items, remove_world, sign_in,
                                       small_jpeg, stored_state, visible_step, wait_synced)

pytestmark = pytest.mark.browser


@pytest.fixture
def joint_visit(app):
    world = create_world(app, ("fire", "market_regulation"))
    yield world
    remove_world(app, world)


def answer_all(page, plan, photos):
    while True:
        answer_visible_step(page, plan, {}, photos)
        if not next_step(page) or not visible_step(page).locator("fieldset.item").count():
            break


def shown_photos(page) -> dict[str, int]:
    """Item → photos shown whose thumbnail loaded."""
    return page.evaluate("""() => {
        const out = {};
        for (const img of document.querySelectorAll('fieldset.item ul.photos li img')) {
            if (!img.complete || !img.naturalWidth) continue;
            const id = img.closest('fieldset.item').dataset.itemId;
            out[id] = (out[id] || 0) + 1;
        }
        return out;
    }""")


def test_offline_reload_keeps_uploaded_photos_count_and_score_then_submits(app, live_server, chromium, joint_visit):
    part = joint_visit.parts["fire"]
    plan = checklist_plan(app, part.checklist_id)
    photos = {item: small_jpeg() for item in photo_items(app, part.checklist_id, plan)}
    total = len(plan)
    context, page = new_tablet(chromium)
    try:
        sign_in(page, live_server, part.inspector)
        open_form(page, live_server, part.inspection_id)
        page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")

        # A time below zero is refused on the tablet before it is sent (and by the server).
        minutes = page.locator('fieldset.item[data-item-id="FIRE-31"]')
        page.evaluate("""() => { const fs = document.querySelector('fieldset.item[data-item-id="FIRE-31"]');
                                 const section = fs.closest('section.step');
                                 document.querySelector(`nav.steps a[data-step="${section.dataset.step}"]`).click(); }""")
        minutes.locator('input[name="answer-FIRE-31"]').fill("-1")
        minutes.locator('input[name="answer-FIRE-31"]').blur()
        page.wait_for_function("""() => document.querySelector('fieldset.item[data-item-id="FIRE-31"] .item-status')
                                       .dataset.state === 'error'""")
        assert "不能小于零" in minutes.locator(".item-status").inner_text()
        page.locator('nav.steps a[data-step="1"]').tap()

        # The whole form answered online, photos uploaded: the server holds them all.
        answer_all(page, plan, photos)
        wait_synced(page)
        state = stored_state(app, part.inspection_id)
        assert len(state["answers"]) == total and sorted(state["evidence"]) == sorted(photos)
        assert shown_photos(page) == {item: 1 for item in photos}
        score = page.locator('[data-score-field="percent_text"]').inner_text()
        assert score != "—"

        with Offline(context):
            # The worker's copy of the page is the one it fetched on the first visit, before any
            # answer: the tablet's own record puts back the photos, the count and the score.
            page.reload()
            page.wait_for_selector('#inspection-form[data-ready="1"]', state="attached")
            assert page.locator("#inspection-form").get_attribute("data-offline-copy") == "1"
            page.wait_for_function(f"() => document.querySelectorAll('ul.photos li img').length >= {len(photos)}")
            page.wait_for_function("""() => [...document.querySelectorAll('ul.photos li img')]
                                           .every(img => img.complete && img.naturalWidth > 0)""")
            assert shown_photos(page) == {item: 1 for item in photos}
            assert page.locator('[data-progress="total"]').inner_text() == f"{total}/{total}"
            assert page.locator('[data-score-field="percent_text"]').inner_text() == score
            badges = page.locator("nav.steps a[data-step] .progress").all_inner_texts()
            assert all(a == b for a, b in (badge.split("/") for badge in badges))

            # Sign and submit offline: the tablet's check counts the photos the server holds.
            page.locator('nav.steps a[data-step="last"]').tap()
            page.fill("input[name=representative_name]", "张三")
            draw_signature(page, "inspector")
            draw_signature(page, "representative")
            page.locator("#submit-inspection").tap()
            page.wait_for_selector("#inspection-form.locked", state="attached")
            assert page.locator("ul.submit-problems").count() == 0
            assert stored_state(app, part.inspection_id)["status"] == "draft"

        wait_synced(page, "submitted", timeout=30000)
        state = stored_state(app, part.inspection_id)
        assert state["status"] == "submitted" and sorted(state["evidence"]) == sorted(photos), "no photo twice"
    finally:
        context.close()

    # A failed measurement wants its photo, on the tablet as on the server (FOOD-22: 0–8 ℃).
    food = joint_visit.parts["market_regulation"]
    context, page = new_tablet(chromium, service_workers="block")
    try:
        sign_in(page, live_server, food.inspector)
        open_form(page, live_server, food.inspection_id)
        page.evaluate("""() => { const fs = document.querySelector('fieldset.item[data-item-id="FOOD-22"]');
                                 document.querySelector(`nav.steps a[data-step="${fs.closest('section.step').dataset.step}"]`).click(); }""")
        page.locator('input[name="answer-FOOD-22"]').fill("12")
        page.locator('nav.steps a[data-step="last"]').tap()
        page.locator("#submit-inspection").tap()
        problems = page.locator("ul.submit-problems").inner_text()
        assert "FOOD-22" in [line.split(" ")[0] for line in problems.splitlines() if "拍照" in line or "photo" in line]
    finally:
        context.close()
