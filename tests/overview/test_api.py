"""The read-only API: its OpenAPI description is valid, every kind of answer matches it, it
pages by cursor and refuses bad parameters with their name; the rate limit answers 429."""
from __future__ import annotations

import json

import pytest
import time_machine
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec

from tests.overview.test_public import _at


@pytest.fixture
def spec(client):
    document = json.loads(client.get("/api/v1/openapi.json").get_data())
    validate_spec(document)
    return document


def _check(spec, path: str, status: str, body: dict):
    operation = spec["paths"][path]["get"]
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": spec["components"]},
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    validator.validate(body)


def _get(client, url):
    response = client.get(url)
    return response.status_code, json.loads(response.get_data())


def test_every_answer_matches_the_description(spec, client, world, grading_world):
    with time_machine.travel(_at("2026-04-07"), tick=False):
        for path, url in (("/institutions", "/api/v1/institutions"),
                          ("/institutions/{institution_id}", f"/api/v1/institutions/{world.a.id}"),
                          ("/grades", "/api/v1/grades"),
                          ("/inspection-results", "/api/v1/inspection-results"),
                          ("/inspection-results", f"/api/v1/inspection-results?institution_id={world.b.id}&department=fire&since=2026-03-05")):
            status, body = _get(client, url)
            assert status == 200, url
            _check(spec, path, "200", body)
        status, body = _get(client, "/api/v1/institutions/987654")
        assert status == 404
        _check(spec, "/institutions/{institution_id}", "404", body)
        status, body = _get(client, "/api/v1/inspection-results?institution_id=" + str(world.b.id) + "&since=2026-03-05")
        assert [r["id"] for r in body["items"]] == world.inspections[2:]
        status, body = _get(client, "/api/v1/grades")
        assert [g["id"] for g in body["items"]] == [grading_world.id]
        assert body["items"][0]["level"] == grading_world.level and body["items"][0]["state"] == "valid"


@pytest.fixture
def grading_world(make, db):
    """A confirmed grade valid on 2026-04-06."""
    from datetime import date
    from tests.grading.conftest import GradingMaker
    inst = make.institution(name="评星养老院", filed_on=date(2015, 1, 1))
    return GradingMaker(db, make).confirmed(inst, effective_on=date(2026, 1, 5))


def test_paging_by_cursor(client, make, world):
    made = [make.institution(district="翻页区") for _ in range(5)]
    seen, cursor = [], ""
    for _ in range(4):
        status, body = _get(client, f"/api/v1/institutions?district=翻页区&limit=2&cursor={cursor}")
        assert status == 200
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [i.id for i in made]


@pytest.mark.parametrize("query, parameter", [
    ("limit=0", "limit"), ("limit=201", "limit"), ("limit=x", "limit"), ("cursor=-1", "cursor"),
    ("cursor=abc", "cursor"), ("type=castle", "type"), ("district=" + "区" * 41, "district")])
def test_bad_parameters_are_named(spec, client, query, parameter):
    status, body = _get(client, f"/api/v1/institutions?{query}")
    assert status == 400 and body["error"]["parameter"] == parameter
    _check(spec, "/institutions", "400", body)


def test_bad_parameters_of_results_and_grades(client):
    assert _get(client, "/api/v1/inspection-results?since=2026-02-30")[1]["error"]["parameter"] == "since"
    assert _get(client, "/api/v1/inspection-results?department=police")[1]["error"]["parameter"] == "department"
    assert _get(client, "/api/v1/inspection-results?institution_id=x")[1]["error"]["parameter"] == "institution_id"
    assert _get(client, "/api/v1/grades?level=6")[1]["error"]["parameter"] == "level"


def test_the_rate_limit(app, spec):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        client = app.test_client()
        statuses = [client.get("/api/v1/openapi.json", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code
                    for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        response = client.get("/api/v1/openapi.json", environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
        _check(spec, "/institutions", "429", json.loads(response.get_data()))
        other = client.get("/api/v1/openapi.json", environ_base={"REMOTE_ADDR": "192.0.2.8"})
        assert other.status_code == 200                     # counted per client address
    finally:
        app.config["API_RATE_LIMIT"] = "100000 per minute"
