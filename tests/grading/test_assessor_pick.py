"""Assessors are picked from a checkbox list (no Ctrl-click) with a leader radio; the leader
is stored on the evaluation visit's team."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from inspect_app.inspections.models import Visit


def test_assessors_are_picked_from_a_checkbox_list_with_a_leader(make, login, grading, db):
    application = grading.application(make.institution(), state="accepted")
    first, second = (make.user("inspector", department="civil_affairs") for _ in range(2))
    browser = login(make.user("bureau_admin"))
    page = f"/grading/applications/{application.id}"
    html = browser.get(page).get_data(as_text=True)
    assert f'name="assessor_ids" type="checkbox" value="{second.id}"' in html
    assert f'name="assessor_lead" value="{second.id}"' in html
    day = date.today().replace(year=date.today().year + 1).isoformat()
    response = browser.post(f"{page}/evaluation", {"on": day, "assessor_ids": [str(first.id), str(second.id)],
                                                   "assessor_lead": str(second.id)}, token_from=page)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    visit = db.session.scalar(select(Visit).where(Visit.source == f"application:{application.id}"))
    assert [m.user_id for m in visit.inspections[0].team if m.lead] == [second.id]
