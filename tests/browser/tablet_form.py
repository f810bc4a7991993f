"""Helpers for driving the inspection form on a tablet (Playwright) and for the committed
records the live server needs (it runs outside the tests' rolled-back transactions)."""
from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from tests.browser.conftest import TABLET

PASSWORD = "tablet-password-1"


# ----------------------------------------------------------------------------- records

@dataclass
class Part:
    inspection_id: int
    department: str
    checklist_id: str
    inspector: str                    # username
    inspector_id: int


@dataclass
class World:
    visit_id: int
    institution_id: int
    parts: dict[str, Part]
    user_ids: list[int] = field(default_factory=list)
    audit_mark: int = 0               # the last audit row before the world was made


def create_world(app, departments: tuple[str, ...], institution: dict | None = None) -> World:
    """An institution (a nursing home unless ``institution`` overrides its fields), one
    inspector per department and a (joint) visit with one part each, made through the app's
    own service and committed."""
    from inspect_app.auth.models import User
    from inspect_app.auth.services import hash_password
    from inspect_app.core.types import utcnow
    from inspect_app.extensions import db
    from inspect_app.inspections.services import create_visit
    from inspect_app.registry.models import Institution
    from tests.factories import credit_code

    from sqlalchemy import func, select

    from inspect_app.core.audit import AuditEvent

    tag = uuid.uuid4().hex[:8]
    with app.app_context():
        mark = db.session.scalar(select(func.max(AuditEvent.id))) or 0
        now = utcnow()
        inst = Institution(name=f"平板联合检查养老院{tag}", credit_code=credit_code(int(tag, 16) % 100000 + 7),
                           type="nursing_home", district="示范区", street="东风街道", address="东风路1号",
                           beds=80, nursing_beds=30, operator_type="private", medical_integration="none",
                           ltc_designated=False, status="operating", created_at=now, updated_at=now)
        for key, value in (institution or {}).items():
            setattr(inst, key, value)
        db.session.add(inst)
        people = {}
        for dept in departments:
            user = User(username=f"tab_{dept[:6]}_{tag}", name=f"检查员{dept}", role="inspector", department=dept,
                        credential_number=f"TAB{tag}1", credential_authority="示范市执法证发证机关",
                        credential_expires_on=date(2036, 12, 31),
                        password_hash=hash_password(PASSWORD), created_at=now)
            db.session.add(user)
            people[dept] = user
        partners = {}
        for dept in departments:        # an enforcement visit goes with two inspectors per department
            partners[dept] = User(username=f"tab2_{dept[:6]}_{tag}", name=f"同行检查员{dept}", role="inspector",
                                  credential_number=f"TAB{tag}2", credential_authority="示范市执法证发证机关",
                                  credential_expires_on=date(2036, 12, 31),
                                  department=dept, password_hash="-", created_at=now)
            db.session.add(partners[dept])
        db.session.flush()
        visit = create_visit(None, inst.id, date.today(), {d: [u.id, partners[d].id] for d, u in people.items()},
                             purpose="routine")
        db.session.flush()
        parts = {}
        for part in visit.inspections:
            user = people[part.department]
            parts[part.department] = Part(part.id, part.department, part.checklist_version.checklist_id,
                                          user.username, user.id)
        world = World(visit.id, inst.id, parts, [u.id for u in (*people.values(), *partners.values())], mark)
        db.session.commit()
    return world


