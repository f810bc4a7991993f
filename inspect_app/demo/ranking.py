"""Demo standings: last month's (as of 31 days ago, so the ranking shows a trend) and this
month's, computed by the ranking feature from the demo's visits, findings and grades."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from ..core.types import utcnow
from ..extensions import db
from ..ranking import standing
from ..ranking.models import Standing


def seed_demo(rng: random.Random, today: date) -> str:
    if db.session.scalar(select(func.count()).select_from(Standing)):
        return "ranking: demo standings already present"
    now = utcnow()
    before = standing.refresh(now - timedelta(days=31))
    current = standing.refresh(now)
    return f"ranking: {before} standings of last month and {current} of this month"
