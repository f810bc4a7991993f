"""Who may change what on the people form (docs/security.md, "Sign-in throttling and account
takeover"): only the bureau changes another account's password, role or head flag; a
department admin edits only the inspectors of their own department; nobody changes their own
password, role or head flag there."""
from __future__ import annotations

import json

from sqlalchemy import select

from inspect_app.auth.models import LoginSession, User
from inspect_app.core.audit import AuditEvent

NEW_PASSWORD = "taken-over-password"


def _form(person, **changes) -> dict:
    """What the edit page posts back for ``person``, with ``changes`` applied."""
    values = {"name": person.name, "role": person.role, "department": person.department or "",
              "institution_id": str(person.institution_id or ""), "district": person.district or "",
              "phone": person.phone or "", "email": person.email or "", "password": ""}
    if person.is_active_account:
        values["is_active_account"] = "y"
    if person.is_department_head:
        values["is_department_head"] = "y"
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def _edit(browser, person, **changes):
    return browser.post(f"/people/{person.id}/edit", _form(person, **changes),
                        token_from=f"/people/{person.id}")


def _audit(db, user, action="update"):
    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.entity == "user_account",
        AuditEvent.entity_id == str(user.id)).order_by(AuditEvent.id)).all()


def test_a_department_admin_cannot_take_over_a_peer(make, login, db, client):
    """The filed scenario: B, a second fire admin, resets fire_admin's password and signs in."""
    fire_admin = make.user("department_admin", department="fire", name="消防科长")
    peer = make.user("department_admin", department="fire")
    victim_session = login(fire_admin)
    response = _edit(login(peer), fire_admin, password=NEW_PASSWORD)
    assert response.status_code == 403
    assert "本部门的检查员" in response.get_data(as_text=True)
    db.session.expire_all()
    assert victim_session.get("/people/").status_code == 200        # not signed out
    token = client.token("/login")
    attempt = client._fresh("post", "/login", data={"username": fire_admin.username,
                                                    "password": NEW_PASSWORD, "csrf_token": token})
    assert attempt.status_code != 302                                # the old password still holds
    assert _audit(db, fire_admin) == []


def test_a_department_admin_cannot_open_a_peers_edit_page(make, login):
    admin = make.user("department_admin", department="fire")
    peer = make.user("department_admin", department="fire")
    browser = login(admin)
    assert browser.get(f"/people/{peer.id}").status_code == 200      # may still see the peer
    assert browser.get(f"/people/{peer.id}/edit").status_code == 403


def test_a_department_admin_cannot_make_themselves_head_of_department(make, login, db):
    admin = make.user("department_admin", department="fire")
    response = _edit(login(admin), admin, is_department_head="y")
    assert response.status_code == 403
    assert "我的账号" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_department_head is False


def test_a_department_admin_cannot_change_their_own_password_through_the_people_form(make, login, db):
    admin = make.user("department_admin", department="fire")
    before = admin.password_hash
    assert _edit(login(admin), admin, password=NEW_PASSWORD).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, admin.id).password_hash == before


def test_a_department_admin_cannot_promote_an_inspector(make, login, db):
    admin = make.user("department_admin", department="fire")
    inspector = make.user("inspector", department="fire")
    browser = login(admin)
    response = _edit(browser, inspector, role="department_admin")
    assert response.status_code == 403 and "只有民政局可以修改" in response.get_data(as_text=True)
    assert _edit(browser, inspector, is_department_head="y").status_code == 403
    db.session.expire_all()
    kept = db.session.get(User, inspector.id)
    assert kept.role == "inspector" and kept.is_department_head is False


def test_a_department_admin_creates_only_inspectors(make, login, db):
    admin = make.user("department_admin", department="fire")
    browser = login(admin)
    response = browser.post("/people/new", {
        "username": "second_fire_admin", "name": "第二科长", "role": "department_admin",
        "department": "fire", "password": NEW_PASSWORD, "is_active_account": "y"}, token_from="/people/new")
    assert response.status_code == 422
    assert db.session.scalar(select(User.id).where(User.username == "second_fire_admin")) is None
    page = browser.get("/people/new").get_data(as_text=True)
    assert 'value="department_admin"' not in page and "is_department_head" not in page


