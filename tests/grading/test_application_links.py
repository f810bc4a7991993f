"""An application's page links only to what its viewer may open: every link on it answers 200
for that viewer (another department's admin, the bureau, the institution's staff)."""
from __future__ import annotations

import re

import pytest

from tests.roles import BUREAU, DEPT, STAFF


def _links(html: str) -> set[str]:
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]
    return {href.replace("&amp;", "&") for href in re.findall(r'href="(/[^"]*)"', main)
            if not href.startswith("/static/")}


@pytest.mark.parametrize("viewer", ["health_admin", "civil_admin", BUREAU, STAFF])
def test_every_link_on_an_application_page_opens_for_its_viewer(make, login, grading, db, viewer):
    inst = make.institution()
    application = grading.application(inst, state="evaluated")
    record = grading.record(inst, application=application)
    db.session.refresh(application)
    users = {"health_admin": make.user("department_admin", department="health"),
             "civil_admin": make.user("department_admin", department="civil_affairs"),
             BUREAU: make.user("bureau_admin"), STAFF: make.user("institution_staff", institution_id=inst.id)}
    browser = login(users[viewer])
    page = browser.get(f"/grading/applications/{application.id}")
    assert page.status_code == 200
    links = _links(page.get_data(as_text=True))
    assert f"/grading/records/{record.id}" in links
    broken = [link for link in sorted(links) if browser.get(link).status_code != 200]
    assert broken == []
    visit_links = {link for link in links if link.startswith("/inspections/")}
    if viewer == "health_admin":
        assert visit_links == set()          # the civil-affairs evaluation is not theirs to open
    else:
        assert f"/inspections/{record.inspection_id}/record" in visit_links
