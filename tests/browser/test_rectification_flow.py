"""整改 on a tablet: institution staff answer a finding with a photo; the inspector verifies it;
the finding closes."""
from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "rect-flow-password-1"


@pytest.fixture
def committed(app, tmp_path):
    """Committed records (the live server runs outside the test transaction); removed after."""
    from sqlalchemy import delete, select

    from inspect_app.auth.models import LoginSession, User
    from inspect_app.auth.services import hash_password
    from inspect_app.checklists.models import ChecklistVersion
    from inspect_app.core.types import utcnow
    from inspect_app.extensions import db
    from inspect_app.inspections.models import Answer, Inspection, InspectionInspector, StoredFile, Visit
    from inspect_app.rectification.findings import open_findings
    from inspect_app.rectification.models import (Finding, FindingEvent, FindingResponse, Message,
                                                  RectificationNotice, ResponsePhoto)
    from inspect_app.registry.models import Institution
    from tests.factories import credit_code
    with app.app_context():
        now = utcnow()
        inst = Institution(name="浏览器整改养老院", credit_code=credit_code(424242), type="nursing_home",
                           district="示范区", street="东风街道", address="一号", operator_type="private",
                           created_at=now, updated_at=now)
        db.session.add(inst)
        db.session.flush()
        pw = hash_password(PASSWORD)
        staff = User(username="rect_staff", name="机构员工", role="institution_staff", institution_id=inst.id,
                     password_hash=pw, created_at=now)
        inspector = User(username="rect_inspector", name="消防检查员", role="inspector", department="fire",
                         password_hash=pw, created_at=now)
        db.session.add_all([staff, inspector])
        version = db.session.scalar(select(ChecklistVersion.id).where(ChecklistVersion.checklist_id == "fire-safety").limit(1))
        visit = Visit(institution_id=inst.id, scheduled_for=now.date(), status="completed", created_at=now)
        db.session.add(visit)
        db.session.flush()
        inspection = Inspection(visit_id=visit.id, department="fire", checklist_version_id=version,
                                status="submitted", submitted_at=now,
                                result={"failed": ["FIRE-03"], "vetoes": []})
        db.session.add(inspection)
        db.session.flush()
        db.session.add(InspectionInspector(inspection_id=inspection.id, user_id=inspector.id, lead=True))
        db.session.add(Answer(inspection_id=inspection.id, item_id="FIRE-03", value="fail", updated_at=now))
        notice = open_findings(inspection.id, now=now)
        db.session.commit()
        ids = {"finding": notice.findings[0].id, "notice": notice.id, "inspection": inspection.id,
               "visit": visit.id, "institution": inst.id, "users": [staff.id, inspector.id]}
    yield ids
    with app.app_context():
        f = ids["finding"]
        response_ids = list(db.session.scalars(select(FindingResponse.id).where(FindingResponse.finding_id == f)))
        file_ids = list(db.session.scalars(select(ResponsePhoto.file_id).where(ResponsePhoto.response_id.in_(response_ids))))
        db.session.execute(delete(ResponsePhoto).where(ResponsePhoto.response_id.in_(response_ids)))
        db.session.execute(delete(FindingResponse).where(FindingResponse.finding_id == f))
        db.session.execute(delete(StoredFile).where(StoredFile.id.in_(file_ids)))
        db.session.execute(delete(Message).where(Message.institution_id == ids["institution"]))
        db.session.execute(delete(FindingEvent).where(FindingEvent.finding_id == f))
        db.session.execute(delete(Finding).where(Finding.id == f))
        db.session.execute(delete(RectificationNotice).where(RectificationNotice.id == ids["notice"]))
        db.session.execute(delete(InspectionInspector).where(InspectionInspector.inspection_id == ids["inspection"]))
        db.session.execute(delete(Answer).where(Answer.inspection_id == ids["inspection"]))
        db.session.execute(delete(Inspection).where(Inspection.id == ids["inspection"]))
        db.session.execute(delete(Visit).where(Visit.id == ids["visit"]))
        db.session.execute(delete(LoginSession).where(LoginSession.user_id.in_(ids["users"])))
        db.session.execute(delete(User).where(User.id.in_(ids["users"])))
        db.session.execute(delete(Institution).where(Institution.id == ids["institution"]))
        db.session.commit()


def _photo(tmp_path):
    from PIL import Image
    path = tmp_path / "fixed.jpg"
    Image.new("RGB", (640, 480), (40, 120, 200)).save(path, "JPEG")
    return str(path)


def _sign_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("button[type=submit].primary").tap()
    page.wait_for_url(f"{base}/")


def test_staff_answer_with_photo_inspector_verifies_finding_closes(live_server, chromium, committed, tmp_path):
    from playwright.sync_api import expect

    from .conftest import TABLET
    url = f"{live_server}/rectification/findings/{committed['finding']}"

    staff = chromium.new_context(viewport=TABLET, has_touch=True, locale="zh-CN").new_page()
    _sign_in(staff, live_server, "rect_staff")
    staff.goto(f"{live_server}/rectification/")
    staff.locator(f"a[href$='/rectification/findings/{committed['finding']}']").first.tap()
    expect(staff.locator("[data-state=open]")).to_be_visible()
    staff.fill("#respond textarea[name=respond-text]", "已更换疏散通道的应急照明灯并完成测试")
    staff.set_input_files("#respond input[name=respond-photos]", _photo(tmp_path))
    button = staff.locator("#respond button[type=submit]")
    assert button.bounding_box()["height"] >= 44
    button.tap()
    expect(staff.locator("[data-state=responded]").first).to_be_visible()
    expect(staff.locator(".response-response .photos img")).to_have_count(1)
    staff.context.close()

    inspector = chromium.new_context(viewport=TABLET, has_touch=True, locale="zh-CN").new_page()
    _sign_in(inspector, live_server, "rect_inspector")
    inspector.goto(url)
    image = inspector.locator(".response-response .photos img")
    expect(image).to_be_visible()
    assert inspector.evaluate("img => img.naturalWidth", image.element_handle()) > 0   # served through the view
    inspector.check("#verify input[value=accept]")
    inspector.fill("#verify textarea[name=note]", "现场复查合格")
    inspector.locator("#verify button[type=submit]").tap()
    expect(inspector.locator("[data-state=closed]").first).to_be_visible()
    expect(inspector.locator("tr[data-action=accept]")).to_have_count(1)
    inspector.context.close()
