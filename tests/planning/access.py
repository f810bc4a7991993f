"""Authorization rows of the planning feature (merged into tests/test_authorization.py)."""
from __future__ import annotations

from tests.roles import ANON, BUREAU, DEPT, EVERYONE, INSP, SIGNED_IN, STAFF  # noqa: F401

# endpoint → roles allowed
ROUTES: dict[str, set[str]] = {
    "planning.index": {DEPT, BUREAU},
    "planning.show": {DEPT, BUREAU},
    "planning.create": {BUREAU},
    "planning.edit": {BUREAU},
    "planning.run": {DEPT, BUREAU},
    "planning.enter_beacon": {BUREAU},
    "planning.run_due": {BUREAU},
    "planning.week": {INSP, DEPT, BUREAU},
    "planning.month": {INSP, DEPT, BUREAU},
    "planning.progress": {DEPT, BUREAU},
    "planning.draws": EVERYONE,
    "planning.draw": EVERYONE,
    "planning.draw_file": EVERYONE,
    "planning.verification": EVERYONE,
}


def world(make, db, users, own, other) -> dict:
    """A random joint plan with one frozen run (its lists are public from the start)."""
    from tests.planning.conftest import make_plan
    from inspect_app.planning.runs import start_run
    from inspect_app.domain.planning.plans import period_of
    from inspect_app.core.types import utcnow
    plan = make_plan(db, users[BUREAU], departments=["fire"], districts=[own.district])
    now = utcnow()
    run = start_run(plan, period_of(plan.period, now.date()), now)
    return {"plan_id": plan.id, "run_id": run.id, "name": "lists"}
