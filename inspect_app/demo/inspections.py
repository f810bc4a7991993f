"""Demo visits for trying the tablet form (called by the demo seed after the registry and users).

Today: a joint visit (civil affairs + fire + market regulation) to the first demo nursing
home, whose staff account is ``staff1``, and a complaint visit for ``fire1``; later this
week a health follow-up; an overdue fire visit; a grading evaluation next week; and a
completed joint visit to ``staff2``'s home a week ago, filled through the real services
(photos, signatures, a few failed items) so its records, PDF and findings exist.
"""
from __future__ import annotations

import base64
import io
import random
import uuid
from datetime import date, timedelta

from sqlalchemy import func, select

from ..auth.models import User
from ..extensions import db
from ..registry.models import Institution
from ..grading import policy as grading_policy
from ..inspections import services
from ..inspections.models import Visit
from ..domain.scoring.single import number_text


def _jpeg(rng: random.Random, label: str) -> bytes:
    from PIL import Image, ImageDraw
    image = Image.new("RGB", (640, 480), tuple(rng.randrange(80, 220) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(0, 560), rng.randrange(0, 400)
        draw.rectangle((x, y, x + 80, y + 60), outline=(30, 30, 30), width=4)
    draw.text((20, 20), label, fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _signature(rng: random.Random) -> str:
    from PIL import Image, ImageDraw
    image = Image.new("RGBA", (480, 160), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(20 + i * 22, 80 + rng.randrange(-40, 40)) for i in range(20)]
    draw.line(points, fill=(20, 20, 60, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _fill_and_submit(rng: random.Random, user: User, inspection, fail_share: float = 0.12) -> None:
    from werkzeug.datastructures import FileStorage
    checklist = services.common.checklist_of(inspection)
    sid = str(uuid.UUID(int=rng.getrandbits(128)))
    services.start(user, inspection.id, sid)
    answers, remarks = {}, {}
    for item in checklist.items:
        failed = rng.random() < fail_share and not item.veto
        if item.type == "check":
            answers[item.id] = "fail" if failed else ("na" if item.na and rng.random() < 0.05 else "pass")
        elif item.type == "scale":
            answers[item.id] = number_text(item.points if not failed else 0)
        else:
            inside = item.min if item.min is not None else item.max
            outside = (item.min - 1) if item.min is not None else (item.max + 1)
            answers[item.id] = number_text(outside if failed else inside)
        if failed:
            remarks[item.id] = "现场发现问题，已告知机构负责人"
        if item.evidence == "photo_always" or (item.evidence == "photo_on_fail" and failed):
            photo = FileStorage(io.BytesIO(_jpeg(rng, item.id)), filename=f"{item.id}.jpg")
            services.upload_evidence(user, inspection.id, item.id, str(uuid.UUID(int=rng.getrandbits(128))), photo)
    services.submit(user, inspection.id, {
        "submission_id": sid, "answers": answers, "remarks": remarks, "representative_name": "李院长",
        "signatures": {"inspector": _signature(rng), "representative": _signature(rng)}})


def seed_demo(rng: random.Random, today: date) -> str:
    """Load the demo visits once; running it again changes nothing."""
    if db.session.scalar(select(func.count()).select_from(Visit)):
        return "inspections: demo visits already present; nothing loaded"
    people = {u.username: u for u in db.session.scalars(select(User))}
    homes = list(db.session.scalars(select(Institution).where(Institution.type == "nursing_home")
                                    .order_by(Institution.id)))
    needed = ("civil1", "civil2", "civil3", "civil4", "fire1", "fire2", "fire3", "fire4", "market1", "market2",
              "health1", "health2")
    if len(homes) < 7 or any(name not in people for name in needed):
        return "inspections: the core demo users and institutions are missing; no visits loaded"

    def ids(*names):
        return [people[n].id for n in names]

    joint = services.create_visit(None, homes[0].id, today, {
        "civil_affairs": ids("civil1", "civil2"), "fire": ids("fire1", "fire2"),
        "market_regulation": ids("market1", "market2")}, "routine", note="联合检查：民政、消防、市场监管")
    services.create_visit(None, homes[3].id, today, {"fire": ids("fire1", "fire3")}, "complaint",
                          note="群众投诉：楼道堆放杂物")
    services.create_visit(None, homes[4].id, today + timedelta(days=2), {"health": ids("health1", "health2")}, "follow_up")
    services.create_visit(None, homes[5].id, today - timedelta(days=5), {"fire": ids("fire2", "fire4")}, "routine",
                          due_by=today - timedelta(days=2))
    services.create_visit(None, homes[6].id, today + timedelta(days=8), {"civil_affairs": ids("civil3")},
                          "grading", kind="grading", source="demo",
                          checklist_ids={"civil_affairs": grading_policy.in_force(today).checklist})
    done = services.create_visit(None, homes[1].id, today - timedelta(days=7), {
        "civil_affairs": ids("civil1", "civil4"), "fire": ids("fire2", "fire3")}, "routine")
    db.session.flush()
    for part in done.inspections:
        filler = people["civil1"] if part.department == "civil_affairs" else people["fire2"]
        _fill_and_submit(rng, filler, part)
    community = []
    for itype, day in (("meal_point", today), ("home_care_bed", today + timedelta(days=1))):
        target = db.session.scalar(select(Institution).where(Institution.type == itype, Institution.status == "operating")
                                   .order_by(Institution.id).limit(1))
        if target is not None:
            community.append(services.create_visit(None, target.id, day, {"civil_affairs": ids("civil1", "civil3")},
                                                   "routine", note="社区养老服务设施检查"))
    db.session.flush()
    return (f"inspections: {6 + len(community)} visits (joint visit today to {homes[0].name} for civil1/civil2/fire1/fire2/market1; "
            f"a completed joint visit to {homes[1].name} with records for staff2; "
            f"{len(community)} community visits for civil1/civil3: a meal point and a home-care bed); "
            f"visit #{joint.id} is today's")
