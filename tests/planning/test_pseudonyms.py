"""Inspectors appear in the public draw files under pseudonyms drawn afresh for each run: who
declared a conflict with which institution cannot be followed from one draw to the next."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from inspect_app.auth.models import ConflictOfInterest
from inspect_app.core.types import utcnow
from inspect_app.inspections.models import Inspection, InspectionInspector, Visit
from inspect_app.planning import runs
from inspect_app.planning.lists import inspector_key, pseudonyms
from inspect_app.planning.models import DRAWN, PlanRun
from tests.planning.conftest import make_plan

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)        # 2026-Q4
NEXT_QUARTER = datetime(2027, 1, 8, 2, 0, tzinfo=timezone.utc)


def _avoiding(lists: dict) -> dict[str, list[str]]:
    return {p["id"]: p["avoid"] for p in lists["inspectors"] if p["avoid"]}


def test_pseudonyms_change_every_run_and_reveal_no_account_id(db, make, client, district):
    institutions, inspectors = district
    conflicted = inspectors[2]                                   # a fire inspector
    db.session.add(ConflictOfInterest(user_id=conflicted.id, institution_id=institutions[0].id,
                                      reason="亲属", declared_at=utcnow()))
    plan = make_plan(db, make.user("bureau_admin"), districts=["测试区"])
    runs.run_due_plans(NOW)
    runs.run_due_plans(NEXT_QUARTER)
    first, second = db.session.scalars(select(PlanRun).where(PlanRun.plan_id == plan.id)
                                       .order_by(PlanRun.period_start)).all()
    published = [json.loads(client.get(f"/planning/draws/{r.id}/lists.json").data) for r in (first, second)]
    ids = [{p["id"] for p in lists["inspectors"]} for lists in published]
    for found in ids:
        assert all(re.fullmatch(r"U[0-9a-f]{10}", i) for i in found)
        assert not found & {f"U{u.id}" for u in inspectors}
    assert ids[0].isdisjoint(ids[1])                             # nothing links the two runs
    # the one who avoids 机构0 has another name in each run; the runs keep the way back privately
    [(alias1, avoid1)], [(alias2, avoid2)] = _avoiding(published[0]).items(), _avoiding(published[1]).items()
    assert avoid1 == avoid2 == [institutions[0].credit_code] and alias1 != alias2
    assert first.frozen["inspectors"][alias1] == second.frozen["inspectors"][alias2] == conflicted.id
    assert f'"U{conflicted.id}"' not in json.dumps(published)


def test_the_drawn_visits_go_to_the_real_inspectors(db, make, district):
    from sqlalchemy import update

    from inspect_app.auth.models import User
    # only the district's inspectors are in the pool (browser tests commit inspectors of their own)
    db.session.execute(update(User).where(User.role == "inspector", User.id.not_in([u.id for u in district[1]]))
                       .values(is_active_account=False))
    plan = make_plan(db, make.user("bureau_admin"), districts=["测试区"])
    runs.run_due_plans(NOW)
    run = db.session.scalar(select(PlanRun).where(PlanRun.plan_id == plan.id))
    runs.enter_beacon(make.user("bureau_admin"), run.id, "3312.58", now=NOW + timedelta(days=3))
    runs.run_due_plans(NOW + timedelta(days=3))
    run = db.session.get(PlanRun, run.id)
    assert run.state == DRAWN
    output = json.loads(run.output_json)
    drawn = {run.frozen["inspectors"][m["inspector"]] for s in output["selected"] for m in s["team"]}
    on_visits = set(db.session.scalars(
        select(InspectionInspector.user_id).join(Inspection).join(Visit, Visit.id == Inspection.visit_id)
        .where(Visit.source == run.source_key)))
    assert drawn and on_visits == drawn <= {u.id for u in district[1]}


def test_a_pseudonym_is_an_hmac_of_the_account_under_the_run_key():
    keys = iter([b"k" * 32, b"j" * 32])
    first = pseudonyms([1, 2, 3], new_key=lambda: next(keys))
    assert first[1] == inspector_key(b"k" * 32, 1) != inspector_key(b"j" * 32, 1)
    assert len(set(first.values())) == 3
