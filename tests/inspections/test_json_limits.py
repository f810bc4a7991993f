"""The tablet's JSON bodies are read within bounds: nesting depth, size, numbers a column can
hold, no control characters in any string. Each refusal is a located 4xx, never a 500."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from inspect_app.inspections.models import Answer
from tests.inspections.kit import Kit, new_id, post_json


def _send_raw(browser, path, raw: bytes | str):
    token = browser.token("/inspections/")
    return browser._fresh("post", path, data=raw, content_type="application/json",
                          headers={"X-CSRFToken": token, "Accept": "application/json"})


@pytest.fixture
def started(make, db, login):
    inspector = make.user("inspector", department="fire")
    part = Kit(make, db).visit(departments={"fire": [inspector]}).inspections[0]
    browser = login(inspector)
    assert post_json(browser, f"/inspections/{part.id}/start", {"submission_id": new_id()}).status_code == 200
    item = Kit(make, db).checklist(part).items[0]
    return browser, part, item


@pytest.mark.parametrize("endpoint", ["start", "answers", "submit"])
def test_json_nested_thousands_deep_is_refused_with_its_depth(started, endpoint):
    browser, part, _item = started
    deep = '{"submission_id": ' + "[" * 5000 + "]" * 5000 + "}"
    response = _send_raw(browser, f"/inspections/{part.id}/{endpoint}", deep)
    assert response.status_code == 400
    body = response.get_json()
    assert any("nested deeper than" in p for p in body["problems"]), body


def test_nesting_inside_strings_does_not_count(started, db):
    """The control: brackets in a remark are text, not nesting."""
    browser, part, item = started
    response = post_json(browser, f"/inspections/{part.id}/answers",
                         {"item_id": item.id, "value": "pass", "remark": "[" * 500 + "{" * 500, "version": 0})
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("raw, where", [
    ('{"item_id": "%s", "value": "pass", "remark": "a\\u0000b", "version": 0}', "remark"),
    ('{"item_id": "%s", "value": "pass", "remark": "a\\u0007b", "version": 0}', "remark"),
    ('{"item_id": "%s", "value": "pass", "remark": "", "version": 0, "k\\u0000": 1}', "k"),
    ('{"item_id": "%s", "value": NaN, "remark": "", "version": 0}', "NaN"),
    ('{"item_id": "%s", "value": 1e400, "remark": "", "version": 0}', "1e400"),
    ('{"item_id": "%s", "value": "pass", "remark": "", "version": 99999999999999999999999}', "version"),
])
def test_values_no_column_can_hold_are_refused_and_located(started, db, raw, where):
    browser, part, item = started
    response = _send_raw(browser, f"/inspections/{part.id}/answers", raw % item.id)
    assert response.status_code == 400, response.get_data(as_text=True)
    problems = response.get_json()["problems"]
    assert any(where in p for p in problems), problems
    assert db.session.scalar(select(Answer).where(Answer.inspection_id == part.id)) is None


def test_an_oversized_body_is_refused(started, app):
    browser, part, item = started
    big = json.dumps({"item_id": item.id, "value": "pass", "version": 0,
                      "remark": "x" * (app.config["JSON_MAX_BYTES"] + 1)})
    assert _send_raw(browser, f"/inspections/{part.id}/answers", big).status_code == 413


def test_unreadable_json_is_a_located_422(started):
    browser, part, _item = started
    response = _send_raw(browser, f"/inspections/{part.id}/answers", '{"item_id": ')
    assert response.status_code == 422
    assert response.get_json()["problems"][0].startswith("body: not JSON")
