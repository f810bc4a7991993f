"""Beat firing twice at the same moment: concurrent sweepers, each with its own connection and
transaction, produce one run and one set of visits. Real commits (no rolled-back test
transaction), so the test removes what it made. On SQLite the writers queue (BEGIN IMMEDIATE);
on PostgreSQL (DATABASE_URL) they really overlap and the unique key and the conditional UPDATE
decide."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select

from inspect_app.auth.models import User
from inspect_app.core.jobs import Job
from inspect_app.extensions import db
from inspect_app.inspections.models import Visit
from inspect_app.planning import runs
from inspect_app.planning.models import DRAWN, Plan, PlanRun, PlanRunEvent
from inspect_app.registry.models import Institution
from tests.factories import Factory
from tests.planning.conftest import make_plan

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=3)
SWEEPERS = 4


def _sweep_concurrently(app, now) -> list:
    barrier = threading.Barrier(SWEEPERS)
    outcomes: list = []

    def sweeper():
        with app.app_context():
            try:
                barrier.wait()
                summary = runs.run_due_plans(now)
                db.session.commit()
                outcomes.append(summary)
            except Exception as exc:   # noqa: BLE001 - reported by the assertion below
                db.session.rollback()
                outcomes.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sweeper) for _ in range(SWEEPERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


@pytest.fixture
def committed_world(app):
    with app.app_context():
        make = Factory(db, "x")
        institutions = [make.institution(district="并发区") for _ in range(12)]
        people = [make.user("inspector", department=d) for d in ("civil_affairs", "fire") for _ in range(3)]
        admin = make.user("bureau_admin")
        plan = make_plan(db, admin, districts=["并发区"], name="并发测试计划")
        db.session.commit()
        ids = {"plan": plan.id, "institutions": [i.id for i in institutions],
               "users": [u.id for u in people] + [admin.id]}
    yield ids
    with app.app_context():
        run_ids = db.session.scalars(select(PlanRun.id).where(PlanRun.plan_id == ids["plan"])).all()
        if run_ids:
            db.session.execute(delete(Visit).where(Visit.source.in_([f"draw:{r}" for r in run_ids])))
            db.session.execute(delete(PlanRunEvent).where(PlanRunEvent.run_id.in_(run_ids)))
            db.session.execute(delete(PlanRun).where(PlanRun.id.in_(run_ids)))
            db.session.execute(delete(Job).where(Job.key.in_([f"{runs.ADVANCE_JOB}:{r}:seeded" for r in run_ids])))
        db.session.execute(delete(Plan).where(Plan.id == ids["plan"]))
        db.session.execute(delete(User).where(User.id.in_(ids["users"])))
        db.session.execute(delete(Institution).where(Institution.id.in_(ids["institutions"])))
        db.session.commit()
        db.session.remove()


def test_concurrent_sweeps_make_one_run_and_one_set_of_visits(app, committed_world):
    outcomes = _sweep_concurrently(app, NOW)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o["started"] for o in outcomes) == 1
    with app.app_context():
        [run_id] = db.session.scalars(select(PlanRun.id).where(PlanRun.plan_id == committed_world["plan"])).all()
        runs.enter_beacon(db.session.get(User, committed_world["users"][-1]), run_id, "3312.58", now=LATER)
        db.session.commit()
        db.session.remove()
    outcomes = _sweep_concurrently(app, LATER)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    with app.app_context():
        run = db.session.get(PlanRun, run_id)
        visits = db.session.scalar(select(func.count()).select_from(Visit).where(Visit.source == run.source_key))
        drawn_events = db.session.scalar(select(func.count()).select_from(PlanRunEvent).where(
            PlanRunEvent.run_id == run.id, PlanRunEvent.to_state == "drawn"))
        assert run.state == DRAWN                    # published once the visits have taken place
        assert visits == run.visit_count == 6 and drawn_events == 1      # ceil(0.5 × 12)
        db.session.remove()
