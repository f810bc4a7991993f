"""Demo rectification data: three institutions with fire notices in different stages."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from ..auth.models import User
from ..checklists.models import ChecklistVersion
from ..core.types import utcnow
from ..extensions import db
from ..inspections.models import Answer, Inspection, InspectionInspector, Visit
from ..registry.models import Institution
from . import escalation, responses
from .findings import open_findings

FAILED = (("FIRE-01", "FIRE-03", "FIRE-06"), ("FIRE-25", "FIRE-04"), ("FIRE-03", "FIRE-09"))


def _inspection(institution_id: int, inspector: User, version_id: int, at: datetime, failed) -> Inspection:
    visit = Visit(institution_id=institution_id, kind="inspection", purpose="random", scheduled_for=at.date(),
                  status="completed", created_at=at, completed_at=at)
    db.session.add(visit)
    db.session.flush()
    part = Inspection(visit_id=visit.id, department="fire", checklist_version_id=version_id, status="submitted",
                      submitted_at=at, submitted_by_id=inspector.id, failed_count=len(failed),
                      result={"failed": list(failed), "vetoes": [f for f in failed if f == "FIRE-01"]})
    db.session.add(part)
    db.session.flush()
    db.session.add(InspectionInspector(inspection_id=part.id, user_id=inspector.id, lead=True))
    for item in failed:
        db.session.add(Answer(inspection_id=part.id, item_id=item, value="fail", remark="现场发现", updated_at=at))
    db.session.flush()
    return part


def seed_demo(rng, today) -> str:
    users = {u.username: u for u in db.session.scalars(select(User))}
    inspector, admin, staff = users.get("fire1"), users.get("fire_admin"), users.get("staff1")
    version = db.session.scalar(select(ChecklistVersion.id).where(ChecklistVersion.checklist_id == "fire-safety")
                                .order_by(ChecklistVersion.id.desc()).limit(1))
    if not (inspector and staff and version):
        return "rectification: demo skipped (needs the demo users and the fire checklist)"
    homes = [staff.institution_id] + [i for i in rng.sample(range(1, 40), 2) if i != staff.institution_id][:2]
    now = utcnow()
    made = 0
    for n, (inst_id, failed) in enumerate(zip(homes, FAILED)):
        at = datetime.combine(today - timedelta(days=(20, 5, 12)[n]), time(2), timezone.utc)
        if db.session.get(Institution, inst_id) is None:
            continue
        part = _inspection(inst_id, inspector, version, at, failed)
        notice = open_findings(part.id, now=at)
        made += len(notice.findings) if notice else 0
    while escalation.sweep_deadlines(now).more:       # the overdue ones climb the ladder
        pass
    own = [f for f in db.session.scalars(select(Inspection).where(Inspection.visit.has(institution_id=staff.institution_id)))]
    if own:
        from .models import Finding
        first = db.session.scalars(select(Finding).where(Finding.inspection_id == own[0].id).order_by(Finding.id)).all()
        if len(first) >= 3:
            responses.respond(staff, first[2].id, "已整改：灭火器已更换并张贴检查标签", now=now)
            responses.respond(staff, first[1].id, "疏散指示标志已更换", now=now)
            responses.verify(inspector, first[1].id, True, "复查合格", now=now)
    return f"rectification: {made} findings in {len(homes)} notices (staff1 has one answered, one closed)"
