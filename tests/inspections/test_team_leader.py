"""Picking a team without Ctrl-click: the visit form's checkbox lists with a leader radio per
team; the leader is stored and shown on the visit and the record."""
from __future__ import annotations

import re
from sqlalchemy import select

from inspect_app.inspections.models import InspectionInspector, Visit


def _form(institution, **extra):
    return {"institution_id": str(institution.id), "scheduled_for": "2026-06-01", "purpose": "complaint",
            "departments": ["fire"], **extra}


def test_the_chosen_leader_leads_the_team_and_is_shown_on_the_visit(make, login, db):
    admin = make.user("department_admin", department="fire")
    inst = make.institution(name="投诉养老院")
    a, b = make.user("inspector", department="fire", name="甲检查员"), make.user("inspector", department="fire", name="乙检查员")
    browser = login(admin)
    page = browser.get("/inspections/visits/new").get_data(as_text=True)
    assert "<select multiple" not in page and 'data-pick' in page
    assert f'name="leader-fire" value="{b.id}"' in page and "/static/js/multi-pick.js" in page
    response = browser.post("/inspections/visits/new", _form(inst, **{"inspectors-fire": [str(a.id), str(b.id)],
                                                                      "leader-fire": str(b.id)}),
                            token_from="/inspections/visits/new")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    visit = db.session.scalar(select(Visit).where(Visit.institution_id == inst.id))
    leads = {m.user_id: m.lead for m in visit.inspections[0].team}
    assert leads == {a.id: False, b.id: True}
    html = browser.get(f"/inspections/visits/{visit.id}").get_data(as_text=True)
    assert re.search(r"乙检查员(</span>)? \((组长|lead)\)", html) and not re.search(r"甲检查员(</span>)? \((组长|lead)\)", html)


def test_without_a_choice_the_first_ticked_leads_and_a_leader_outside_the_team_is_refused(make, login, db):
    admin = make.user("department_admin", department="fire")
    inst = make.institution()
    a, b, c = (make.user("inspector", department="fire") for _ in range(3))
    browser = login(admin)
    refused = browser.post("/inspections/visits/new", _form(inst, **{"inspectors-fire": [str(a.id), str(b.id)],
                                                                     "leader-fire": str(c.id)}),
                           token_from="/inspections/visits/new")
    assert refused.status_code == 422
    assert "the leader must be one of the inspectors chosen" in refused.get_data(as_text=True) \
        or "组长须是所选检查人员之一" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Visit).where(Visit.institution_id == inst.id)) is None
    odd = browser.post("/inspections/visits/new", _form(inst, **{"inspectors-fire": [str(a.id)], "leader-fire": "x"}),
                       token_from="/inspections/visits/new")
    assert odd.status_code == 422
    browser.post("/inspections/visits/new", _form(inst, **{"inspectors-fire": [str(b.id), str(a.id)]}),
                 token_from="/inspections/visits/new")
    visit = db.session.scalar(select(Visit).where(Visit.institution_id == inst.id))
    assert [m.user_id for m in visit.inspections[0].team if m.lead] == [b.id]


def test_the_record_names_the_leader(make, login, db):
    from tests.inspections.kit import Kit
    lead, member = make.user("inspector", department="fire", name="组长甲"), make.user("inspector", department="fire", name="组员乙")
    visit, part, _ = Kit(make, db).submitted(inspector=lead)
    db.session.add(InspectionInspector(inspection_id=part.id, user_id=member.id, lead=False))
    db.session.flush()
    html = login(make.user("bureau_admin")).get(f"/inspections/{part.id}/record").get_data(as_text=True)
    assert re.search(r"组长甲(</span>)? \((组长|lead)\)", html) and not re.search(r"组员乙(</span>)? \(", html)
