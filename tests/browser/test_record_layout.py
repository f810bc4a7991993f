"""The record and a submitted form on a tablet (and a phone): answer cells readable on one
line, no sideways scrolling, and no photo controls on a submitted form.

The pages come from the test client (inside the test's rolled-back transaction) through
Playwright's request routing, so nothing has to be committed for the live server."""
from __future__ import annotations

import pytest

from tests.browser.conftest import TABLET
from tests.inspections.failed_record import FAILED, submitted_with_failures
from tests.inspections.kit import Kit

pytestmark = pytest.mark.browser

ORIGIN = "http://careinspect.test"
PHONE = {"width": 390, "height": 844}

# Per answer row: the first text of the id cell and of the result cell, how many lines it
# takes, the cell's width and font size.
CELLS = """(table) => [...table.tBodies[0].rows].map(row => [0, 2].map(i => {
  const cell = row.cells[i];
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  let node = walker.nextNode();
  while (node && !node.textContent.trim()) node = walker.nextNode();
  const range = document.createRange();
  range.selectNodeContents(node);
  const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  return {text: node.textContent.trim(), lines, width: cell.getBoundingClientRect().width,
          size: parseFloat(getComputedStyle(cell).fontSize)};
}))"""


@pytest.fixture
def served(chromium, app, db, make, login):
    """(a page whose requests the signed-in inspector's test client answers, the part)."""
    part, inspector = submitted_with_failures(Kit(make, db), make)
    browser = login(inspector)

    def answer(route):
        request = route.request
        if request.method != "GET" or not request.url.startswith(ORIGIN):
            route.abort()
            return
        response = browser.get(request.url[len(ORIGIN):])
        route.fulfill(status=response.status_code, body=response.get_data(),
                      headers={k: v for k, v in response.headers.items() if k.lower() != "content-length"})

    context = chromium.new_context(viewport=TABLET, has_touch=True, locale="zh-CN", service_workers="block")
    context.route("**/*", answer)
    page = context.new_page()
    yield page, part
    context.close()


def _check_answer_cells(page, width):
    rows = [cell for table in page.locator("table.answers").all() for cell in table.evaluate(CELLS)]
    assert len(rows) >= 29                  # every item of the fire checklist
    results = {}
    for id_cell, result in rows:
        results[id_cell["text"]] = result
        for cell in (id_cell, result):
            assert cell["lines"] == 1, f"{cell['text']} wraps at {width}px: {cell}"
            assert cell["width"] >= 3 * cell["size"], f"{cell['text']} squeezed at {width}px: {cell}"
    assert results["FIRE-03"]["text"] == "不合格" and results["FIRE-31"]["text"] == "5 min"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "wider than the screen"


def test_record_answers_read_on_one_line_on_a_tablet_and_a_phone(served):
    page, part = served
    page.goto(f"{ORIGIN}/inspections/{part.id}/record")
    assert page.locator("table.answers tr.failed").count() == len(FAILED)
    _check_answer_cells(page, TABLET["width"])
    page.set_viewport_size(PHONE)
    _check_answer_cells(page, PHONE["width"])


def test_submitted_form_shows_photos_without_controls(served):
    page, part = served
    page.goto(f"{ORIGIN}/inspections/{part.id}/form")
    page.wait_for_selector('#inspection-form[data-ready="1"]', state="attached")
    assert page.locator("ul.photos li img").count() >= 1
    assert page.locator("input[type=file]").count() == 0
    assert page.locator(".photo-button").count() == 0
    assert page.locator("button.photo-delete").count() == 0
    assert page.locator("fieldset.item:not([disabled])").count() == 0
