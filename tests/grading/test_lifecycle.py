"""A grade from application to lapse, through the pages, with the clock moved by time-machine."""
from __future__ import annotations

import io
from datetime import date, datetime, timezone

import time_machine
from sqlalchemy import func, select

from inspect_app.core.audit import AuditEvent
from inspect_app.grading import current, records
from inspect_app.grading.models import GradeApplication, GradeObjection, GradeRecord
from tests.grading.conftest import star_answers


def at(y, m, d):
    return time_machine.travel(datetime(y, m, d, 2, 0, tzinfo=timezone.utc), tick=False)  # 10:00 Beijing


def csv_file(answers) -> bytes:
    lines = ["条目编号,评定结果,备注"] + [f"{k},{v}," for k, v in answers.items()]
    return "\n".join(lines).encode("utf-8")


def test_application_publicity_objection_confirmation_and_lapse(make, login, client, db, grading):
    with at(2026, 6, 1):                                  # a Monday
        inst = make.institution(name="松鹤养老院", filed_on=date(2020, 3, 1))
        staff = login(make.user("institution_staff", institution_id=inst.id))
        bureau_user = make.user("bureau_admin")
        bureau = login(bureau_user)

        response = staff.post("/grading/apply", {"level": "3", "self_score": "880",
                                                 "self_assessment": "对照评分表自评。"}, token_from="/grading/apply")
        assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
        application = db.session.scalar(select(GradeApplication).where(GradeApplication.institution_id == inst.id))
        assert application.state == "submitted" and all(r["passed"] for r in application.eligibility)

        assert bureau.post(f"/grading/applications/{application.id}/accept", {}).status_code == 302
        answers = star_answers(grading.checklist, fail=["ENV-02"])
        response = bureau.post(f"/grading/applications/{application.id}/import",
                               {"file": (io.BytesIO(csv_file(answers)), "评定.csv")},
                               token_from=f"/grading/applications/{application.id}/import")
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
        record = db.session.scalar(select(GradeRecord).where(GradeRecord.application_id == application.id))
        assert record.state == "evaluated" and record.level == 3       # the engine's 5, capped at the request
        assert record.explanation["level"] == 5 and record.explanation["lost_items"][0]["id"] == "ENV-02"
        db.session.refresh(application)
        assert application.state == "evaluated"

        assert bureau.post(f"/grading/records/{record.id}/publish", {}).status_code == 302
        db.session.refresh(record)
        assert (record.state, record.publicity_start, record.publicity_end) == \
            ("publicised", date(2026, 6, 1), date(2026, 6, 9))          # 7 working days
        page = client.get("/grading/public/notices").get_data(as_text=True)
        assert "松鹤养老院" in page
        response = client.post(f"/grading/public/notices/{record.id}",
                               {"name": "李四", "contact": "13800000000", "text": "该院夜间值班人员不足，与评定不符。"},
                               token_from=f"/grading/public/notices/{record.id}")
        assert response.status_code == 302
        objection = db.session.scalar(select(GradeObjection).where(GradeObjection.record_id == record.id))
        assert objection.state == "open"

        bureau.post(f"/grading/records/{record.id}/confirm", {})           # too early: still in 公示
        db.session.refresh(record)
        assert record.state == "publicised"
        assert "松鹤养老院" not in client.get("/grading/public/").get_data(as_text=True)

    with at(2026, 6, 9):
        assert records.sweep_grades(records.local_today()) == {"publicity_ended": 0, "lapsed": 0}
    with at(2026, 6, 10):
        bureau = login(bureau_user)                       # sessions expire when idle
        assert records.sweep_grades(records.local_today()) == {"publicity_ended": 1, "lapsed": 0}
        assert records.sweep_grades(records.local_today()) == {"publicity_ended": 0, "lapsed": 0}
        db.session.refresh(record)
        assert record.state == "publicity_ended"
        bureau.post(f"/grading/records/{record.id}/confirm", {})           # an objection is open
        db.session.refresh(record)
        assert record.state == "publicity_ended"
        assert bureau.post(f"/grading/objections/{objection.id}/decide",
                           {"outcome": "dismissed", "note": "经核查值班记录齐全"}).status_code == 302
        response = bureau.post(f"/grading/records/{record.id}/confirm", {}, follow_redirects=True)
        db.session.refresh(record)
        assert record.state == "confirmed", response.get_data(as_text=True).split("<main>")[1][:600]
        assert (record.state, record.effective_on, record.expires_on) == \
            ("confirmed", date(2026, 6, 10), date(2029, 6, 10))
        assert records.current_grades([inst.id], date(2026, 6, 10)) == {inst.id: 3}
        assert "松鹤养老院" in client.get("/grading/public/").get_data(as_text=True)
        actions = [e.action for e in record.events]
        assert actions == ["evaluate", "publish", "end_publicity", "objection_dismissed", "confirm"]
        audited = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.entity == "grade_record", AuditEvent.entity_id == str(record.id)))
        assert audited == len(actions)

    with at(2029, 6, 9):
        assert records.current_grades([inst.id], records.local_today()) == {inst.id: 3}
        assert [r.id for r in records.grades_expiring(30, records.local_today())] == [record.id]
    with at(2029, 6, 10):
        today = records.local_today()
        assert records.current_grades([inst.id], today) == {inst.id: None}     # even before the sweep
        assert records.sweep_grades(today) == {"publicity_ended": 0, "lapsed": 1}
        db.session.refresh(record)
        assert record.state == "lapsed"
        assert "松鹤养老院" not in client.get("/grading/public/").get_data(as_text=True)