def remove_world(app, world: World) -> None:
    """Delete what the test committed, its audit rows included: they are the tail of the
    hash chain (nothing else commits while a browser test runs), and a chain cut at its end
    still verifies. Left behind, they would match other tests' records whose ids SQLite
    reuses."""
    from sqlalchemy import delete, select, update

    from inspect_app.auth.models import LoginSession, User
    from inspect_app.core.audit import AuditEvent
    from inspect_app.core.jobs import Job
    from inspect_app.extensions import db
    from inspect_app.inspections.models import Evidence, Inspection, OnSpotRectification, StoredFile, Visit
    from inspect_app.registry.models import Institution

    with app.app_context():
        ids = [p.inspection_id for p in world.parts.values()]
        db.session.execute(delete(OnSpotRectification).where(OnSpotRectification.inspection_id.in_(ids)))
        files = set(db.session.scalars(select(Evidence.file_id).where(Evidence.inspection_id.in_(ids))))
        for row in db.session.execute(select(Inspection.inspector_signature_id, Inspection.representative_signature_id)
                                      .where(Inspection.id.in_(ids))):
            files.update(x for x in row if x)
        db.session.execute(delete(Evidence).where(Evidence.inspection_id.in_(ids)))
        db.session.execute(update(Inspection).where(Inspection.id.in_(ids)).values(
            inspector_signature_id=None, representative_signature_id=None))
        db.session.execute(delete(Job).where(Job.key.in_([f"{p}:{i}" for i in ids for p in ("findings", "evaluation")])))
        visit = db.session.get(Visit, world.visit_id)
        if visit is not None:
            db.session.delete(visit)
        db.session.flush()
        if files:
            db.session.execute(delete(StoredFile).where(StoredFile.id.in_(files)))
        db.session.execute(delete(LoginSession).where(LoginSession.user_id.in_(world.user_ids)))
        db.session.execute(delete(User).where(User.id.in_(world.user_ids)))
        db.session.execute(delete(Institution).where(Institution.id == world.institution_id))
        db.session.execute(delete(AuditEvent).where(AuditEvent.id > world.audit_mark))
        db.session.commit()


def stored_state(app, inspection_id: int) -> dict:
    """What the database holds for one part: status, ids, answers, evidence, jobs."""
    from sqlalchemy import func, select

    from inspect_app.core.jobs import Job
    from inspect_app.extensions import db
    from inspect_app.inspections.models import Answer, Evidence, Inspection

    with app.app_context():
        part = db.session.get(Inspection, inspection_id)
        answers = {a.item_id: (a.value, a.remark) for a in db.session.scalars(
            select(Answer).where(Answer.inspection_id == inspection_id))}
        answer_rows = db.session.scalar(select(func.count()).select_from(Answer)
                                        .where(Answer.inspection_id == inspection_id))
        evidence = list(db.session.scalars(select(Evidence.item_id).where(Evidence.inspection_id == inspection_id)
                                           .order_by(Evidence.id)))
        jobs = db.session.scalar(select(func.count()).select_from(Job).where(
            Job.key.in_([f"findings:{inspection_id}", f"evaluation:{inspection_id}"])))
        return {"status": part.status, "submission_id": part.submission_id, "digest": part.body_digest,
                "answers": answers, "answer_rows": answer_rows, "evidence": evidence, "jobs": jobs,
                "visit_status": part.visit.status, "signed": bool(part.inspector_signature_id and
                                                                   part.representative_signature_id)}


def checklist_plan(app, checklist_id: str, fail: tuple[str, ...] = (), na: tuple[str, ...] = ()) -> dict[str, str]:
    """An answer for every item: pass (or the bound of a measure, the points of a scale),
    ``fail`` for the items named, ``na`` where named."""
    with app.app_context():
        from inspect_app.checklists import catalogue
        checklist = catalogue.get(checklist_id)
        plan = {}
        for item in checklist.items:
            if item.id in na:
                plan[item.id] = "na"
            elif item.type == "check":
                plan[item.id] = "fail" if item.id in fail else "pass"
            elif item.type == "scale":
                plan[item.id] = "0" if item.id in fail else _text(item.points)
            else:
                bound = item.min if item.min is not None else item.max
                plan[item.id] = _text(bound)
        return plan


def photo_items(app, checklist_id: str, plan: dict[str, str]) -> list[str]:
    """Items needing a photo for these answers (photo_always; photo_on_fail when failed)."""
    with app.app_context():
        from inspect_app.checklists import catalogue
        out = []
        for item in catalogue.get(checklist_id).items:
            if item.evidence == "photo_always" or (item.evidence == "photo_on_fail" and plan[item.id] == "fail"):
                out.append(item.id)
        return out


