"""Evidence photos: upload once per client id, type checked by content, served only to
those who may see the inspection, removable until submit."""
from __future__ import annotations

from sqlalchemy import func, select

from inspect_app.inspections.models import Evidence
from tests.inspections.kit import jpeg_bytes, new_id, post_json, upload


def _draft(kit, make, login):
    me = make.user("inspector", department="fire")
    visit = kit.visit(departments={"fire": [me]})
    part = visit.inspections[0]
    browser = login(me)
    assert post_json(browser, f"/inspections/{part.id}/start", {"submission_id": new_id()}).status_code == 200
    return visit, part, me, browser


def test_upload_is_idempotent_on_the_client_id(kit, make, login, db):
    _v, part, me, browser = _draft(kit, make, login)
    cid = new_id("photo")
    first = upload(browser, part.id, "FIRE-05", cid)
    assert first.status_code == 201, first.json
    assert first.json["item_id"] == "FIRE-05" and first.json["thumbnail_url"].endswith("?thumb=1")
    again = upload(browser, part.id, "FIRE-05", cid)
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    assert db.session.scalar(select(func.count()).select_from(Evidence).where(Evidence.inspection_id == part.id)) == 1
    image = browser.get(first.json["url"])
    assert image.status_code == 200 and image.mimetype == "image/jpeg" and image.data[:2] == b"\xff\xd8"
    assert browser.get(first.json["thumbnail_url"]).status_code == 200
    html = browser.get(f"/inspections/{part.id}/form").get_data(as_text=True)
    assert f'data-evidence-id="{first.json["id"]}"' in html


def test_a_pdf_named_jpg_is_refused(kit, make, login, db):
    _v, part, me, browser = _draft(kit, make, login)
    r = upload(browser, part.id, "FIRE-05", new_id("photo"), data=b"%PDF-1.4\n%fake\n", filename="photo.jpg")
    assert r.status_code == 422 and r.json["problems"][0].startswith("FIRE-05:")
    r = upload(browser, part.id, "NOPE", new_id("photo"))
    assert r.status_code == 422 and r.json["problems"] == ["NOPE: unknown item"]
    assert db.session.scalar(select(func.count()).select_from(Evidence).where(Evidence.inspection_id == part.id)) == 0


def test_photos_are_served_only_to_those_who_may_see_the_inspection(kit, make, login):
    visit, part, me, browser = _draft(kit, make, login)
    url = upload(browser, part.id, "FIRE-05", new_id("photo")).json["url"]
    assert login(make.user("inspector", department="fire")).get(url).status_code == 404
    assert login(make.user("department_admin", department="health")).get(url).status_code == 404
    assert login(make.user("department_admin", department="fire")).get(url).status_code == 200
    # the institution's own staff: not before the inspection is submitted
    staff = make.user("institution_staff", institution_id=visit.institution_id)
    assert login(staff).get(url).status_code == 404
    # a guessed evidence id under an inspection the user may see
    other_visit, other_part, other_me = kit.submitted()
    from inspect_app.extensions import db
    other_id = db.session.scalar(select(Evidence.id).where(Evidence.inspection_id == other_part.id))
    assert browser.get(f"/inspections/{part.id}/evidence/{other_id}").status_code == 404


def test_delete_before_submit_only(kit, make, login, db):
    _v, part, me, browser = _draft(kit, make, login)
    eid = upload(browser, part.id, "FIRE-05", new_id("photo")).json["id"]
    r = post_json(browser, f"/inspections/{part.id}/evidence/{eid}/delete", {})
    assert r.status_code == 200 and r.json == {"deleted": eid}
    assert db.session.get(Evidence, eid) is None
    visit, done, inspector = kit.submitted()
    kept = db.session.scalar(select(Evidence.id).where(Evidence.inspection_id == done.id))
    r = post_json(login(inspector), f"/inspections/{done.id}/evidence/{kept}/delete", {})
    assert r.status_code == 409 and r.is_json
    assert db.session.get(Evidence, kept) is not None


def test_client_id_of_another_inspection_is_a_conflict(kit, make, login):
    _v, part, me, browser = _draft(kit, make, login)
    cid = new_id("photo")
    assert upload(browser, part.id, "FIRE-05", cid).status_code == 201
    visit2 = kit.visit(departments={"fire": [me]})
    part2 = visit2.inspections[0]
    assert post_json(browser, f"/inspections/{part2.id}/start", {"submission_id": new_id()}).status_code == 200
    assert upload(browser, part2.id, "FIRE-05", cid, data=jpeg_bytes()).status_code == 409
