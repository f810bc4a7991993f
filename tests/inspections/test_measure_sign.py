"""A measurement of a quantity that cannot be negative (a time, a length…) is refused below
zero, on the form and by the server; a temperature may be negative; ``flask grade`` is not
affected (it accepts any finite number there)."""
from __future__ import annotations

import re

from sqlalchemy import select

from inspect_app.inspections.models import Answer, Inspection
from tests.inspections.kit import all_pass, new_id, post_json


def _started(kit, make, login, department="fire"):
    me = make.user("inspector", department=department)
    visit = kit.visit(departments={department: [me]})
    part = visit.inspections[0]
    browser = login(me)
    sid = new_id()
    assert post_json(browser, f"/inspections/{part.id}/start", {"submission_id": sid}).status_code == 200
    return part, me, browser, sid


def test_minus_one_minute_is_refused_on_save_with_a_located_problem(kit, make, login, db):
    part, _me, browser, _sid = _started(kit, make, login)
    url = f"/inspections/{part.id}/answers"
    for value in (-1, "-1", "-0.5"):
        r = post_json(browser, url, {"item_id": "FIRE-31", "value": value, "version": 0})
        assert r.status_code == 422, r.json
        [problem] = r.json["problems"]
        assert problem.startswith("FIRE-31: -") and "min" in problem and "time cannot be below zero" in problem
    assert db.session.scalar(select(Answer.id).where(Answer.inspection_id == part.id)) is None
    assert post_json(browser, url, {"item_id": "FIRE-31", "value": 0, "version": 0}).status_code == 200


def test_minus_one_minute_is_refused_at_submit(kit, make, login, db):
    part, me, browser, sid = _started(kit, make, login)
    answers = {**all_pass(kit.checklist(part)), "FIRE-31": "-1"}
    kit.evidence_for_required(me, part, answers)
    r = post_json(browser, f"/inspections/{part.id}/submit", kit.submit_body(part, sid, answers))
    assert r.status_code == 422
    assert [p for p in r.json["problems"] if p.startswith("FIRE-31:")] == [
        "FIRE-31: -1 min is negative; a time cannot be below zero"]
    assert db.session.scalar(select(Inspection.status).where(Inspection.id == part.id)
                             .execution_options(populate_existing=True)) == "draft"


def test_a_temperature_below_zero_is_a_measurement(kit, make, login):
    part, _me, browser, _sid = _started(kit, make, login, "market_regulation")
    r = post_json(browser, f"/inspections/{part.id}/answers", {"item_id": "FOOD-22", "value": "-2", "version": 0})
    assert r.status_code == 200 and r.json["score"]["failed"] == ["FOOD-22"]     # out of 0–8 ℃: failed, not refused


def test_the_form_gives_non_negative_measures_min_zero_and_temperatures_none(kit, make, login):
    part, me, browser, _sid = _started(kit, make, login)
    html = browser.get(f"/inspections/{part.id}/form").get_data(as_text=True)
    assert re.search(r'<input[^>]*min="0"[^>]*name="answer-FIRE-31"|<input[^>]*name="answer-FIRE-31"[^>]*min="0"', html)
    food, _m, food_browser, _s = _started(kit, make, login, "market_regulation")
    html = food_browser.get(f"/inspections/{food.id}/form").get_data(as_text=True)
    fridge = re.search(r'<input[^>]*name="answer-FOOD-22"[^>]*>', html).group(0)
    assert ' min="' not in fridge


def test_flask_grade_still_accepts_a_negative_measure(tmp_path):
    """The binding interface is unchanged: a measure accepts any finite number there."""
    import json

    from click.testing import CliRunner

    from inspect_app.grading.cli import grade_command
    checklist = tmp_path / "t.yaml"
    checklist.write_text(
        "id: t\nversion: '1'\ntitle: 测试\ndepartment: fire\nkind: inspection\nsections:\n"
        "  - id: s\n    title: 节\n    items:\n"
        "      - {id: M1, text: 响应时间, type: measure, points: 10, unit: min, max: 3}\n", encoding="utf-8")
    responses = tmp_path / "r.json"
    responses.write_text(json.dumps({"checklist": "t", "responses": {"M1": -1}}), encoding="utf-8")
    result = CliRunner().invoke(grade_command, ["--checklist", str(checklist), "--responses", str(responses)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total"] == 10
