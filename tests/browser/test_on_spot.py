"""On-the-spot rectification (当场整改) on a tablet: a failed minor item is marked with a note and
an after-photo; the mark and the note survive a reload (the tablet's draft); the tablet's submit
check asks for the note; the submitted record holds the mark. Critical and veto items offer no
mark (docs/regulations.md, "On-the-spot rectification")."""
from __future__ import annotations

import pytest

from tests.browser.tablet_form import (answer_visible_step, checklist_plan, create_world, draw_signature,
                                       new_tablet, next_step, open_form, photo_items, remove_world, sign_in,
                                       small_jpeg, stored_state, visible_step, wait_synced)

pytestmark = pytest.mark.browser

ITEM = "FIRE-15"           # minor, no photo rule of its own


@pytest.fixture
def fire_visit(app):
    world = create_world(app, ("fire",))
    yield world
    remove_world(app, world)


def show_item(page, item_id):
    page.evaluate("""(id) => { const fs = document.querySelector(`fieldset.item[data-item-id="${id}"]`);
                              document.querySelector(`nav.steps a[data-step="${fs.closest('section.step').dataset.step}"]`).click(); }""",
                  item_id)


def on_spot_marks(app, inspection_id):
    from sqlalchemy import select

    from inspect_app.extensions import db
    from inspect_app.inspections.models import Evidence, OnSpotRectification
    with app.app_context():
        marks = {m.item_id: m.note for m in db.session.scalars(
            select(OnSpotRectification).where(OnSpotRectification.inspection_id == inspection_id))}
        after = list(db.session.scalars(select(Evidence.item_id).where(
            Evidence.inspection_id == inspection_id, Evidence.stage == "after")))
        return marks, after


def test_a_failed_minor_item_is_marked_rectified_on_the_spot_and_the_mark_survives_a_reload(
        app, live_server, chromium, fire_visit):
    part = fire_visit.parts["fire"]
    plan = checklist_plan(app, part.checklist_id, fail=(ITEM,))
    photos = {item: small_jpeg() for item in photo_items(app, part.checklist_id, plan)}
    context, page = new_tablet(chromium, service_workers="block")
    try:
        sign_in(page, live_server, part.inspector)
        open_form(page, live_server, part.inspection_id)
        assert page.locator('fieldset.item[data-item-id="FIRE-01"] [data-on-spot]').count() == 0   # veto
        assert page.locator('fieldset.item[data-item-id="FIRE-05"] [data-on-spot]').count() == 0   # critical
        assert page.locator('fieldset.item[data-item-id="FIRE-03"] [data-on-spot]').count() == 0   # major
        while True:
            answer_visible_step(page, plan, {}, photos)
            if not next_step(page) or not visible_step(page).locator("fieldset.item").count():
                break
        show_item(page, ITEM)
        item = page.locator(f'fieldset.item[data-item-id="{ITEM}"]')
        details = item.locator("[data-on-spot-details]")
        assert details.is_hidden()
        item.locator(f'input[name="onspot-{ITEM}"]').tap()
        assert details.is_visible()
        item.locator(f'textarea[name="onspot-note-{ITEM}"]').fill("已当场清除疏散通道杂物")
        item.locator(f'input[type=file][name="after-photo-{ITEM}"]').set_input_files(
            files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": small_jpeg((40, 160, 60))}])
        item.locator('ul.photos li[data-stage="after"]').first.wait_for(state="attached")
        wait_synced(page)
        assert on_spot_marks(app, part.inspection_id) == ({}, [ITEM])   # the photo is stored, the mark not yet

        # A reload: the mark and the note come back from the tablet's draft.
        page.reload()
        page.wait_for_selector('#inspection-form[data-ready="1"]', state="attached")
        show_item(page, ITEM)
        item = page.locator(f'fieldset.item[data-item-id="{ITEM}"]')
        assert item.locator(f'input[name="onspot-{ITEM}"]').is_checked()
        assert item.locator(f'textarea[name="onspot-note-{ITEM}"]').input_value() == "已当场清除疏散通道杂物"
        assert item.locator('ul.photos li[data-stage="after"]').count() == 1
        assert item.locator("[data-on-spot-details]").is_visible()

        # Without a note the tablet's own check refuses, naming the item.
        item.locator(f'textarea[name="onspot-note-{ITEM}"]').fill("")
        page.locator('nav.steps a[data-step="last"]').tap()
        page.fill("input[name=representative_name]", "张三")
        draw_signature(page, "inspector")
        draw_signature(page, "representative")
        page.locator("#submit-inspection").tap()
        problems = page.locator("ul.submit-problems").inner_text()
        assert any(line.startswith(ITEM) for line in problems.splitlines()), problems
        assert stored_state(app, part.inspection_id)["status"] == "draft"

        show_item(page, ITEM)
        page.locator(f'textarea[name="onspot-note-{ITEM}"]').fill("已当场清除疏散通道杂物")
        page.locator('nav.steps a[data-step="last"]').tap()
        page.locator("#submit-inspection").tap()
        wait_synced(page, "submitted", timeout=30000)
        assert stored_state(app, part.inspection_id)["status"] == "submitted"
        assert on_spot_marks(app, part.inspection_id) == ({ITEM: "已当场清除疏散通道杂物"}, [ITEM])
    finally:
        context.close()
