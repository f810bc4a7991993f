"""Demo rectification data: three institutions with fire notices in different stages.

The fire inspections behind them are made through the inspections feature's own services
(visit created, draft started, every item answered, submitted with both signatures and the
photos the checklist asks for), so their records are the same as ones filled on a tablet;
only their dates are then moved back, so that the deadlines are at different rungs of the
ladder. ``staff1``'s home gets one finding answered (awaiting verification) and one closed.
"""
from __future__ import annotations

import base64
import io
import random
import uuid
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select

from ..auth.models import User
from ..core.errors import Invalid
from ..core.types import utcnow
from ..extensions import db
from ..inspections import services
from ..inspections.models import Inspection
from ..registry.models import Institution
from ..rectification import escalation, responses
from ..rectification.findings import open_findings
from ..rectification.hazards import list_major_hazards
from ..rectification.models import Finding
from ..domain.scoring.single import number_text

# The failed items of each demo inspection, and how many days ago it was submitted.
FAILED = (("FIRE-01", "FIRE-03", "FIRE-06"), ("FIRE-25", "FIRE-04"), ("FIRE-03", "FIRE-09"))
DAYS_AGO = (20, 5, 12)


def _jpeg(rng: random.Random, label: str) -> bytes:
    from PIL import Image, ImageDraw
    image = Image.new("RGB", (640, 480), tuple(rng.randrange(80, 220) for _ in range(3)))
    ImageDraw.Draw(image).text((20, 20), label, fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _signature(rng: random.Random) -> str:
    from PIL import Image, ImageDraw
    image = Image.new("RGBA", (480, 160), (255, 255, 255, 0))
    points = [(20 + i * 22, 80 + rng.randrange(-40, 40)) for i in range(20)]
    ImageDraw.Draw(image).line(points, fill=(20, 20, 60, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128)))


def _submitted(rng: random.Random, inspector: User, partner: User, institution_id: int, at: datetime,
               failed: tuple[str, ...]) -> Inspection:
    """A fire inspection by ``inspector`` failing exactly ``failed``, submitted through the
    inspections services, then dated ``at``."""
    from werkzeug.datastructures import FileStorage

    visit = services.create_visit(None, institution_id, at.date(), {"fire": [inspector.id, partner.id]}, "routine",
                                  note="消防安全检查（演示数据）")
    part = visit.inspections[0]
    checklist = services.common.checklist_of(part)
    sid = _uuid(rng)
    services.start(inspector, part.id, sid)
    answers, remarks = {}, {}
    for item in checklist.items:
        bad = item.id in failed
        if item.type == "check":
            answers[item.id] = "fail" if bad else "pass"
        elif item.type == "scale":
            answers[item.id] = number_text(0 if bad else item.points)
        else:
            inside = item.min if item.min is not None else item.max
            outside = (item.min - 1) if item.min is not None else (item.max + 1)
            answers[item.id] = number_text(outside if bad else inside)
        if bad:
            remarks[item.id] = "消防监督检查记录，区消防救援大队，检查当日" if item.finding_document else "现场发现"
        if item.evidence == "photo_always" or (item.evidence == "photo_on_fail" and bad):
            photo = FileStorage(io.BytesIO(_jpeg(rng, item.id)), filename=f"{item.id}.jpg")
            services.upload_evidence(inspector, part.id, item.id, _uuid(rng), photo)
    services.submit(inspector, part.id, {
        "submission_id": sid, "answers": answers, "remarks": remarks, "representative_name": "王院长",
        "signatures": {"inspector": _signature(rng), "representative": _signature(rng)}})
    # Dated back, as if filled on that day (the deadlines count from the submission).
    visit.created_at = visit.completed_at = at
    part.started_at = part.submitted_at = at
    db.session.flush()
    return part


def _homes(rng: random.Random, staff: User) -> list[int]:
    """staff1's home first, then two other operating institutions drawn at random."""
    others = list(db.session.scalars(select(Institution.id).where(
        Institution.status == "operating", Institution.id != staff.institution_id).order_by(Institution.id)))
    return [staff.institution_id] + rng.sample(others, min(len(others), 6))


def seed_demo(rng: random.Random, today: date) -> str:
    users = {u.username: u for u in db.session.scalars(select(User))}
    inspector, partner, staff = users.get("fire1"), users.get("fire4"), users.get("staff1")
    if not (inspector and partner and staff and staff.institution_id and services.checklists_for("fire", "inspection")):
        return "rectification: demo skipped (needs the demo users and the fire checklist)"
    now = utcnow()
    parts: list[Inspection] = []
    for inst_id in _homes(rng, staff):
        if len(parts) == len(FAILED):
            break
        n = len(parts)
        at = datetime.combine(today - timedelta(days=DAYS_AGO[n]), time(2), timezone.utc)
        try:
            with db.session.begin_nested():       # e.g. fire1 declared a conflict with it: next one
                parts.append(_submitted(rng, inspector, partner, inst_id, at, FAILED[n]))
        except Invalid:
            if inst_id == staff.institution_id:
                return "rectification: demo skipped (fire1 may not inspect staff1's home)"
    made = 0
    for part in parts:
        notice = open_findings(part.id, now=part.submitted_at)
        list_major_hazards(notice, now=part.submitted_at)      # as the job does after submission
        made += len(notice.findings) if notice else 0
    story = []
    if parts:
        own = {f.item_id: f for f in db.session.scalars(select(Finding).where(Finding.inspection_id == parts[0].id))}
        issued = parts[0].submitted_at
        # staff1 fixes the evacuation signs within two days and the inspector closes the
        # finding the next day, before its deadline; the fire extinguishers are answered today.
        story = [
            (issued + timedelta(days=2), lambda at: responses.respond(
                staff, own["FIRE-03"].id, "疏散指示标志已更换", now=at)),
            (issued + timedelta(days=3), lambda at: responses.verify(
                inspector, own["FIRE-03"].id, True, "复查合格", now=at)),
            (now, lambda at: responses.respond(staff, own["FIRE-06"].id, "已整改：灭火器已更换并张贴检查标签", now=at)),
        ]
    _unfold(story, now)
    answered, closed = (1, 1) if parts else (0, 0)
    return (f"rectification: {made} findings in {len(parts)} notices "
            f"(staff1 has {answered} answered, {closed} closed)")


def _unfold(story: list, now: datetime) -> None:
    """Play the demo's days in time order: the deadline sweep at each instant a rung falls
    due, and the institution's and inspectors' actions on their days, so every message is dated
    when it would have been sent and agrees with the finding's state at that moment."""
    story = sorted(story, key=lambda step: step[0])
    while True:
        due = db.session.scalar(select(func.min(Finding.next_due_at)))
        if story and story[0][0] <= now and (due is None or story[0][0] <= due):
            at, act = story.pop(0)
            act(at)
        elif due is not None and due <= now:
            while escalation.sweep_deadlines(due).more:
                pass
        else:
            break
    for at, act in story:                   # anything dated later than now happens now
        act(now)
    while escalation.sweep_deadlines(now).more:
        pass
