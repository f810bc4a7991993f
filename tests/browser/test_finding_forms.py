"""The finding page on a tablet holds several forms: each field has its own id and name, each
label points at its own field, a refused post refills only the form that was posted, and a
form that can only fail (a second extension) is not offered."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "finding-forms-password-1"
NOT_A_PHOTO = b"%PDF-1.4 not an image"


@pytest.fixture
def finding(app):
    """A committed open finding of a fire inspection, its institution's staff member; removed after."""
    from sqlalchemy import delete, select

    from inspect_app.auth.models import LoginSession, User
    from inspect_app.auth.services import hash_password
    from inspect_app.checklists.models import ChecklistVersion
    from inspect_app.core.types import utcnow
    from inspect_app.extensions import db
    from inspect_app.inspections.models import Answer, Inspection, Visit
    from inspect_app.rectification.findings import open_findings
    from inspect_app.rectification.models import (Finding, FindingEvent, FindingResponse, Message,
                                                  RectificationNotice, ResponsePhoto)
    from inspect_app.registry.models import Institution
    from tests.factories import credit_code
    with app.app_context():
        now = utcnow()
        inst = Institution(name="表单养老院", credit_code=credit_code(515151), type="nursing_home",
                           district="示范区", street="东风街道", address="二号", operator_type="private",
                           created_at=now, updated_at=now)
        db.session.add(inst)
        db.session.flush()
        staff = User(username="forms_staff", name="机构员工", role="institution_staff", institution_id=inst.id,
                     password_hash=hash_password(PASSWORD), created_at=now)
        db.session.add(staff)
        version = db.session.scalar(select(ChecklistVersion.id).where(ChecklistVersion.checklist_id == "fire-safety").limit(1))
        visit = Visit(institution_id=inst.id, scheduled_for=now.date(), status="completed", created_at=now)
        db.session.add(visit)
        db.session.flush()
        inspection = Inspection(visit_id=visit.id, department="fire", checklist_version_id=version,
                                status="submitted", submitted_at=now, result={"failed": ["FIRE-03"], "vetoes": []})
        db.session.add(inspection)
        db.session.flush()
        db.session.add(Answer(inspection_id=inspection.id, item_id="FIRE-03", value="fail", updated_at=now))
        notice = open_findings(inspection.id, now=now)
        db.session.commit()
        ids = {"finding": notice.findings[0].id, "notice": notice.id, "inspection": inspection.id,
               "visit": visit.id, "institution": inst.id, "staff": staff.id}
    yield ids
    with app.app_context():
        f = ids["finding"]
        responses = list(db.session.scalars(select(FindingResponse.id).where(FindingResponse.finding_id == f)))
        db.session.execute(delete(ResponsePhoto).where(ResponsePhoto.response_id.in_(responses)))
        db.session.execute(delete(FindingResponse).where(FindingResponse.finding_id == f))
        db.session.execute(delete(Message).where(Message.institution_id == ids["institution"]))
        db.session.execute(delete(FindingEvent).where(FindingEvent.finding_id == f))
        db.session.execute(delete(Finding).where(Finding.id == f))
        db.session.execute(delete(RectificationNotice).where(RectificationNotice.id == ids["notice"]))
        db.session.execute(delete(Answer).where(Answer.inspection_id == ids["inspection"]))
        db.session.execute(delete(Inspection).where(Inspection.id == ids["inspection"]))
        db.session.execute(delete(Visit).where(Visit.id == ids["visit"]))
        db.session.execute(delete(LoginSession).where(LoginSession.user_id == ids["staff"]))
        db.session.execute(delete(User).where(User.id == ids["staff"]))
        db.session.execute(delete(Institution).where(Institution.id == ids["institution"]))
        db.session.commit()


