"""The pages: staff answer with a photo, the inspector verifies, the notice prints; another
institution's staff see nothing."""
from __future__ import annotations

import io

from PIL import Image

from .conftest import T0


def _jpeg() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 60, 60)).save(buf, "JPEG")
    buf.seek(0)
    return buf


def test_staff_answer_with_photo_then_inspector_closes(make, login, rect):
    inst = make.institution()
    staff = make.user("institution_staff", institution_id=inst.id)
    inspector = make.user("inspector", department="fire")
    notice, found = rect.findings(inst, failed=("FIRE-03",), inspectors=(inspector,))
    f = found["FIRE-03"]
    page = f"/rectification/findings/{f.id}"
    browser = login(staff)
    assert "FIRE-03" in browser.get("/rectification/").get_data(as_text=True)
    response = browser.post(f"{page}/respond", {"respond-text": "<script>alert(1)</script>已整改",
                                                "respond-photos": (_jpeg(), "fix.jpg")},
                            token_from=page, content_type="multipart/form-data")
    assert response.status_code == 302
    html = browser.get(page).get_data(as_text=True)
    assert 'data-state="responded"' in html and "<script>alert(1)" not in html
    photo_id = f.responses[0].photos[0].id
    assert browser.get(f"{page}/photos/{photo_id}?thumb=1").status_code == 200

    checker = login(inspector)
    assert checker.get(f"{page}/photos/{photo_id}").status_code == 200
    assert checker.post(f"{page}/verify", {"decision": "accept", "note": "合格"}, token_from=page).status_code == 302
    assert 'data-state="closed"' in checker.get(page).get_data(as_text=True)

    stranger = login(make.user("institution_staff"))
    assert stranger.get(page).status_code == 404
    assert stranger.get(f"{page}/photos/{photo_id}").status_code == 404
    assert stranger.get(f"/rectification/notices/{notice.id}").status_code == 404
    assert "FIRE-03" not in stranger.get("/rectification/").get_data(as_text=True)


def test_bad_input_rerenders_with_problems_not_500(make, login, rect):
    inst = make.institution()
    staff = make.user("institution_staff", institution_id=inst.id)
    _, found = rect.findings(inst, failed=("FIRE-03",))
    page = f"/rectification/findings/{found['FIRE-03'].id}"
    browser = login(staff)
    assert browser.post(f"{page}/extension", {"extension-days": "abc", "extension-text": ""}, token_from=page).status_code == 422
    assert browser.post(f"{page}/respond", {"respond-text": "x", "respond-photos": (io.BytesIO(b"%PDF-1.4"), "a.jpg")},
                        token_from=page, content_type="multipart/form-data").status_code == 422


def test_notice_pdf_is_a_pdf(make, login, rect):
    inst = make.institution()
    notice, _ = rect.findings(inst, failed=("FIRE-01", "FIRE-03"))
    response = login(make.user("department_admin", department="fire")).get(f"/rectification/notices/{notice.id}/notice.pdf")
    assert response.status_code == 200 and response.data[:5] == b"%PDF-"