def test_a_new_confirmed_record_supersedes_the_old_one_explicitly(make, db, grading):
    inst = make.institution()
    bureau = make.user("bureau_admin")
    old = grading.confirmed(inst, effective_on=date(2024, 1, 1))
    new = grading.record(inst, star_answers(grading.checklist, fail=["ENV-02", "ENV-03"]))
    new.state = "publicity_ended"
    db.session.flush()
    records.confirm(bureau, new.id, date(2026, 1, 5))
    assert (old.state, old.superseded_by_id) == ("superseded", new.id)
    assert old.events[-1].action == "supersede"
    assert current.current_records([inst.id], date(2026, 1, 5))[inst.id].id == new.id


def test_displayed_grade_is_suspended_with_the_reasons(make, login, db, grading, monkeypatch):
    inst = make.institution(name="暂停显示养老院")
    grading.confirmed(inst)
    monkeypatch.setattr("inspect_app.rectification.supervision.suspension_reasons",
                        lambda ids, now: {i: ["否决项问题 #7 未销号"] for i in ids if i == inst.id})
    shown = records.displayed_grades([inst.id], date.today(), datetime.now(timezone.utc))[inst.id]
    assert shown.level == 5 and shown.suspended == ["否决项问题 #7 未销号"]
    staff = login(make.user("institution_staff", institution_id=inst.id))
    html = staff.get("/grading/").get_data(as_text=True)
    assert "否决项问题 #7 未销号" in html


def test_ineligible_application_is_refused_with_the_rules_explained(make, login, db):
    inst = make.institution(filed_on=date.today())
    staff = login(make.user("institution_staff", institution_id=inst.id))
    response = staff.post("/grading/apply", {"level": "4", "self_assessment": "自评"}, token_from="/grading/apply")
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(GradeApplication)
                             .where(GradeApplication.institution_id == inst.id)) == 0
    page = staff.get("/grading/apply?level=4").get_data(as_text=True)
    assert "4" in page and ("not met" in page or "不符合" in page)


def test_staff_cannot_see_another_institutions_records(make, login, grading):
    mine, theirs = make.institution(), make.institution(name="别家评定养老院")
    record = grading.record(theirs)
    staff = login(make.user("institution_staff", institution_id=mine.id))
    assert staff.get(f"/grading/records/{record.id}").status_code == 404
    assert "别家评定养老院" not in staff.get("/grading/records").get_data(as_text=True)


def test_tablet_evaluation_job_is_idempotent(make, db, grading):
    from inspect_app.core import jobs
    from inspect_app.grading.jobs import HANDLERS
    inst = make.institution()
    application = grading.application(inst, level=4)
    inspection = grading.inspection(inst, application=application)
    first = jobs.enqueue("grading.record_evaluation", {"inspection_id": inspection.id}, key=f"evaluation:{inspection.id}")
    db.session.commit()
    assert jobs.run_job(first.id, HANDLERS) == jobs.DONE
    again = jobs.enqueue("grading.record_evaluation", {"inspection_id": inspection.id})
    db.session.commit()
    assert jobs.run_job(again.id, HANDLERS) == jobs.DONE
    rows = db.session.scalars(select(GradeRecord).where(GradeRecord.inspection_id == inspection.id)).all()
    assert len(rows) == 1 and rows[0].application_id == application.id and rows[0].level == 4
    db.session.refresh(application)
    assert application.state == "evaluated"
