"""No page of the planning feature answers odd input with a server error."""
from __future__ import annotations

from tests.rectification.odd_input import HUGE, server_errors
from tests.roles import BUREAU
from tests.test_authorization import world  # noqa: F401  (the fixture)


def test_odd_input_never_gives_a_server_error(app, login, world):  # noqa: F811
    users, params = world
    browser = login(users[BUREAU])
    assert server_errors(app, browser, params, "planning") == []
    assert browser.get(f"/planning/runs/{HUGE}").status_code == 404       # an id no column can hold
