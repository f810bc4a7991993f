"""The inspection form without a pointer (WCAG 2.1.1, 2.4.3, 2.4.7): a problem list's link puts
focus on its item, the invisible photo input shows its focus on its label, and a signature can
be given as a typed name with an explicit confirmation, recorded as such."""
from __future__ import annotations

import base64
import io

import pytest

from tests.browser.tablet_form import create_world, new_tablet, open_form, remove_world, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def fire_visit(app):
    world = create_world(app, ("fire",))
    yield world
    remove_world(app, world)


def test_the_form_can_be_used_with_the_keyboard_alone(app, live_server, chromium, fire_visit):
    part = fire_visit.parts["fire"]
    context, page = new_tablet(chromium)
    try:
        sign_in(page, live_server, part.inspector)
        open_form(page, live_server, part.inspection_id)

        # The photo input is invisible; with the keyboard focus on it, its label shows a ring.
        photo = page.locator("input[type=file]").first
        photo.focus()
        label = photo.locator("xpath=..")
        assert label.evaluate("el => getComputedStyle(el).outlineStyle") != "none"

        # Submitting an empty form lists the problems; following one puts focus on its item.
        last = page.locator("section.step").last
        while page.locator("section.step:not([hidden]) button.step-next").count():
            page.locator("section.step:not([hidden]) button.step-next").click()
        assert last.is_visible()
        page.locator("#submit-inspection").click()
        link = page.locator(".submit-problems a").first
        link.wait_for()
        target = link.get_attribute("href")[1:]
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=target)

        # The keyboard signature: a typed name and an explicit confirmation.
        page.locator("section.step").last.evaluate("el => el.hidden = false")
        block = page.locator('[data-typed-signature="inspector"]')
        block.locator("summary").focus()
        page.keyboard.press("Enter")
        block.locator("[data-typed-name]").focus()
        page.keyboard.type("张检查")
        pad = 'document.querySelector(\'canvas[data-signature="inspector"]\').signaturePad'
        assert page.evaluate(f"{pad}.isEmpty()"), "a typed name alone, unconfirmed, does not sign"
        block.locator("[data-typed-confirm]").focus()
        page.keyboard.press("Space")
        typed = page.evaluate(f"{pad}.typed()")
        assert typed["name"] == "张检查" and typed["label"].startswith("键盘输入签名，已确认")
        data_url = page.evaluate(f"{pad}.toDataURL()")
        page.locator('button[data-clear="inspector"]').click()
        assert page.evaluate(f"{pad}.isEmpty()") and not block.locator("[data-typed-confirm]").is_checked()
    finally:
        context.close()

    # What is stored is a PNG the server takes as a signature, and it shows the typed name.
    from PIL import Image

    from inspect_app.core import files
    assert files.signature_digest(data_url)
    image = Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))).convert("L")
    assert image.getextrema()[0] < 100, "the name is drawn in dark ink"
