"""A complaint case from intake to the follow-up call: routing, the time limits (with a
controlled clock), the visit made from the case and its findings, the reply, the follow-up
and reopening, who may act, and what the risk class and the institution file read."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from inspect_app.complaints import services
from inspect_app.complaints.models import ComplaintCase, ComplaintEvent
from inspect_app.core.audit import AuditEvent
from inspect_app.core.errors import Conflict, Forbidden, Invalid, NotFound
from inspect_app.inspections.models import Visit
from inspect_app.planning.risk_data import complaint_counts
from inspect_app.rectification.models import Finding
from tests.complaints.conftest import T0, at, take_in
from tests.factories import with_partners


@pytest.fixture
def people(make):
    return {"bureau": make.user("bureau_admin"), "civil": make.user("department_admin", department="civil_affairs"),
            "fire": make.user("department_admin", department="fire"),
            "inspector": make.user("inspector", department="civil_affairs"),
            "staff": None}


def _events(db, case):
    return [e.event for e in db.session.scalars(select(ComplaintEvent).where(ComplaintEvent.case_id == case.id)
                                                .order_by(ComplaintEvent.id))]


def test_a_case_is_routed_by_category_and_numbered_with_its_acceptance_limit(db, make, people):
    home = make.institution()
    taken = take_in(people["bureau"], home, category="food_safety")
    case = taken.case
    assert case.department == "market_regulation" and case.state == "received"
    assert case.number == f"TS2026-{case.id:06d}"
    assert case.received_on == date(2026, 3, 2) and case.acceptance_due == date(2026, 3, 17)
    assert case.lookup_digest and taken.token not in (case.lookup_digest, case.submission_digest)
    assert services.lookup(case.number, taken.token).id == case.id
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "complaint_case",
                                                       AuditEvent.entity_id == str(case.id)))
    assert audit.action == "intake" and "lookup_digest" not in audit.after


def test_the_same_form_sent_twice_is_one_case_with_the_same_token(db, make, people):
    home = make.institution()
    first = take_in(people["bureau"], home, key="k" * 24)
    again = take_in(people["bureau"], home, key="k" * 24)
    assert again.repeated and again.case.id == first.case.id and again.token == first.token
    assert db.session.scalar(select(ComplaintCase.id).where(ComplaintCase.institution_id == home.id)
                             .order_by(ComplaintCase.id.desc())) == first.case.id


def test_an_anonymous_case_keeps_no_contact_data_and_a_named_one_needs_a_name(db, make, people):
    home = make.institution()
    with pytest.raises(Invalid) as err:
        take_in(people["bureau"], home, anonymous=True)
    assert [p[0] for p in err.value.problems] == ["anonymous"]
    case = take_in(people["bureau"], home, anonymous=True, complainant_name="", complainant_phone="").case
    assert (case.complainant_name, case.complainant_phone) == (None, None)
    with pytest.raises(Invalid) as err:
        take_in(people["bureau"], home, complainant_name=" ", channel="sms")
    assert {p[0] for p in err.value.problems} == {"complainant_name", "channel"}


def test_only_the_bureau_takes_cases_in_and_only_handlers_open_them(db, make, people):
    home = make.institution()
    with pytest.raises(Forbidden):
        take_in(people["civil"], home)
    case = take_in(people["bureau"], home).case             # care_service → civil_affairs
    assert services.get_case(people["civil"], case.id).id == case.id
    with pytest.raises(NotFound):
        services.get_case(people["fire"], case.id)           # another department's case
    with pytest.raises(NotFound):
        services.accept(people["fire"], case.id, "", T0)
    with pytest.raises(Forbidden):
        services.get_case(people["inspector"], case.id)
    assert [c.id for c in services.listing(people["fire"])] == []


def test_the_whole_way_intake_visit_finding_reply_follow_up(db, make, people):
    home = make.institution()
    case = take_in(people["bureau"], home, category="fire_safety").case
    services.reroute(people["bureau"], case.id, "civil_affairs", "主要是护理问题", T0)
    assert case.department == "civil_affairs"
    services.reroute(people["bureau"], case.id, "fire", "", T0)
    accepted_at = at(date(2026, 3, 5))
    services.accept(people["fire"], case.id, "受理", accepted_at)
    assert case.state == "accepted" and case.closure_due == date(2026, 5, 6)   # 60th day 05-04 is in 劳动节
    inspector = make.user("inspector", department="fire")
    team = [u.id for u in with_partners({"fire": [inspector]})["fire"]]
    visit = services.make_visit(people["fire"], case.id, date(2026, 3, 9), team, at(date(2026, 3, 6)))
    assert (visit.purpose, visit.source, visit.institution_id) == ("complaint", f"complaint:{case.id}", home.id)
    assert visit.note == case.number                 # the case's text stays with its handlers
    assert case.visit_id == visit.id
    with pytest.raises(Conflict):
        services.make_visit(people["fire"], case.id, date(2026, 3, 10), team, T0)
    part = visit.inspections[0]
    finding = Finding(inspection_id=part.id, visit_id=visit.id, institution_id=home.id, department="fire",
                      checklist_id="fire-safety", checklist_version="1", item_id="FIRE-01", item_text="消防通道畅通",
                      severity="critical", veto=False, deadline_days=7, original_deadline_at=T0, deadline_at=T0,
                      state="open", step=0, escalation_level=0, policy_version="t", created_at=T0)
    db.session.add(finding)
    db.session.flush()
    assert [f.id for f in services.findings_of(case)] == [finding.id]
    with pytest.raises(Invalid) as err:
        services.reply(people["fire"], case.id, "", None, T0)
    assert {p[0] for p in err.value.problems} == {"text", "substantiated"}
    services.reply(people["fire"], case.id, "经查属实，已责令整改。", True, at(date(2026, 3, 20)))
    assert case.state == "replied" and case.follow_up_due == date(2026, 3, 25)    # Mon, Tue, Wed
    services.follow_up(people["fire"], case.id, "satisfied", "回访满意", False, at(date(2026, 3, 23)))
    assert case.state == "closed" and case.satisfaction == "satisfied"
    assert _events(db, case) == ["intake", "reroute", "reroute", "accept", "make_visit", "reply", "follow_up"]


def test_dissatisfaction_reopens_once_with_a_new_limit(db, make, people):
    home = make.institution()
    case = take_in(people["bureau"], home).case
    services.accept(people["civil"], case.id, "", T0)
    services.reply(people["civil"], case.id, "不属实", False, at(date(2026, 3, 10)))
    with pytest.raises(Invalid):
        services.follow_up(people["civil"], case.id, "basically", "", True, at(date(2026, 3, 11)))
    services.follow_up(people["civil"], case.id, "dissatisfied", "要求重新调查", True, at(date(2026, 3, 11)))
    assert case.state == "accepted" and case.reopen_count == 1
    assert case.closure_due == date(2026, 5, 11)          # 60 days from 03-11 is 05-10, a Sunday
    services.reply(people["civil"], case.id, "复查后仍不属实", False, at(date(2026, 3, 20)))
    with pytest.raises(Invalid):                            # the second time, the case closes
        services.follow_up(people["civil"], case.id, "dissatisfied", "", True, at(date(2026, 3, 23)))
    services.follow_up(people["civil"], case.id, "dissatisfied", "仍不满意", False, at(date(2026, 3, 23)))
    assert case.state == "closed" and case.satisfaction == "dissatisfied"


def test_declining_needs_a_reason_and_ends_the_case(db, make, people):
    case = take_in(people["bureau"], make.institution()).case
    with pytest.raises(Invalid):
        services.decline(people["civil"], case.id, " ", T0)
    services.decline(people["civil"], case.id, "属于劳动争议，请通过劳动仲裁途径解决", T0)
    assert case.state == "declined"
    with pytest.raises(Conflict):
        services.accept(people["civil"], case.id, "", T0)


def test_the_extension_is_granted_once_from_the_present_limit(db, make, people):
    case = take_in(people["bureau"], make.institution()).case
    with pytest.raises(Conflict):
        services.extend(people["civil"], case.id, "尚未受理", T0)     # no handling limit yet
    services.accept(people["civil"], case.id, "", T0)            # 03-02 + 60 = 05-01 (劳动节) → 05-06
    assert case.closure_due == date(2026, 5, 6)
    services.extend(people["civil"], case.id, "需要调取监控", at(date(2026, 4, 20)))
    assert case.extended and case.closure_due == date(2026, 6, 5)   # 05-06 + 30 = 06-05, a Friday
    with pytest.raises(Invalid):
        services.extend(people["civil"], case.id, "再延", at(date(2026, 4, 21)))


def test_substantiated_cases_count_in_the_risk_class_and_visits_from_cases_do_not_count_twice(db, make, people):
    home, other = make.institution(), make.institution()
    since = T0 - timedelta(days=365)
    unfounded = take_in(people["bureau"], home).case
    founded = take_in(people["bureau"], home, category="fire_safety").case
    for case, handler in ((unfounded, people["civil"]), (founded, people["fire"])):
        services.accept(handler, case.id, "", T0)
    inspector = make.user("inspector", department="fire")
    team = [u.id for u in with_partners({"fire": [inspector]})["fire"]]
    services.make_visit(people["fire"], founded.id, date(2026, 3, 9), team, T0)
    assert complaint_counts([home.id, other.id], since) == {}      # nothing decided yet; the visit is the case's
    services.reply(people["civil"], unfounded.id, "不属实", False, T0)
    services.reply(people["fire"], founded.id, "属实", True, T0)
    assert complaint_counts([home.id, other.id], since) == {home.id: 1}
    assert complaint_counts([home.id], T0 + timedelta(seconds=1)) == {}    # outside the look-back


def test_the_institution_file_lists_cases_without_personal_data(db, make, login, people):
    home = make.institution()
    case = take_in(people["bureau"], home, category="fire_safety", summary="消防通道堵塞").case
    fire_browser = login(people["fire"])
    civil_browser = login(people["civil"])
    handler_page = fire_browser.get(f"/institutions/{home.id}/file").get_data(as_text=True)
    other_page = civil_browser.get(f"/institutions/{home.id}/file").get_data(as_text=True)
    assert f'data-complaint-id="{case.id}"' in handler_page and f'data-complaint-id="{case.id}"' in other_page
    assert "消防通道堵塞" in handler_page and "消防通道堵塞" not in other_page
    for page in (handler_page, other_page):
        assert "李投诉人" not in page and "13912345678" not in page
    staff = make.user("institution_staff", institution_id=home.id)
    staff_page = login(staff).get(f"/institutions/{home.id}/file").get_data(as_text=True)
    assert f'data-complaint-id="{case.id}"' not in staff_page and "李投诉人" not in staff_page


def test_the_case_page_shows_the_complainant_to_its_handler(db, make, login, people):
    home = make.institution()
    case = take_in(people["bureau"], home, category="fire_safety").case
    page = login(people["fire"]).get(f"/complaints/{case.id}").get_data(as_text=True)
    assert "李投诉人" in page and "13912345678" in page
    assert login(people["civil"]).get(f"/complaints/{case.id}").status_code == 404


def test_the_pages_take_a_case_from_intake_to_reply(db, make, login, people):
    home = make.institution(name="页面测试养老院")
    bureau = login(people["bureau"])
    form = bureau.get("/complaints/new").get_data(as_text=True)
    import re
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', form).group(1)
    data = {"submission_key": key, "channel": "phone", "received_on": "", "institution_id": str(home.id),
            "category": "care_service", "kind": "claim", "summary": "饭菜冷", "details": "",
            "complainant_name": "赵某", "complainant_phone": "13800000000"}
    response = bureau.post("/complaints/new", data, token_from="/complaints/new")
    assert response.status_code == 201
    case = db.session.scalar(select(ComplaintCase).where(ComplaintCase.institution_id == home.id))
    assert case.number in response.get_data(as_text=True)
    again = bureau.post("/complaints/new", data, token_from="/complaints/new")
    assert again.status_code == 201
    assert len(list(db.session.scalars(select(ComplaintCase).where(ComplaintCase.institution_id == home.id)))) == 1
    civil = login(people["civil"])
    assert civil.post(f"/complaints/{case.id}/reply", {"reply-text": "x", "reply-substantiated": "yes"},
                      token_from=f"/complaints/{case.id}").status_code == 302
    db.session.refresh(case)
    assert case.state == "received"                              # refused: not accepted yet
    civil.post(f"/complaints/{case.id}/accept", {"accept-note": "受理"}, token_from=f"/complaints/{case.id}")
    civil.post(f"/complaints/{case.id}/reply", {"reply-text": "已整改", "reply-substantiated": "yes"},
               token_from=f"/complaints/{case.id}")
    db.session.refresh(case)
    assert case.state == "replied" and case.substantiated is True
    civil.post(f"/complaints/{case.id}/follow-up", {"follow-satisfaction": "basically", "follow-note": ""},
               token_from=f"/complaints/{case.id}")
    db.session.refresh(case)
    assert case.state == "closed" and case.satisfaction == "basically"
