"""Building blocks for the inspections tests (and the authorization matrix's world):
visits made through the real service, answer sets, photos and signatures as a tablet sends
them, and JSON posting with the CSRF header."""
from __future__ import annotations

import base64
import io
import itertools
from datetime import date

_ids = itertools.count(1)


def new_id(prefix: str = "sub") -> str:
    return f"{prefix}-{next(_ids):04d}-5f0e9c1a"


def png_bytes(color=(200, 30, 30), size=(40, 30), mark=True) -> bytes:
    from PIL import Image, ImageDraw
    image = Image.new("RGB", size, (255, 255, 255) if mark else color)
    if mark:
        ImageDraw.Draw(image).line((2, 2, size[0] - 3, size[1] - 3), fill=color, width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def signature(color=(10, 10, 10)) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(color, (120, 40))).decode()


def all_pass(checklist) -> dict:
    """A valid full answer set: every check passed, numbers within their bounds."""
    from inspect_app.domain.scoring.single import number_text
    out = {}
    for item in checklist.items:
        if item.type == "check":
            out[item.id] = "pass"
        elif item.type == "scale":
            out[item.id] = number_text(item.points)
        else:
            out[item.id] = number_text(item.min if item.min is not None else item.max)
    return out


def post_json(browser, path, body, token_from="/inspections/"):
    token = browser.token(token_from)
    return browser._fresh("post", path, json=body, headers={"X-CSRFToken": token, "Accept": "application/json"})


def upload(browser, inspection_id, item_id, client_id, data=None, filename="photo.jpg", token_from="/inspections/",
           stage=None):
    token = browser.token(token_from)
    extra = {"stage": stage} if stage else {}
    return browser._fresh("post", f"/inspections/{inspection_id}/evidence",
                          data={"item_id": item_id, "client_id": client_id, **extra,
                                "file": (io.BytesIO(data if data is not None else jpeg_bytes()), filename)},
                          headers={"X-CSRFToken": token, "Accept": "application/json"},
                          content_type="multipart/form-data")


class Kit:
    """Builds inspection worlds for one test."""

    def __init__(self, make, db):
        self.make, self.db = make, db

    def visit(self, institution=None, departments=None, when=None, kind="inspection", purpose="routine", **kw):
        from inspect_app.inspections.services import create_visit
        institution = institution or self.make.institution()
        departments = departments or {"fire": [self.make.user("inspector", department="fire")]}
        if purpose != "grading":
            # an enforcement visit goes with at least two inspectors per department
            # (policies/enforcement.yaml): a partner joins a test's single inspector
            departments = {d: list(people) + [self.make.user("inspector", department=d, name="同行检查员")
                                              for _ in range(2 - len(people))]
                           for d, people in departments.items()}
        visit = create_visit(None, institution.id, when or date.today(),
                             {d: [u.id for u in people] for d, people in departments.items()},
                             purpose, kind=kind, **kw)
        self.db.session.flush()
        return visit

    def checklist(self, inspection):
        from inspect_app.inspections.services.common import checklist_of
        return checklist_of(inspection)

    def submit_body(self, inspection, submission_id, answers=None, **extra):
        body = {"submission_id": submission_id, "answers": answers or all_pass(self.checklist(inspection)),
                "remarks": {}, "representative_name": "张三",
                "signatures": {"inspector": signature(), "representative": signature((0, 0, 160))}}
        body.update(extra)
        return body

    def evidence_for_required(self, user, inspection, answers):
        """Attach a photo to every item whose evidence rule asks for one (service call)."""
        from werkzeug.datastructures import FileStorage
        from inspect_app.inspections.services import upload_evidence
        for item in self.checklist(inspection).items:
            if item.evidence == "photo_always" or (item.evidence == "photo_on_fail" and answers.get(item.id) == "fail"):
                upload_evidence(user, inspection.id, item.id, new_id("photo"),
                                FileStorage(io.BytesIO(jpeg_bytes()), filename="p.jpg"))

    def submitted(self, institution=None, inspector=None, **kw):
        """A visit with one fire part, submitted through the services."""
        from inspect_app.inspections.services import start, submit
        inspector = inspector or self.make.user("inspector", department="fire")
        visit = self.visit(institution, {"fire": [inspector]}, **kw)
        part = visit.inspections[0]
        sid = new_id()
        start(inspector, part.id, sid)
        body = self.submit_body(part, sid)
        self.evidence_for_required(inspector, part, body["answers"])
        submit(inspector, part.id, body)
        self.db.session.flush()
        return visit, part, inspector
