"""One grading in progress per institution: an open application, or a record still being
decided (评定 → 公示 → confirmation). The eligibility rule says so, the services refuse a
second one with a clear 409, and the database refuses it whatever the code checked."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from inspect_app.core.errors import Conflict
from inspect_app.core.types import local_today, utcnow
from inspect_app.grading import applications
from inspect_app.grading.models import GradeApplication, GradeRecord

APPLY = {"level": "3", "self_score": "880", "self_assessment": "对照评分表自评。"}


def _applications(db, institution) -> int:
    return db.session.scalar(select(func.count()).select_from(GradeApplication)
                             .where(GradeApplication.institution_id == institution.id))


@pytest.fixture
def in_publicity(make, grading, db):
    """An institution whose application was evaluated and whose record is in 公示."""
    from datetime import date
    inst = make.institution(name="人民路康乐养老院", filed_on=date(2020, 3, 1))
    application = grading.application(inst, level=3)
    record = grading.record(inst, application=application)
    record.state, record.publicity_start = "publicised", local_today()
    record.publicity_end = local_today().replace(year=local_today().year + 1)
    db.session.flush()
    db.session.refresh(application)
    assert application.state == "evaluated"
    return inst, record


def test_eligibility_counts_a_record_in_publicity_as_in_progress(make, login, in_publicity):
    inst, _record = in_publicity
    staff = make.user("institution_staff", institution_id=inst.id)
    result, _cap = applications.eligibility(staff, 3, local_today(), utcnow())
    rule = next(r for r in result.rules if r.code == "open_application")
    assert not rule.passed and "still being decided" in rule.message
    html = login(staff).get("/grading/apply?level=3").get_data(as_text=True)
    assert "无其他未办结的申请" not in html
    assert "本机构的等级评定仍在办理中" in html


def test_a_second_application_during_the_publicity_is_refused(make, login, client, db, in_publicity):
    inst, record = in_publicity
    staff = login(make.user("institution_staff", institution_id=inst.id))
    before = _applications(db, inst)
    for _attempt in range(2):
        response = staff.post("/grading/apply", APPLY, token_from="/grading/apply")
        assert response.status_code == 422
        assert "本机构的等级评定仍在办理中" in response.get_data(as_text=True)
    assert _applications(db, inst) == before
    notices = client.get("/grading/public/notices").get_data(as_text=True)
    assert notices.count("人民路康乐养老院") == 1


def test_the_database_holds_one_open_application_per_institution(make, db):
    inst = make.institution()
    row = dict(institution_id=inst.id, requested_level=3, self_assessment="自评", eligibility=[],
               checked_on=local_today(), applied_at=utcnow())
    db.session.add(GradeApplication(state="submitted", **row))
    db.session.flush()
    db.session.add(GradeApplication(state="declined", **row))          # finished ones do not count
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(GradeApplication(state="accepted", **row))
        db.session.flush()


def test_the_database_holds_one_record_in_progress_per_institution(make, db, grading):
    inst = make.institution()
    first = grading.record(inst)                                          # evaluated, no application
    first.state = "confirmed"
    db.session.flush()
    second = grading.record(inst)                                         # a later evaluation: allowed
    assert second.state == "evaluated"
    with pytest.raises(Conflict):                                         # a third while it is decided
        grading.record(inst)
    inspection = grading.inspection(inst)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(GradeRecord(institution_id=inst.id, inspection_id=inspection.id, state="publicised",
                                   total=1, percent=1, explanation={}, evaluated_at=utcnow(), policy_version="x"))
        db.session.flush()


def test_two_applications_racing_past_the_check_give_one_and_a_409(make, login, db, monkeypatch):
    """The second request read "nothing in progress" before the first one committed: the
    database refuses its row and the page says why (409), never a 500."""
    from datetime import date
    inst = make.institution(filed_on=date(2020, 3, 1))
    staff = login(make.user("institution_staff", institution_id=inst.id))
    assert staff.post("/grading/apply", APPLY, token_from="/grading/apply").status_code == 302
    real = applications.facts_for
    monkeypatch.setattr(applications, "facts_for", lambda *a, **kw: replace(real(*a, **kw), open_applications=0))
    response = staff.post("/grading/apply", APPLY, token_from="/grading/apply")
    assert response.status_code == 409
    assert "本机构已有等级评定申请或评定结果正在办理" in response.get_data(as_text=True)
    assert _applications(db, inst) == 1
