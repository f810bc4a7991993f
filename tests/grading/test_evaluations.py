"""The bureau schedules the on-site evaluation of an accepted application with the tablet form;
its submission becomes the application's grade record."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from inspect_app.inspections.models import Answer, Visit

from .conftest import star_answers


def _visits(db, application):
    return list(db.session.scalars(select(Visit).where(Visit.source == f"application:{application.id}")))


def test_bureau_schedules_an_evaluation_visit_shown_on_the_application(db, make, login, grading):
    inst = make.institution()
    application = grading.application(inst, level=3, state="accepted")
    lead = make.user("inspector", department="civil_affairs", name="评定员甲")
    second = make.user("inspector", department="civil_affairs", name="评定员乙")
    make.user("inspector", department="fire", name="消防员丙")
    bureau = login(make.user("bureau_admin"))
    page = f"/grading/applications/{application.id}"
    html = bureau.get(page).get_data(as_text=True)
    assert "评定员甲" in html and "消防员丙" not in html and "/evaluation" in html

    on = date.today() + timedelta(days=5)
    response = bureau.post(f"{page}/evaluation", {"on": on.isoformat(), "assessor_ids": [lead.id, second.id]},
                           token_from=page)
    assert response.status_code == 302
    [visit] = _visits(db, application)
    assert (visit.kind, visit.purpose, visit.scheduled_for, visit.institution_id) == ("grading", "grading", on, inst.id)
    [part] = visit.inspections
    assert part.department == "civil_affairs" and part.checklist_version.checklist_id == "star-grading"
    assert [m.user_id for m in part.team] == [lead.id, second.id] and part.team[0].lead

    html = bureau.get(page).get_data(as_text=True)
    assert f'data-visit-id="{visit.id}"' in html and f"/inspections/visits/{visit.id}" in html
    assert f'action="/grading/applications/{application.id}/evaluation"' not in html   # one open visit at a time
    again = bureau.post(f"{page}/evaluation", {"on": on.isoformat(), "assessor_ids": [lead.id]}, token_from=page)
    assert again.status_code == 409 and len(_visits(db, application)) == 1

    staff = login(make.user("institution_staff", institution_id=inst.id))
    seen = staff.get(page).get_data(as_text=True)
    assert f'data-visit-id="{visit.id}"' in seen and "/inspections/visits/" not in seen


def test_scheduling_refuses_bad_input_and_applications_not_accepted(db, make, login, grading):
    inst = make.institution()
    application = grading.application(inst, state="accepted")
    assessor = make.user("inspector", department="civil_affairs")
    firefighter = make.user("inspector", department="fire")
    bureau = login(make.user("bureau_admin"))
    page = f"/grading/applications/{application.id}"
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    for data in ({"on": "", "assessor_ids": [assessor.id]},
                 {"on": (date.today() - timedelta(days=1)).isoformat(), "assessor_ids": [assessor.id]},
                 {"on": "not a date", "assessor_ids": [assessor.id]},
                 {"on": tomorrow},
                 {"on": tomorrow, "assessor_ids": ["abc", "99999999999999999999"]},
                 {"on": tomorrow, "assessor_ids": [firefighter.id]}):
        assert bureau.post(f"{page}/evaluation", data, token_from=page).status_code == 422, data
    assert _visits(db, application) == []
    submitted = grading.application(make.institution(), state="submitted")
    response = bureau.post(f"/grading/applications/{submitted.id}/evaluation",
                           {"on": tomorrow, "assessor_ids": [assessor.id]}, token_from=page)
    assert response.status_code == 409 and _visits(db, submitted) == []


def test_the_submitted_evaluation_becomes_the_applications_record(db, make, grading):
    from inspect_app.core.types import utcnow
    from inspect_app.grading import evaluations
    from inspect_app.grading.records import local_today, record_evaluation
    inst = make.institution()
    application = grading.application(inst, level=3, state="accepted")
    assessor = make.user("inspector", department="civil_affairs")
    visit = evaluations.schedule_evaluation(make.user("bureau_admin"), application.id, local_today(),
                                           [assessor.id], local_today())
    [part] = visit.inspections
    now = utcnow()
    db.session.add_all([Answer(inspection_id=part.id, item_id=k, value=v, updated_at=now)
                        for k, v in star_answers(grading.checklist).items()])
    part.status, part.submitted_at = "submitted", now
    db.session.flush()
    db.session.refresh(part)
    record = record_evaluation(part, None)
    assert record.application_id == application.id and record.requested_level == 3
    assert record.level == 3 and application.state == "evaluated"


def test_declining_an_application_calls_off_its_planned_evaluation(db, make, grading):
    from inspect_app.grading import applications, evaluations
    application = grading.application(make.institution(), level=3, state="accepted")
    assessor = make.user("inspector", department="civil_affairs")
    bureau = make.user("bureau_admin")
    visit = evaluations.schedule_evaluation(bureau, application.id, date.today() + timedelta(days=3),
                                           [assessor.id], date.today())
    applications.decline(bureau, application.id, "材料不全")
    db.session.flush()
    db.session.refresh(visit)
    assert visit.status == "cancelled" and application.state == "declined"