def _ids_and_labels(page) -> dict:
    """Duplicate ids on the page, and labels whose field is missing or in another form."""
    return page.evaluate("""() => {
        const ids = [...document.querySelectorAll('[id]')].map(n => n.id);
        const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
        const stray = [...document.querySelectorAll('main form label[for]')].filter(label => {
            const field = document.getElementById(label.htmlFor);
            return !field || field.form !== label.closest('form');
        }).map(label => label.htmlFor);
        const names = [...document.querySelectorAll('main form')].flatMap(f =>
            [...f.querySelectorAll('textarea')].map(t => t.name));
        return {duplicates, stray, textareas: names};
    }""")


def _texts(page) -> dict:
    return page.evaluate("""() => Object.fromEntries(['respond', 'extension', 'reply'].map(id => {
        const box = document.querySelector('#' + id + ' textarea');
        return [id, box ? box.value : null];
    }))""")


def _stored(app, finding_id: int) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from inspect_app.extensions import db
    from inspect_app.rectification.models import FindingResponse
    with app.app_context():
        return [(r.kind, r.text) for r in db.session.scalars(
            select(FindingResponse).where(FindingResponse.finding_id == finding_id).order_by(FindingResponse.id))]


def test_each_form_keeps_its_own_text_and_a_second_extension_is_not_offered(app, live_server, chromium, finding):
    from playwright.sync_api import expect

    from inspect_app.rectification import responses
    from .conftest import TABLET

    page = chromium.new_context(viewport=TABLET, has_touch=True, locale="zh-CN").new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("input[name=username]", "forms_staff")
        page.fill("input[name=password]", PASSWORD)
        page.locator("button[type=submit].primary").tap()
        page.wait_for_url(f"{live_server}/")
        url = f"{live_server}/rectification/findings/{finding['finding']}"
        page.goto(url)

        found = _ids_and_labels(page)
        assert found["duplicates"] == [] and found["stray"] == []
        assert len(set(found["textareas"])) == len(found["textareas"]) == 3       # 整改措施, 理由, 申辩理由
        for form_id in ("respond", "extension", "reply"):
            box = page.locator(f"#{form_id} textarea")
            label = page.locator(f"#{form_id} label[for='{box.get_attribute('id')}']")
            expect(label).to_have_count(1)

        # A refused answer (the "photo" is a PDF): only the answer form gets its text back.
        page.fill("#respond textarea", "已整改完毕")
        page.set_input_files("#respond input[type=file]", files=[
            {"name": "fix.jpg", "mimeType": "image/jpeg", "buffer": NOT_A_PHOTO}])
        page.locator("#respond button[type=submit]").tap()
        page.wait_for_load_state()
        expect(page.locator(".flash.error, [role=alert]").first).to_be_visible()
        assert _texts(page) == {"respond": "已整改完毕", "extension": "", "reply": ""}
        assert _stored(app, finding["finding"]) == []

        # Meanwhile an extension is requested elsewhere: this tablet's request is the second (409).
        with app.app_context():
            from inspect_app.auth.models import User
            from inspect_app.extensions import db
            responses.request_extension(db.session.get(User, finding["staff"]), finding["finding"], "材料采购中", 2)
            db.session.commit()
        page.fill("#respond textarea", "")
        page.fill("#extension textarea", "再次申请延期")
        page.fill("#extension input[type=number]", "1")
        page.locator("#extension button[type=submit]").tap()
        page.wait_for_load_state()
        expect(page.get_by_text("该问题已申请过延期")).to_be_visible()
        assert page.locator("#extension").count() == 0, "a second extension can only fail: not offered"
        assert _texts(page) == {"respond": "", "extension": None, "reply": ""}

        # The rectification answer sends what was typed into it, nothing else.
        page.fill("#respond textarea", "已更换应急照明灯")
        page.locator("#respond button[type=submit]").tap()
        expect(page.locator("[data-state=responded]").first).to_be_visible()
        assert _stored(app, finding["finding"]) == [("extension", "材料采购中"), ("response", "已更换应急照明灯")]
    finally:
        page.context.close()
