"""The major-hazard pages: who sees a listing and who may act on it, the plan walked through the
forms, and the listing shown on the finding page, the institution file and the dashboard."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from PIL import Image

from inspect_app.core.types import local_today, utcnow
from inspect_app.rectification import hazards


def _jpeg() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), (40, 90, 160)).save(buf, "JPEG")
    buf.seek(0)
    return buf


@pytest.fixture
def world(make, rect):
    inst = make.institution(name="挂牌养老院")
    staff = make.user("institution_staff", institution_id=inst.id)
    head = make.user("inspector", department="fire", is_department_head=True)
    inspector = make.user("inspector", department="fire")
    notice, found = rect.findings(inst, failed=("FIRE-01",), inspectors=(inspector,))
    listing = hazards.list_major_hazards(notice)[0]
    return dict(inst=inst, staff=staff, head=head, inspector=inspector, listing=listing, finding=found["FIRE-01"])


def test_who_sees_a_listing(world, make, login):
    page = f"/rectification/hazards/{world['listing'].id}"
    for user in (world["staff"], world["head"], world["inspector"], make.user("bureau_admin"),
                 make.user("department_admin", department="fire")):
        assert login(user).get(page).status_code == 200, user.role
    for user in (make.user("institution_staff"), make.user("department_admin", department="health"),
                 make.user("inspector", department="health")):
        assert login(user).get(page).status_code == 404, user.role
        assert "挂牌养老院" not in login(user).get("/rectification/hazards/").get_data(as_text=True)


def test_the_plan_through_the_forms_to_delisting(db, world, login):
    listing, finding = world["listing"], world["finding"]
    page = f"/rectification/hazards/{listing.id}"
    today = local_today()
    staff = login(world["staff"])
    finding_html = staff.get(f"/rectification/findings/{finding.id}").get_data(as_text=True)
    assert 'id="hazard-listing"' in finding_html and "respond-text" not in finding_html
    # A bad plan is refused on the page, located, with what was typed kept.
    refused = staff.post(f"{page}/plan", {"measures": "改造", "responsible_person": "王院长",
                                          "interim_measures": "", "end_on": "not a date",
                                          "milestone_on_1": (today + timedelta(days=5)).isoformat(),
                                          "milestone_text_1": "评估"}, token_from=page)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "王院长" in html and "方案完成日期" in html
    end = today + timedelta(days=90)
    sent = staff.post(f"{page}/plan", {"measures": "改造消防设施", "responsible_person": "王院长",
                                       "funds_yuan": "50000", "interim_measures": "专人值守",
                                       "stop_use": "1", "stop_use_area": "二号楼",
                                       "end_on": end.isoformat(),
                                       "milestone_on_1": (today + timedelta(days=30)).isoformat(),
                                       "milestone_text_1": "完成评估"}, token_from=page)
    assert sent.status_code == 303
    plan = listing.plans[0] if listing.plans else hazards.get(world["staff"], listing.id).plans[0]
    # The institution does not decide; the head of department does.
    assert staff.post(f"{page}/plans/{plan.id}/decide", {"decision": "approve"}, token_from=page).status_code == 403
    head = login(world["head"])
    assert head.post(f"{page}/plans/{plan.id}/decide", {"decision": "approve", "note": "同意"},
                     token_from=page).status_code == 303
    html = head.get(page).get_data(as_text=True)
    assert 'data-milestone-id' in html and "二号楼" in html
    milestone = hazards.get(world["head"], listing.id).plans[0].milestones[0]
    reported = staff.post(f"{page}/milestones/{milestone.id}/report", {"text": "评估报告已出具", "photos": (_jpeg(), "a.jpg")},
                          token_from=page, content_type="multipart/form-data")
    assert reported.status_code == 303
    photo = hazards.get(world["staff"], listing.id).plans[0].milestones[0].photos[0]
    assert staff.get(f"{page}/photos/{photo.id}?thumb=1").status_code == 200
    # Only an inspector re-inspects; a passed re-inspection delists.
    assert head.post(f"{page}/reinspect", {"held_on": today.isoformat(), "removed": "removed", "note": "已消除"},
                     token_from=page).status_code == 303           # the head is an inspector of fire
    html = staff.get(page).get_data(as_text=True)
    assert 'id="listing-state"' in html and "delisted" not in html   # labels, not codes
    assert hazards.get(world["staff"], listing.id).state == "delisted"
    assert 'data-state="closed"' in staff.get(f"/rectification/findings/{finding.id}").get_data(as_text=True)


def test_staff_cannot_reinspect_nor_name_staff(world, login):
    page = f"/rectification/hazards/{world['listing'].id}"
    staff = login(world["staff"])
    assert staff.post(f"{page}/reinspect", {"held_on": "2026-01-01", "removed": "removed", "note": "x"},
                      token_from=page).status_code == 403
    assert staff.post(f"{page}/assign", {"bureau_staff_id": "1"}, token_from=page).status_code == 403
    head = login(world["head"])
    assert head.post(f"{page}/assign", {"bureau_staff_id": "abc"}, token_from=page).status_code == 422


def test_file_and_dashboard_show_listed_hazards(world, make, login):
    bureau = login(make.user("bureau_admin"))
    home = bureau.get("/").get_data(as_text=True)
    assert 'id="dash-hazards"' in home and f'data-listing-id="{world["listing"].id}"' in home
    file_html = bureau.get(f"/institutions/{world['inst'].id}/file").get_data(as_text=True)
    assert 'id="hazards"' in file_html and f'data-listing-id="{world["listing"].id}"' in file_html
    other = login(make.user("department_admin", department="health"))
    assert 'id="dash-hazards"' not in other.get("/").get_data(as_text=True)
