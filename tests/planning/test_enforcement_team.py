"""Two inspectors per department on an enforcement visit (docs/regulations.md, "Enforcement
visits: at least two inspectors"): plans refuse a team of one, a plan saved before keeps sending
two, and the draw command's own contract is untouched."""
from __future__ import annotations

import json

from sqlalchemy import select

from inspect_app.domain.enforcement import EnforcementPolicy
from inspect_app.domain.planning.plans import plan_problems
from inspect_app.planning import lists
from inspect_app.planning.models import Plan
from tests.planning.conftest import make_plan
from tests.domain.planning.test_plans import GOOD
from tests.planning.test_pages import FORM

TWO = EnforcementPolicy("t", 2, ("routine", "random", "complaint", "follow_up"))


def test_a_draw_or_a_follow_up_plan_with_one_inspector_per_department_is_refused_and_a_grading_one_is_not():
    one = {**GOOD, "team_per_department": 1}
    assert plan_problems(one, enforcement=TWO) == [
        ("team_per_department", "an enforcement visit needs at least %(n)s inspectors of each department", {"n": 2})]
    follow_up = {**one, "kind": "routine", "rule": "critical_followup", "departments": [], "beacon_source": ""}
    assert [p[0] for p in plan_problems(follow_up, enforcement=TWO)] == ["team_per_department"]
    grading = {**one, "kind": "routine", "rule": "grade_expiry", "beacon_source": ""}
    assert plan_problems(grading, enforcement=TWO) == []
    assert plan_problems({**GOOD, "team_per_department": 2}, enforcement=TWO) == []


def test_the_plan_page_refuses_a_team_of_one_at_its_field(db, make, login):
    browser = login(make.user("bureau_admin"))
    response = browser.post("/planning/plans/new", {**FORM, "team_per_department": "1"},
                            token_from="/planning/plans/new")
    assert response.status_code == 422
    assert "执法检查每个部门至少需要 2 名检查人员" in response.get_data(as_text=True)
    assert db.session.scalar(select(Plan).where(Plan.name == FORM["name"])) is None


def test_a_plan_saved_with_one_per_department_still_draws_two(db, make, district):
    plan = make_plan(db, None, team_per_department=1, districts=["测试区"])
    assert lists.team_size(plan) == 2
    grading = make_plan(db, None, kind="routine", rule="grade_expiry", team_per_department=1)
    assert lists.team_size(grading) == 1


def test_the_draw_command_still_accepts_a_team_of_one(tmp_path):
    # the `draw` command's contract (docs/commands.md, "draw") fixes team_per_department as any
    # positive integer: the legal minimum is applied by the plans that feed it
    from click.testing import CliRunner

    from inspect_app.planning.cli import draw_command
    from tests.planning.test_draw_cli import draw_input
    path = tmp_path / "in.json"
    path.write_text(json.dumps(draw_input(team_per_department=1)), encoding="utf-8")
    result = CliRunner().invoke(draw_command, ["--input", str(path)])
    assert result.exit_code == 0, result.output
