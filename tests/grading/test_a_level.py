"""The community-centre rating (A-levels) carried by the one grading lifecycle: its own checklist,
policy, scope, 公示 and validity; shown as "4A" apart from the GB/T 37276 stars."""
from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from inspect_app.checklists import catalogue
from inspect_app.core.errors import Invalid
from inspect_app.domain.grading import schemes
from inspect_app.domain.grading.policy import PolicyError, parse_policy
from inspect_app.grading import applications, records
from inspect_app.grading import policy as policies
from inspect_app.grading.models import GradeApplication, GradeRecord
from tests.grading.conftest import star_answers


def at(y, m, d):
    return time_machine.travel(datetime(y, m, d, 2, 0, tzinfo=timezone.utc), tick=False)  # 10:00 Beijing


def csv_file(answers) -> bytes:
    lines = ["条目编号,评定结果,备注"] + [f"{k},{v}," for k, v in answers.items()]
    return "\n".join(lines).encode("utf-8")


def community_answers():
    """Hand-computed: full marks but 助浴 CR-15 30 of 60, 助洁 CR-16 45 of 60, the satisfaction
    survey CR-26 (40) and CCTV CR-38 (15) failed: total 1000 − 30 − 15 − 40 − 15 = 900, services
    500 − 45 = 455. 4A needs 850 and services 350 (met); 5A needs 920 (not met)."""
    answers = star_answers(catalogue.get("community-rating"), fail=["CR-26", "CR-38"])
    answers.update({"CR-15": "30", "CR-16": "45"})
    return answers


def test_the_rating_checklist_adds_up_and_its_levels_are_the_a_levels(db):
    checklist = catalogue.get("community-rating")
    assert checklist.kind == "grading" and checklist.department == "civil_affairs"
    assert sum(i.points for i in checklist.items) == 1000
    services = next(s for s in checklist.sections if s.id == "services")
    assert sum(i.points for i in services.items) == 500
    assert [lv.level for lv in sorted(checklist.levels, key=lambda lv: lv.level)] == [1, 2, 3, 4, 5]
    assert [schemes.label("a_level", n) for n in (1, 3, 5)] == ["1A", "3A", "5A"]
    assert schemes.label("star", 4) == "4" and schemes.label("a_level", None) is None
    assert schemes.a_label(0) is None and schemes.a_label(6) is None and schemes.a_label(True) is None


