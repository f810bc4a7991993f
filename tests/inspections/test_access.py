"""The inspections rows of the authorization matrix, run on their own (the full matrix in
tests/test_authorization.py merges them with every other feature's)."""
from __future__ import annotations

import pytest

from tests.inspections import access
from tests.roles import ANON, BUREAU, DEPT, INSP, STAFF


@pytest.fixture
def world(make, db):
    own = make.institution(name="本机构养老院")
    users = {INSP: make.user("inspector", department="fire"), DEPT: make.user("department_admin", department="fire"),
             BUREAU: make.user("bureau_admin"), STAFF: make.user("institution_staff", institution_id=own.id)}
    other = make.institution(name="别家养老院")
    return users, access.world(make, db, users, own, other)


def _url(app, rule, params):
    from flask import url_for
    with app.test_request_context():
        return url_for(rule.endpoint, **{a: params[a] for a in rule.arguments})


def test_every_inspections_route_is_listed(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("inspections.")}
    assert endpoints == set(access.ROUTES)


@pytest.mark.parametrize("role", [ANON, INSP, DEPT, BUREAU, STAFF])
def test_inspections_routes_by_role(app, client, login, world, role):
    users, params = world
    browser = client if role == ANON else login(users[role])
    failures = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("inspections."):
            continue
        url = _url(app, rule, params)
        allowed = role in access.ROUTES[rule.endpoint]
        method = "GET" if "GET" in rule.methods else "POST"
        response = browser.get(url) if method == "GET" else browser.post(url, {})
        refused = response.status_code == 403 or (
            response.status_code == 302 and "/login" in response.headers.get("Location", ""))
        if allowed and refused:
            failures.append(f"{role} refused {method} {url}")
        if not allowed and not refused:
            failures.append(f"{role} allowed {method} {url} ({response.status_code})")
        assert response.status_code < 500, f"{method} {url} → {response.status_code}"
    assert not failures, failures
