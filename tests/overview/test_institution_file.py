"""The institution file (一户一档): who opens it and what each viewer sees in it."""
from __future__ import annotations

import time_machine

from tests.overview.conftest import NOW


def _page(login, user, institution_id):
    with time_machine.travel(NOW, tick=False):
        response = login(user).get(f"/institutions/{institution_id}/file")
    return response.status_code, response.get_data(as_text=True)


def test_the_bureau_sees_every_section(make, login, world):
    status, page = _page(login, make.user("bureau_admin"), world.a.id)
    assert status == 200
    for section in ('id="registry"', 'id="grade"', 'id="risk"', 'id="visits"', 'id="findings"', 'id="notices"',
                    'id="draws"'):
        assert section in page
    assert f"/rectification/findings/{world.a_major.id}" in page
    assert f"/rectification/findings/{world.a_critical.id}" in page
    assert "/inspections/" in page and "/record" in page


def test_a_department_sees_its_own_department_items(make, login, world):
    status, page = _page(login, make.user("department_admin", department="fire"), world.a.id)
    assert status == 200 and f"/rectification/findings/{world.a_major.id}" in page
    status, page = _page(login, make.user("department_admin", department="health"), world.a.id)
    assert status == 200                                  # the registry is theirs to read
    assert f"/rectification/findings/{world.a_major.id}" not in page
    assert 'id="draws"' in page and 'id="risk"' in page


def test_an_inspector_opens_only_where_they_were_on_a_team(make, login, world):
    on_team = world.a_major.inspection.team[0].user
    status, page = _page(login, on_team, world.a.id)
    assert status == 200 and 'id="draws"' not in page and "/grading/records/" not in page
    stranger = make.user("inspector", department="fire")
    assert _page(login, stranger, world.a.id)[0] == 404


def test_staff_see_their_own_file_only(make, login, world):
    staff = make.user("institution_staff", institution_id=world.a.id)
    status, page = _page(login, staff, world.a.id)
    assert status == 200 and f"/rectification/findings/{world.a_major.id}" in page
    assert 'id="risk"' not in page and 'id="draws"' not in page
    assert _page(login, staff, world.b.id)[0] == 404