def test_a_centre_applies_is_evaluated_publicised_confirmed_and_shown_as_4a(make, login, client, db):
    with at(2026, 12, 7):                                 # a Monday; the A-level policy is in force
        inst = make.institution(name="鼓楼社区居家养老服务中心", type="community_center", beds=0,
                                filed_on=date(2021, 5, 1))
        staff = login(make.user("institution_staff", institution_id=inst.id))
        bureau_user = make.user("bureau_admin")
        bureau = login(bureau_user)

        page = staff.get("/grading/apply").get_data(as_text=True)
        assert ">4A<" in page and ">5A<" in page          # the level choices are A-levels
        response = staff.post("/grading/apply", {"level": "4", "self_score": "905",
                                                 "self_assessment": "对照社区中心评分表自评。"},
                              token_from="/grading/apply")
        assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
        application = db.session.scalar(select(GradeApplication).where(GradeApplication.institution_id == inst.id))
        assert (application.scheme, application.requested_level) == ("a_level", 4)
        assert all(r["passed"] for r in application.eligibility)     # no first-application cap

        assert bureau.post(f"/grading/applications/{application.id}/accept", {}).status_code == 302
        response = bureau.post(f"/grading/applications/{application.id}/import",
                               {"file": (io.BytesIO(csv_file(community_answers())), "评定.csv")},
                               token_from=f"/grading/applications/{application.id}/import")
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
        record = db.session.scalar(select(GradeRecord).where(GradeRecord.application_id == application.id))
        assert (record.scheme, record.state, record.level, float(record.total)) == ("a_level", "evaluated", 4, 900.0)
        assert record.explanation["checklist"] == "community-rating" and record.explanation["level"] == 4
        assert record.policy_version == "A-2026.1"

        assert bureau.post(f"/grading/records/{record.id}/publish", {}).status_code == 302
        db.session.refresh(record)
        assert (record.publicity_start, record.publicity_end) == (date(2026, 12, 7), date(2026, 12, 15))  # 7 working days
        notices = client.get("/grading/public/notices").get_data(as_text=True)
        assert "鼓楼社区居家养老服务中心" in notices and "4A" in notices

    with at(2026, 12, 16):
        assert records.sweep_grades(records.local_today()) == {"publicity_ended": 1, "lapsed": 0}
        bureau = login(bureau_user)
        assert bureau.post(f"/grading/records/{record.id}/confirm", {}).status_code == 302
        db.session.refresh(record)
        assert (record.state, record.effective_on, record.expires_on) == \
            ("confirmed", date(2026, 12, 16), date(2029, 12, 16))       # 3 years
        # planning's risk classes read star grades only: an A-level is no star grade
        assert records.current_grades([inst.id], date(2026, 12, 16)) == {inst.id: None}

        public_page = client.get(f"/public/institutions/{inst.id}").get_data(as_text=True)
        assert "4A" in public_page and "★" not in public_page
        client.post("/language/en", {"next": "/grading/public/"}, token_from="/grading/public/")
        english = client.get(f"/public/institutions/{inst.id}").get_data(as_text=True)
        assert "4A" in english and "Community-centre A-level" in english

        listed = client.get("/grading/public/").get_data(as_text=True)
        row = listed.split("鼓楼社区居家养老服务中心")[1].split("</tr>")[0]
        cells = row.split("<td")
        assert "4A" not in cells[3] and "4A" in cells[4]            # the A-level column, not the stars'
        assert "鼓楼社区居家养老服务中心" in client.get("/grading/public/?level=4A").get_data(as_text=True)
        assert "鼓楼社区居家养老服务中心" not in client.get("/grading/public/?level=4").get_data(as_text=True)
        assert "鼓楼社区居家养老服务中心" not in client.get("/grading/public/?scheme=star").get_data(as_text=True)
        csv = client.get("/grading/public/grades.csv").get_data(as_text=True)
        assert "a_level" in csv and ",4A" in csv
        api = client.get("/api/v1/grades").get_json()["items"]
        assert [(g["scheme"], g["level"], g["level_name"]) for g in api] == [("a_level", 4, "4A")]
        assert client.get("/api/v1/grades?level=4").get_json()["items"] == []           # a level alone: stars
        assert len(client.get("/api/v1/grades?level=4&scheme=a_level").get_json()["items"]) == 1
        assert client.get(f"/api/v1/institutions/{inst.id}").get_json()["grade"]["level_name"] == "4A"


def test_a_nursing_home_gets_stars_and_is_not_offered_the_a_level(make, login, db):
    with at(2026, 12, 7):
        home = make.institution(type="nursing_home", beds=80, filed_on=date(2020, 1, 1))
        staff_user = make.user("institution_staff", institution_id=home.id)
        staff = login(staff_user)
        today, now = records.local_today(), datetime.now(timezone.utc)
        assert policies.offered(home, today) == ("star",)
        page = staff.get("/grading/apply").get_data(as_text=True)
        assert "4A" not in page and ">4级<" in page              # star levels offered, no A-level
        with pytest.raises(Invalid) as refused:
            applications.apply(staff_user, "3", "", "自评材料", today, now, scheme="a_level")
        assert [r.code for r in refused.value.problems] == ["scope"]
        assert "community home-care service centres" in refused.value.problems[0].message


def test_a_meal_point_is_refused_by_both_policies(make, db):
    with at(2026, 12, 7):
        point = make.institution(type="meal_point", beds=0, filed_on=date(2020, 1, 1))
        user = make.user("institution_staff", institution_id=point.id)
        today, now = records.local_today(), datetime.now(timezone.utc)
        assert policies.offered(point, today) == ()
        messages = []
        for scheme in ("star", "a_level", None):
            with pytest.raises(Invalid) as refused:
                applications.apply(user, "1", "", "自评材料", today, now, scheme=scheme)
            assert [r.code for r in refused.value.problems] == ["scope"]
            messages.append(refused.value.problems[0].message)
        assert "GB/T 37276" in messages[0] and "A-level" in messages[1]
        assert messages[2] == messages[0]               # offered nothing: the star rule says why
        assert db.session.scalar(select(GradeApplication).where(GradeApplication.institution_id == point.id)) is None


