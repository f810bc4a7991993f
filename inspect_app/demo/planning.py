"""Demo plans: a quarterly 双随机 joint plan drawn for this quarter, and two routine plans
(critical findings re-inspected, grades expiring evaluated). Loaded by the seed command.

The draw is done as a bureau does it: the lists are frozen yesterday, naming today's
third-party value (a value of the freeze day itself may have existed before the freeze), and the
value is entered today. Its drawn institutions stay off the public page until their visits."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from ..auth.models import User
from ..core.types import utcnow
from ..extensions import db
from ..planning.models import Plan, PlanRun
from ..planning.plans import defaults
from ..planning import runs
from ..domain.planning.plans import period_of


def seed_demo(rng: random.Random, today: date) -> str:
    if db.session.scalar(select(func.count()).select_from(Plan)):
        return "planning: demo plans already present"
    bureau = db.session.scalar(select(User).where(User.username == "bureau"))
    now = utcnow()
    base = defaults() | {"start": date(today.year, 1, 1), "expires": None, "districts": [],
                         "institution_types": []}
    joint = Plan(**(base | {
        "name": f"{today.year}年度双随机联合抽查（按季度）", "kind": "random_joint", "rule": None,
        "departments": ["civil_affairs", "fire", "market_regulation"], "team_per_department": 2,
        "max_per_inspector": 10, "avoid_own_district": True, "beacon_delay_days": 1,
        "ratios": {"high": "0.3", "medium_high": "0.2", "medium": "0.1", "low": "0.05"}}),
        created_by_id=getattr(bureau, "id", None), created_at=now, updated_at=now)
    followup = Plan(**(base | {
        "name": "严重隐患现场复查（每日）", "kind": "routine", "rule": "critical_followup",
        "period": "daily", "departments": [], "team_per_department": 2, "visit_within_days": 7}),
        created_by_id=getattr(bureau, "id", None), created_at=now, updated_at=now)
    expiry = Plan(**(base | {
        "name": "等级到期评定（每月）", "kind": "routine", "rule": "grade_expiry", "period": "monthly",
        "departments": ["civil_affairs"], "team_per_department": 2, "horizon_days": 90}),
        created_by_id=getattr(bureau, "id", None), created_at=now, updated_at=now)
    db.session.add_all([joint, followup, expiry])
    db.session.flush()
    run = runs.start_run(joint, period_of(joint.period, today), now - timedelta(days=1))
    beacon = f"{rng.uniform(2900, 3500):.2f}"        # stands in for the index's closing value
    if run is not None and bureau is not None:
        runs.enter_beacon(bureau, run.id, beacon, now=now, dated=run.beacon_date)
        runs.advance_run(run.id, now)
    runs.run_due_plans(now)
    drawn = db.session.get(PlanRun, run.id) if run is not None else None
    return (f"planning: 3 plans; draw {drawn.period_key if drawn else '-'} "
            f"{drawn.state if drawn else '-'} with {drawn.visit_count if drawn else 0} visits "
            f"(frozen {drawn.frozen_on if drawn else '-'}; demo third-party value of "
            f"{drawn.beacon_date if drawn else '-'}: {beacon})")