def _text(number) -> str:
    value = Fraction(str(number))
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def same_answer(stored: str, given: str) -> bool:
    if stored in ("pass", "fail", "na") or given in ("pass", "fail", "na"):
        return stored == given
    return Fraction(stored) == Fraction(given)


def small_jpeg(colour=(200, 40, 40)) -> bytes:
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), colour).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- the browser

def new_tablet(chromium, service_workers: str = "allow"):
    context = chromium.new_context(viewport=TABLET, has_touch=True, locale="zh-CN",
                                   service_workers=service_workers)
    context.set_default_timeout(15000)
    return context, context.new_page()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("button[type=submit].primary").tap()
    page.wait_for_url(f"{base}/")


def open_form(page, base: str, inspection_id: int) -> None:
    page.goto(f"{base}/inspections/{inspection_id}/form")
    page.wait_for_selector('#inspection-form[data-ready="1"]', state="attached")


def visible_step(page):
    return page.locator("section.step:not([hidden])")


def answer_visible_step(page, plan: dict[str, str], remarks: dict[str, str], photos: dict[str, bytes]) -> list[str]:
    """Answer every item of the step on screen as ``plan`` says; returns the item ids."""
    step = visible_step(page)
    ids = step.locator("fieldset.item").evaluate_all("nodes => nodes.map(n => n.dataset.itemId)")
    for item_id in ids:
        item = step.locator(f'fieldset.item[data-item-id="{item_id}"]')
        value = plan[item_id]
        kind = item.get_attribute("data-type")
        if kind == "check":
            radio = item.locator(f'input[type=radio][value="{value}"]')
            radio.check()
        elif value == "na":
            item.locator(f'input[type=checkbox][name="na-{item_id}"]').check()
        else:
            item.locator(f'input[type=number][name="answer-{item_id}"]').fill(value)
        if item_id in remarks:
            item.locator(f'textarea[name="remark-{item_id}"]').fill(remarks[item_id])
        if item_id in photos and not item.locator("ul.photos li").count():
            item.locator(f'input[type=file][name="photo-{item_id}"]').set_input_files(
                files=[{"name": f"{item_id}.jpg", "mimeType": "image/jpeg", "buffer": photos[item_id]}])
            item.locator("ul.photos li").first.wait_for(state="attached")
    return ids


def next_step(page) -> bool:
    button = visible_step(page).locator("button.step-next")
    if not button.count():
        return False
    button.tap()
    return True


def wait_synced(page, state: str = "saved", timeout: float = 20000) -> None:
    page.wait_for_selector(f'#sync-status[data-state="{state}"]', state="attached", timeout=timeout)


def draw_signature(page, who: str) -> None:
    canvas = page.locator(f'canvas[data-signature="{who}"]')
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.15, y + h * 0.6)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(x + w * (0.15 + 0.06 * i), y + h * (0.6 - 0.3 * (i % 2)), steps=2)
    page.mouse.up()


class Offline:
    """context.set_offline() does not reach a service worker's own fetches (Playwright #2311);
    with PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS=1 the context's router sees them, so
    they are aborted here as the network would. ``blocked`` counts the worker's attempts."""

    def __init__(self, context):
        self.context = context
        self.blocked = 0

    def _route(self, route):
        if route.request.service_worker is not None:
            self.blocked += 1
            route.abort("internetdisconnected")
        else:
            route.fallback()

    def __enter__(self):
        self.context.set_offline(True)
        self.context.route("**/*", self._route)
        return self

    def __exit__(self, *exc):
        self.context.unroute("**/*", self._route)
        self.context.set_offline(False)
        return False


def csrf_token(page) -> str:
    return page.evaluate("() => document.querySelector('meta[name=csrf-token]').content")


def post_json(page, url: str, body: dict | str):
    data = body if isinstance(body, str) else json.dumps(body)
    return page.request.post(url, data=data, headers={
        "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf_token(page)})
