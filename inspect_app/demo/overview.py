"""Demo: older fire inspections whose results are already public (一公开).

The rectification demo's inspections are all from the last three weeks, so none of them has
reached its publication day yet (policies/publication.yaml: 20 working days). Here fire1
inspected staff1's home and two other homes six to eight weeks ago and found nothing to
rectify (the rectification demo keeps every finding of the demo). The public pages and the API
then show results and each institution's last inspection.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from ..auth.models import User
from ..core.errors import Invalid
from ..extensions import db
from .rectification import _homes, _submitted

DAYS_AGO = (60, 52, 45)


def seed_demo(rng: random.Random, today: date) -> str:
    users = {u.username: u for u in db.session.scalars(select(User))}
    inspector, partner, staff = users.get("fire1"), users.get("fire4"), users.get("staff1")
    if not (inspector and partner and staff and staff.institution_id):
        return "published results: demo skipped (needs the demo users)"
    done = 0
    for inst_id in _homes(rng, staff):
        if done == len(DAYS_AGO):
            break
        at = datetime.combine(today - timedelta(days=DAYS_AGO[done]), time(2), timezone.utc)
        try:
            with db.session.begin_nested():        # fire1 may not inspect a home they declared a conflict with
                _submitted(rng, inspector, partner, inst_id, at, ())
        except Invalid:
            continue
        done += 1
    return f"published results: {done} fire inspections of six to eight weeks ago"
