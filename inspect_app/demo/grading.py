"""Demo data for grading: confirmed grades, one record in 公示, one open application, and one
community home-care service centre rated 4A (the A-level rating).

Called by the demo seed (``inspect_app.demo``) after the registry and the users exist (``seed_demo(rng, today)``);
every step goes through the same services the pages use, acting as the demo bureau admin.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..core.types import utcnow
from ..domain.scoring.single import number_text
from ..core.errors import Invalid
from ..extensions import db
from ..registry.models import Institution
from ..grading import applications, importing, records
from ..grading.models import GradeApplication, GradeRecord
from ..domain.grading.schemes import A_LEVEL


def _answers_csv(checklist, rng: random.Random, quality: float) -> bytes:
    lines = ["条目编号,评定结果,备注"]
    for item in checklist.items:
        good = rng.random() < (0.995 if item.veto else quality)
        if item.type == "check":
            value = "pass" if good else "fail"
        elif item.type == "scale":
            step = item.step or 1
            tiers = int(item.points / step)
            value = number_text(step * (tiers if good else rng.randrange(0, tiers)))
        else:
            inside = item.min if item.min is not None else item.max
            # a failed measure lies outside its bound and stays a possible measurement (≥ 0)
            below = max(inside - 1, inside / 2)
            value = number_text(inside if good else (below if item.min is not None else inside + 1))
        lines.append(f"{item.id},{value},")
    return "\n".join(lines).encode("utf-8")


def _evaluated(bureau, institution, level: int, rng, quality: float, today: date, scheme: str = "star",
               answers: bytes | None = None):
    application = GradeApplication(
        institution_id=institution.id, requested_level=level, scheme=scheme,
        self_assessment="按评分表逐项自评，材料齐全。",
        state="accepted", eligibility=[], checked_on=today, applied_at=utcnow())
    db.session.add(application)
    db.session.flush()
    checklist = importing.grading_checklist(today, scheme)
    return importing.import_evaluation(bureau, application.id, answers or _answers_csv(checklist, rng, quality),
                                       "demo-assessor.csv", today)


#: The rated centre's evaluation: full marks but bathing help 30 of 60, cleaning help 45 of 60,
#: the satisfaction survey and CCTV failed — 900 points, services 455: 4A.
CENTRE_ANSWERS = {"CR-15": "30", "CR-16": "45", "CR-26": "fail", "CR-38": "fail"}


def _centre_csv(checklist) -> bytes:
    lines = ["条目编号,评定结果,备注"]
    for item in checklist.items:
        value = CENTRE_ANSWERS.get(item.id) or ("pass" if item.type == "check" else number_text(item.points))
        lines.append(f"{item.id},{value},")
    return "\n".join(lines).encode("utf-8")


def _rated_centre(bureau, rng, today: date) -> int:
    """One community home-care service centre through the A-level rating, confirmed 4A."""
    centre = db.session.scalar(select(Institution).where(Institution.type == "community_center")
                               .order_by(Institution.id))
    if centre is None:
        return 0
    checklist = importing.grading_checklist(today, A_LEVEL)
    record = _evaluated(bureau, centre, 4, rng, 1.0, today - timedelta(days=30), A_LEVEL, _centre_csv(checklist))
    records.publish(bureau, record.id, today - timedelta(days=25))
    records.sweep_grades(today)
    records.confirm(bureau, record.id, today - timedelta(days=10))
    return 1


def seed_demo(rng: random.Random, today: date) -> str:
    bureau = db.session.scalar(select(User).where(User.role == "bureau_admin").order_by(User.id))
    homes = list(db.session.scalars(select(Institution).where(Institution.type == "nursing_home")
                                    .order_by(Institution.id)))
    if bureau is None or len(homes) < 9:
        return "grading: no demo data (needs the bureau admin and 9 nursing homes)"
    if db.session.scalar(select(GradeRecord.id).limit(1)) is not None:
        return "grading: demo data already present; nothing loaded"
    confirmed = 0
    for institution, level, quality in zip(homes[2:8], (5, 4, 4, 3, 3, 2), (0.99, 0.95, 0.93, 0.9, 0.88, 0.8)):
        record = _evaluated(bureau, institution, level, rng, quality, today - timedelta(days=30))
        if record.level is None:
            continue
        records.publish(bureau, record.id, today - timedelta(days=25))
        records.sweep_grades(today)
        records.confirm(bureau, record.id, today - timedelta(days=10))
        confirmed += 1
    rated_centres = _rated_centre(bureau, rng, today)
    # not a demo staff's home: an institution whose grading is in 公示 cannot apply again
    noticed = _evaluated(bureau, homes[8], 3, rng, 0.95, today)
    records.publish(bureau, noticed.id, today)
    applied = 0
    for home in homes[:2]:       # the demo staff's institutions; the first one eligible applies
        staff = db.session.scalar(select(User).where(User.institution_id == home.id).order_by(User.id))
        if staff is None:
            continue
        try:
            with db.session.begin_nested():
                applications.apply(staff, "3", "860", "对照《养老机构等级划分与评定》自评，申请三级。", today, utcnow())
            applied = 1
            break
        except Invalid:          # not eligible (an open hazard, filed too recently…): try the next
            continue
    return (f"grading: {confirmed} confirmed grades, 1 record in public notice (公示), "
            f"{applied} open application, {rated_centres} community centre rated 4A")
