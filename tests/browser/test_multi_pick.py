"""The multi-pick widget on a tablet: rows a finger can hit, a search box that narrows a long
list, the count of those chosen, and the leader radio following the ticks."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def team(app):
    """A fire department admin and nine fire inspectors, committed (the live server runs outside
    the test transaction); removed afterwards."""
    from inspect_app.auth.models import LoginSession, User
    from inspect_app.auth.services import hash_password
    from inspect_app.core.types import utcnow
    from inspect_app.extensions import db
    names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰"]
    with app.app_context():
        password = hash_password("pick-password-1")
        users = [User(username="pick_admin", name="选择管理员", role="department_admin", department="fire",
                      password_hash=password, created_at=utcnow())]
        users += [User(username=f"pick_inspector{n}", name=name, role="inspector", department="fire",
                       password_hash=password, created_at=utcnow()) for n, name in enumerate(names)]
        db.session.add_all(users)
        db.session.commit()
        ids = [u.id for u in users]
    yield names
    with app.app_context():
        db.session.query(LoginSession).filter(LoginSession.user_id.in_(ids)).delete()
        db.session.query(User).filter(User.id.in_(ids)).delete()
        db.session.commit()


def test_picking_a_team_by_touch_with_search_and_a_leader(live_server, tablet, team):
    tablet.goto(f"{live_server}/login")
    tablet.fill("input[name=username]", "pick_admin")
    tablet.fill("input[name=password]", "pick-password-1")
    tablet.locator("button[type=submit].primary").tap()
    tablet.wait_for_url(f"{live_server}/")
    tablet.goto(f"{live_server}/inspections/visits/new")
    picker = tablet.locator("fieldset[data-pick]").first
    rows = picker.locator("li[data-pick-item]")
    # the department's inspectors: the team, and any other browser test committed before
    listed = [rows.nth(n).inner_text() for n in range(rows.count())]
    assert all(any(name in text for text in listed) for name in team) and rows.count() >= len(team)
    assert all(rows.nth(n).bounding_box()["height"] >= 44 for n in range(rows.count()))

    search = picker.locator("input[data-pick-filter]")
    assert search.is_visible()                                   # nine people: the script shows the search
    search.fill("王")
    assert [rows.nth(r).inner_text().strip() for r in range(rows.count()) if rows.nth(r).is_visible()][0].startswith("王芳")
    assert sum(rows.nth(r).is_visible() for r in range(rows.count())) == 1
    search.fill("")

    picker.locator("label.pick-option", has_text="李娜").tap()
    picker.locator("label.pick-option", has_text="陈静").tap()
    assert "2" in picker.locator("[data-pick-count]").inner_text()
    leader = lambda name: picker.locator("li", has_text=name).locator("input[type=radio]")  # noqa: E731
    assert leader("李娜").is_checked() and not leader("陈静").is_checked()   # the first ticked leads
    assert leader("张伟").is_disabled()                           # not on the team: cannot lead
    leader("陈静").check()
    assert leader("陈静").is_checked() and not leader("李娜").is_checked()
    picker.locator("label.pick-option", has_text="陈静").tap()      # untick the leader
    assert leader("李娜").is_checked()                            # the remaining one leads
