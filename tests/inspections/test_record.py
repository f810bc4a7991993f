"""The record (检查记录) as printed and the form once submitted: a failed answer is printed
once, the remark column keeps its width, the signature heading stays with the signatures,
and a submitted form offers no photo controls."""
from __future__ import annotations

import re

import pytest

from inspect_app.core import pdf
from tests.inspections.failed_record import FAILED, submitted_with_failures
from tests.inspections.pdf_layout import MM, placed


@pytest.fixture
def printed(kit, make, login, monkeypatch):
    """The record of a part with failed items, printed through the PDF route; returns the
    HTML WeasyPrint was given and its layout."""
    part, inspector = submitted_with_failures(kit, make)
    seen = []
    real = pdf.layout

    def keep(html):
        document = real(html)
        seen.append((html, document))
        return document
    monkeypatch.setattr(pdf, "layout", keep)
    response = login(inspector).get(f"/inspections/{part.id}/record.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert len(seen) == 1
    return seen[0]


def test_pdf_prints_fail_once_per_failed_item_and_keeps_the_remark_column(printed):
    html, document = printed
    boxes = placed(document)
    cells = [b for b in boxes if b.tag == "td" and "answers" in b.inside]
    by_row: dict[str, list] = {}
    row_of = None
    for b in boxes:                                  # cells follow their row in document order
        if b.tag == "tr" and "answers" in b.inside:
            match = re.match(r"\s*([A-Z]+-\d+)", b.text)
            row_of = match.group(1) if match else None
            if row_of:
                by_row.setdefault(row_of, [])
        elif b in cells and row_of is not None:
            by_row[row_of].append(b)
    assert set(FAILED) <= set(by_row)
    for item_id, row in by_row.items():
        result = row[2].text
        if item_id in FAILED:
            assert result.count("不合格") == 1, (item_id, result)
        else:
            assert "不合格" not in result, (item_id, result)
    assert "否决项" in by_row["FIRE-01"][2].text and "5" in by_row["FIRE-31"][2].text
    # the remark column keeps a readable width in every section, remarks or not
    tables = [b for b in boxes if b.tag == "table" and "answers" in b.classes]
    headers = [b for b in boxes if b.tag == "th" and "answers" in b.inside and b.text.startswith("备注")]
    assert len(headers) == len(tables) >= 6
    assert min(h.width for h in headers) >= 30 * MM, [round(h.width / MM) for h in headers]
    # and the result column shows 不合格 on one line (one text box per cell line)
    fire03 = by_row["FIRE-03"][2]
    lines = {round(box.position_y) for _page, box in fire03.boxes if type(box).__name__ == "LineBox"}
    assert "不合格" in fire03.text and len(lines) == 1, fire03.text


def _signatures(document):
    """(page of the signatures heading, its top, its margin height, the page's content bottom,
    pages of the signature images)."""
    heading = images = None
    for b in placed(document):
        if b.tag == "h2" and b.text.strip() == "签名":
            heading = b
        if b.tag == "img" and "signatures" in b.inside:
            images = (images or set()) | b.pages
    page, box = next((p, bx) for p, bx in heading.boxes if type(bx).__name__ == "BlockBox")
    page_box = document.pages[page]._page_box
    return page, box.position_y, box.margin_height(), page_box.content_box_y() + page_box.height, images


def test_pdf_keeps_the_signature_heading_with_the_signatures(printed):
    html, document = printed
    page, top, height, bottom, images = _signatures(document)
    assert images == {page}
    # Push the heading down until it and the first line of the signature table just fit at
    # the foot of a page (a longer record would put it there): the images must not be left
    # for the next page without their heading.
    first_row = next(b for b in placed(document) if b.tag == "tr" and "signatures" in b.inside)
    slack = max(bx.margin_height() for _p, bx in first_row.boxes) + 4 * MM
    cut = html.index("签名</h2>")
    at = html.rindex("</table>", 0, cut) + len("</table>")
    pushed = html[:at] + f'<div style="height:{bottom - top - height - slack}px"></div>' + html[at:]
    page, _top, _height, _bottom, images = _signatures(pdf.layout(pushed))
    assert images == {page}


def test_submitted_form_offers_no_photo_controls(kit, make, login):
    part, inspector = submitted_with_failures(kit, make)
    html = login(inspector).get(f"/inspections/{part.id}/form").get_data(as_text=True)
    assert "data-evidence-id" in html                    # the photos are shown…
    assert not re.search(r'<input[^>]+type="file"', html)           # …but none can be added
    assert "data-delete-url" not in html and "photo-button" not in html
    assert "添加照片" not in html
