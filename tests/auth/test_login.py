"""Signing in and out; sessions that die with logout, password change and disabling."""
from __future__ import annotations

from sqlalchemy import select

from inspect_app.auth.models import LoginSession


def test_login_page_is_chinese_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert "登录" in html


def test_english_on_request(client):
    html = client.get("/login?lang=en").get_data(as_text=True)
    assert "Sign in" in html


def test_wrong_password_is_refused_without_saying_which_part(client, make):
    user = make.user("inspector")
    response = client.post("/login", {"username": user.username, "password": "wrong-password"}, token_from="/login")
    assert response.status_code == 200
    assert "/logout" not in response.get_data(as_text=True)


def test_unknown_user_is_refused(client):
    response = client.post("/login", {"username": "nobody", "password": "whatever-pass"}, token_from="/login")
    assert response.status_code == 200


def test_login_without_csrf_token_is_refused(client, make):
    user = make.user("inspector")
    response = client._fresh("post", "/login", data={"username": user.username, "password": "x" * 12})
    assert response.status_code == 400


def test_copied_cookie_dies_with_logout(app, make, login):
    user = make.user("bureau_admin")
    browser = login(user)
    assert browser.get("/institutions/").status_code == 200
    stolen = browser.client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert browser.post("/logout").status_code == 302
    from tests.conftest import Browser
    thief = Browser(app.test_client())
    thief.client.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    response = thief.get("/institutions/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_disabling_an_account_ends_its_sessions(make, login, db):
    admin = make.user("bureau_admin")
    inspector = make.user("inspector")
    victim = login(inspector)
    assert victim.get("/institutions/").status_code == 200
    inspector.is_active_account = False
    db.session.flush()
    assert victim.get("/institutions/").status_code == 302


def test_session_row_stores_only_a_hash_of_the_token(make, login, db):
    user = make.user("inspector")
    login(user)
    row = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    assert row is not None and len(row.token_hash) == 64


def test_repeated_failures_lock_the_name_for_a_while(client, make):
    user = make.user("inspector")
    for _ in range(10):
        client.post("/login", {"username": user.username, "password": "wrong-password"}, token_from="/login")
    response = client.post("/login", {"username": user.username, "password": "correct-horse-battery"},
                           token_from="/login")
    assert response.status_code == 429   # locked: even the right password is refused


def test_password_change_signs_out_everywhere(make, login):
    user = make.user("inspector")
    first, second = login(user), login(user)
    response = first.post("/account", {"current": "correct-horse-battery", "new": "a-new-long-password",
                                       "confirm": "a-new-long-password"}, token_from="/account")
    assert response.status_code == 302
    assert second.get("/account").status_code == 302


def test_next_parameter_cannot_leave_the_site(client, make):
    user = make.user("inspector")
    token = client.token("/login")
    response = client._fresh("post", "/login?next=//evil.example/x", data={
        "username": user.username, "password": "correct-horse-battery", "csrf_token": token})
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_session_cookie_flags_in_production_config(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREINSPECT_INSTANCE", str(tmp_path))
    from inspect_app.config import Defaults, from_environment
    values = {**{k: getattr(Defaults, k) for k in dir(Defaults) if k.isupper()}, **from_environment()}
    assert values["SESSION_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["MAX_CONTENT_LENGTH"] <= 25 * 1024 * 1024
    assert values["PERMANENT_SESSION_LIFETIME"].total_seconds() <= 12 * 3600


def test_browser_language_does_not_override_the_chinese_default(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "登录" in page