def test_a_department_admin_resets_the_password_of_their_own_inspector(make, login, db, client):
    admin = make.user("department_admin", department="fire")
    inspector = make.user("inspector", department="fire", name="检查员乙")
    inspector_device = login(inspector)
    response = _edit(login(admin), inspector, password=NEW_PASSWORD, phone="0571-88880000")
    assert response.status_code == 302
    assert inspector_device.get("/account").status_code == 302      # signed out everywhere
    db.session.expire_all()
    assert db.session.scalars(select(LoginSession).where(
        LoginSession.user_id == inspector.id, LoginSession.revoked_at.is_(None))).all() == []
    [row] = _audit(db, inspector)
    assert row.actor_id == admin.id and "password reset" in row.reason
    assert row.before["phone"] is None and row.after["phone"] == "0571-88880000"
    text = json.dumps([row.before, row.after], ensure_ascii=False)
    assert "password" not in text and "argon2" not in text
    client.login(db.session.get(User, inspector.id), NEW_PASSWORD)


def test_a_department_admin_cannot_edit_an_inspector_of_another_department(make, login):
    admin = make.user("department_admin", department="fire")
    health = make.user("inspector", department="health")
    assert _edit(login(admin), health, password=NEW_PASSWORD).status_code == 404


def test_the_bureau_changes_role_head_flag_and_password_with_an_audit_row(make, login, db, client):
    bureau = make.user("bureau_admin")
    inspector = make.user("inspector", department="fire")
    response = _edit(login(bureau), inspector, role="department_admin", is_department_head="y",
                     password=NEW_PASSWORD)
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, inspector.id)
    assert changed.role == "department_admin" and changed.is_department_head is True
    [row] = _audit(db, inspector)
    assert row.actor_id == bureau.id
    assert row.before["role"] == "inspector" and row.after["role"] == "department_admin"
    assert row.before["is_department_head"] is False and row.after["is_department_head"] is True
    assert "password reset" in row.reason
    assert "password_hash" not in row.before and "password_hash" not in row.after
    client.login(changed, NEW_PASSWORD)


def test_the_bureau_cannot_change_its_own_password_role_or_active_flag_on_the_people_form(make, login, db):
    bureau = make.user("bureau_admin")
    before = bureau.password_hash
    browser = login(bureau)
    assert _edit(browser, bureau, password=NEW_PASSWORD).status_code == 403
    assert _edit(browser, bureau, role="inspector", department="fire").status_code == 403
    assert _edit(browser, bureau, is_active_account="").status_code == 403      # unticked and sent
    assert _edit(browser, bureau, phone="0571-12345678").status_code == 302     # plain facts: yes
    db.session.expire_all()
    me = db.session.get(User, bureau.id)
    assert me.role == "bureau_admin" and me.is_active_account and me.phone == "0571-12345678"
    assert me.password_hash == before


def test_the_edit_page_shows_only_what_the_actor_may_change(make, login):
    admin = make.user("department_admin", department="fire")
    inspector = make.user("inspector", department="fire")
    page = login(admin).get(f"/people/{inspector.id}/edit").get_data(as_text=True)
    assert 'name="password"' in page and 'name="is_active_account"' in page
    assert 'name="is_department_head"' not in page and 'value="department_admin"' not in page
    bureau = make.user("bureau_admin")
    own = login(bureau).get(f"/people/{bureau.id}/edit").get_data(as_text=True)
    assert 'name="password"' not in own and 'name="role"' not in own and "/account" in own


def test_people_page_offers_edit_only_where_allowed(make, login):
    admin = make.user("department_admin", department="fire")
    peer = make.user("department_admin", department="fire")
    inspector = make.user("inspector", department="fire")
    browser = login(admin)
    assert f"/people/{peer.id}/edit" not in browser.get(f"/people/{peer.id}").get_data(as_text=True)
    assert f"/people/{inspector.id}/edit" in browser.get(f"/people/{inspector.id}").get_data(as_text=True)