def test_policy_versions_follow_each_other_within_their_scheme():
    base = {"checklist": "x", "publicity_days": 7, "publicity_day_kind": "working", "validity_years": 3,
            "first_application_max_level": 3, "operating_years_min": 1, "penalty_lookback_years": 2,
            "accident_lookback_years": 3, "blacklist_years": 3, "upgrade_wait_years": 1,
            "renewal_window_days": 180, "expiry_warning_days": 90, "objection_max_chars": 2000,
            "objections_per_hour": 5}
    history = parse_policy({"versions": [
        {**base, "version": "1", "effective_from": date(2026, 1, 1)},
        {**base, "version": "A1", "scheme": "a_level", "effective_from": date(2025, 1, 1), "publicity_days": 5},
        {**base, "version": "2", "effective_from": date(2026, 6, 1)},
    ]}, "p.yaml")
    assert history.in_force(date(2026, 7, 1)).version == "2"
    assert history.in_force(date(2026, 7, 1), "a_level").publicity_days == 5
    assert history.schemes == ("star", "a_level")
    scoped = parse_policy({"versions": [
        {**base, "version": "1", "effective_from": date(2026, 1, 1)},                  # no scope: any type
        {**base, "version": "A1", "scheme": "a_level", "effective_from": date(2026, 1, 1),
         "scope_types": ["community_center"]},
    ]}, "p.yaml")
    assert scoped.offered("community_center", 0, date(2026, 2, 1)) == ("a_level", "star")   # its own scheme first
    assert scoped.offered("nursing_home", 50, date(2026, 2, 1)) == ("star",)
    with pytest.raises(PolicyError) as bad:
        parse_policy({"versions": [
            {**base, "version": "A1", "scheme": "a_level", "effective_from": date(2026, 1, 1)},
            {**base, "version": "A0", "scheme": "a_level", "effective_from": date(2025, 1, 1)},
            {**base, "version": "B", "scheme": "b_level", "effective_from": date(2025, 1, 1)},
        ]}, "p.yaml")
    assert "p.yaml: version A0: effective_from must be later than 2026-01-01 (version A1)" in bad.value.problems
    assert "p.yaml: versions[2].scheme: expected one of star, a_level, got 'b_level'" in bad.value.problems
    assert "p.yaml: versions: no version of the star scheme" in bad.value.problems


def test_the_dashboard_counts_a_levels_apart_from_stars(app, make, db):
    from zoneinfo import ZoneInfo

    from werkzeug.datastructures import MultiDict

    from inspect_app.overview import dashboard
    from inspect_app.rectification.policy import current as supervision
    from tests.grading.conftest import GradingMaker
    grading = GradingMaker(db, make)
    home = make.institution(type="nursing_home", district="看板区")
    centre = make.institution(type="community_center", district="看板区", beds=0)
    grading.confirmed(home)                                        # full marks: five stars
    a_record = grading.confirmed(centre)
    a_record.scheme, a_record.level = "a_level", 4
    db.session.flush()
    bureau = make.user("bureau_admin")
    rule = supervision()
    now = datetime.now(timezone.utc)
    with app.test_request_context():
        query, _ = dashboard.read_filters(bureau, MultiDict({"district": "看板区"}))
        charts = {c.key: c for c in dashboard.charts(bureau, query, records.local_today(), now,
                                                     ZoneInfo(rule.local_timezone),
                                                     rule.local_timezone)}
        by_type = charts["grades_type"]
        assert [str(name) for name, _ in by_type.series] == ["5 星", "4A"]           # two scales, two series
        assert by_type.rows == [["社区综合为老服务中心", 0, 1], ["养老机构", 1, 0]]


def test_the_checklist_page_writes_the_rating_levels_as_a_levels(make, login):
    bureau = login(make.user("bureau_admin"))
    page = bureau.get("/checklists/community-rating").get_data(as_text=True)
    assert "<td>4A</td>" in page and "★★★★<" not in page
    assert "未经地方规定确认" in page                       # the thresholds' caveat is shown
    stars = bureau.get("/checklists/star-grading").get_data(as_text=True)
    assert "<td>★★★★</td>" in stars and "<td>4A</td>" not in stars
