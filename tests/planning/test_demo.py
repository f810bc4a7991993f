"""The planning demo: its draw takes a third-party value of a day after its freeze, and its
public page keeps the drawn institutions back until their visits happen."""
from __future__ import annotations

import json
import random

from sqlalchemy import select

from inspect_app.core.types import local_today


def test_the_demo_draw_is_seeded_after_its_freeze_and_shows_no_target_before_the_visits(db, make, client, district):
    from inspect_app.demo.planning import seed_demo
    from inspect_app.planning.models import RANDOM_JOINT, PlanRun
    make.user("bureau_admin", username="bureau")
    # two inspectors per department from outside the district (the demo plan avoids own
    # districts; an enforcement visit needs two): the fixture has one of each, market none
    for dept, count in (("civil_affairs", 1), ("fire", 1), ("market_regulation", 2)):
        for _ in range(count):
            make.user("inspector", department=dept, district="邻区")
    report = seed_demo(random.Random(1), local_today())
    run = db.session.scalar(select(PlanRun).where(PlanRun.kind == RANDOM_JOINT))
    assert run.beacon_date > run.frozen_on
    assert run.state == "drawn" and run.visit_count > 0, report
    assert f"third-party value of {run.beacon_date.isoformat()}" in report
    page = client.get(f"/planning/draws/{run.id}").get_data(as_text=True)
    assert run.commitment in page
    drawn = [run.frozen["institutions"][s["institution"]]["name"] for s in json.loads(run.output_json)["selected"]]
    assert drawn and not [name for name in drawn if name in page]
