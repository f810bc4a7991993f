"""The authorization matrix: every route × every role. A route missing here fails the build."""
from __future__ import annotations

import pytest

from tests.agreements import access as agreements_access
from tests.complaints import access as complaints_access
from tests.grading import access as grading_access
from tests.inspections import access as inspections_access
from tests.overview import access as overview_access
from tests.planning import access as planning_access
from tests.ranking import access as ranking_access
from tests.rectification import access as rectification_access
from tests.roles import ANON, BUREAU, DEPT, EVERYONE, INSP, SIGNED_IN, STAFF

# Each later feature keeps its rows in tests/<feature>/access.py: ROUTES (endpoint → roles)
# and world(make, db, users, own, other) → the URL parameters its routes need.
FEATURES = (inspections_access, rectification_access, complaints_access, grading_access, planning_access,
            agreements_access, ranking_access, overview_access)

# endpoint → roles allowed
MATRIX: dict[str, set[str]] = {
    "static": EVERYONE,
    "home.home": EVERYONE,
    "home.language": EVERYONE,
    "home.health": EVERYONE,
    "home.favicon": EVERYONE,
    "home.echarts": EVERYONE,
    "auth.login": EVERYONE,
    "auth.logout": SIGNED_IN,
    "auth.account": SIGNED_IN,
    "registry.index": SIGNED_IN,
    "registry.show": SIGNED_IN,
    "registry.create": {BUREAU},
    "registry.edit": {BUREAU},
    "registry.import_file": {BUREAU},
    "registry.export": {DEPT, BUREAU},
    "users.index": {DEPT, BUREAU},
    "users.show": {DEPT, BUREAU},
    "users.create": {DEPT, BUREAU},
    "users.edit": {DEPT, BUREAU},
    "users.unlock": {BUREAU},
    "users.add_conflict": {DEPT, BUREAU},
    "users.remove_conflict": {DEPT, BUREAU},
    "checklists.index": {INSP, DEPT, BUREAU},
    "checklists.show": {INSP, DEPT, BUREAU},
    "checklists.compare": {INSP, DEPT, BUREAU},
    "checklists.export": {INSP, DEPT, BUREAU},
    "checklists.convert": {DEPT, BUREAU},
}
for _feature in FEATURES:
    MATRIX.update(_feature.ROUTES)


def test_every_route_is_in_the_matrix_and_declares_its_permission(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(MATRIX) == set(), "add new routes to MATRIX"
    for endpoint in endpoints - {"static"}:
        view = app.view_functions[endpoint]
        assert getattr(view, "permission", None) or getattr(view, "public", False), endpoint


@pytest.fixture
def world(make, db):
    own = make.institution(name="本机构养老院")
    staff = make.user("institution_staff", institution_id=own.id)
    inspector = make.user("inspector", department="fire")
    users = {
        INSP: inspector,
        DEPT: make.user("department_admin", department="fire"),
        BUREAU: make.user("bureau_admin"),
        STAFF: staff,
    }
    from inspect_app.auth.models import ConflictOfInterest
    from inspect_app.core.types import utcnow
    other = make.institution(name="别家养老院")
    conflict = ConflictOfInterest(user_id=inspector.id, institution_id=other.id, reason="亲属", declared_at=utcnow())
    db.session.add(conflict)
    db.session.flush()
    params = {"institution_id": own.id, "user_id": inspector.id, "conflict_id": conflict.id,
              "checklist_id": "fire-safety", "code": "en", "filename": "app.css"}
    for feature in FEATURES:
        params.update(feature.world(make, db, users, own, other))
    return users, params


def _url(app, rule, params):
    from flask import url_for
    with app.test_request_context():
        return url_for(rule.endpoint, **{a: params[a] for a in rule.arguments})


@pytest.mark.parametrize("role", [ANON, INSP, DEPT, BUREAU, STAFF])
def test_route_access_by_role(app, client, login, world, role):
    users, params = world
    browser = client if role == ANON else login(users[role])
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("auth.logout",):
            continue
        url = _url(app, rule, params)
        allowed = role in MATRIX[rule.endpoint]
        method = "GET" if "GET" in rule.methods else "POST"
        response = browser.get(url) if method == "GET" else browser.post(url, {})
        refused = response.status_code == 403 or (
            response.status_code == 302 and "/login" in response.headers.get("Location", "")
            and rule.endpoint != "home.home")
        if allowed and refused:
            failures.append(f"{role} refused {method} {url}")
        if not allowed and not refused:
            failures.append(f"{role} allowed {method} {url} ({response.status_code})")
        assert response.status_code < 500, f"{method} {url} → {response.status_code}"
    assert not failures, failures


def test_institution_staff_cannot_read_another_institution(make, login):
    mine = make.institution(name="我的养老院")
    theirs = make.institution(name="别人的养老院")
    browser = login(make.user("institution_staff", institution_id=mine.id))
    response = browser.get(f"/institutions/{theirs.id}")
    assert response.status_code == 404
    assert "别人的养老院" not in response.get_data(as_text=True)
    listing = browser.get("/institutions/?q=养老院").get_data(as_text=True)
    assert "我的养老院" in listing and "别人的养老院" not in listing


def test_department_admin_sees_only_their_department(make, login):
    fire_admin = make.user("department_admin", department="fire")
    health_inspector = make.user("inspector", department="health", name="卫健检查员甲")
    browser = login(fire_admin)
    assert browser.get(f"/people/{health_inspector.id}").status_code == 404
    assert "卫健检查员甲" not in browser.get("/people/").get_data(as_text=True)


def test_get_requests_change_nothing(app, client, login, world, db):
    """Crawling every GET page as a bureau admin leaves every table as it was (audit aside)."""
    from sqlalchemy import func, select
    from inspect_app.extensions import db as _db
    users, params = world
    browser = login(users[BUREAU])
    tables = [t for t in _db.metadata.sorted_tables if t.name not in ("audit_event", "login_session")]
    def counts():
        return {t.name: _db.session.scalar(select(func.count()).select_from(t)) for t in tables}
    before = counts()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            browser.get(_url(app, rule, params))
    assert counts() == before


def test_ids_beyond_the_database_range_are_not_found(app, login, world):
    """Every route with an id answers 404 (never a 500) for an id no database column can hold."""
    users, params = world
    browser = login(users[BUREAU])
    huge = {k: (10**20 if isinstance(v, int) else v) for k, v in params.items()}
    for rule in app.url_map.iter_rules():
        if not any(isinstance(params.get(a), int) for a in rule.arguments):
            continue
        url = _url(app, rule, params)
        for arg in rule.arguments:
            if isinstance(params.get(arg), int):
                url = url.replace(f"/{params[arg]}", f"/{huge[arg]}", 1)
        method = "GET" if "GET" in rule.methods else "POST"
        response = browser.get(url) if method == "GET" else browser.post(url, {})
        assert response.status_code in (404, 405), f"{method} {url} → {response.status_code}"


@pytest.mark.parametrize("target", ["//evil.example/", "/\t/evil.example", "/\\evil.example",
                                    "https://evil.example/", "javascript:alert(1)"])
def test_language_switch_never_redirects_off_site(client, target):
    response = client.post("/language/en", {"next": target}, token_from="/login")
    location = response.headers["Location"]
    assert "evil" not in location and "javascript" not in location
