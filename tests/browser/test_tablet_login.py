"""Signing in on a tablet and finding the registry."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def inspector(app):
    """A committed account (the live server runs outside the test transaction)."""
    from inspect_app.auth.models import LoginSession, User
    from inspect_app.auth.services import hash_password
    from inspect_app.core.types import utcnow
    from inspect_app.extensions import db
    with app.app_context():
        user = User(username="tablet_inspector", name="平板检查员", role="inspector", department="fire",
                    password_hash=hash_password("tablet-password-1"), created_at=utcnow())
        db.session.add(user)
        db.session.commit()
        user_id = user.id
    yield "tablet_inspector"
    with app.app_context():
        db.session.query(LoginSession).filter_by(user_id=user_id).delete()
        db.session.delete(db.session.get(User, user_id))
        db.session.commit()


def test_inspector_signs_in_on_a_tablet(live_server, tablet, inspector):
    tablet.goto(f"{live_server}/login")
    assert tablet.locator("h1").inner_text() == "登录"
    tablet.fill("input[name=username]", inspector)
    tablet.fill("input[name=password]", "tablet-password-1")
    button = tablet.locator("button[type=submit].primary")
    box = button.bounding_box()
    assert box["height"] >= 44, "touch target too small"
    button.tap()
    tablet.wait_for_url(f"{live_server}/")
    assert "欢迎" in tablet.locator("h1").inner_text()
    tablet.click("text=机构名录")
    assert tablet.locator("table.list").is_visible()
    assert tablet.evaluate("document.documentElement.scrollWidth") <= 768, "page wider than the tablet"
