"""Authorization rows of the grading feature (merged into tests/test_authorization.py)."""
from __future__ import annotations

from tests.roles import ANON, BUREAU, DEPT, EVERYONE, INSP, SIGNED_IN, STAFF  # noqa: F401

VIEW = {DEPT, BUREAU, STAFF}          # grading.view

# endpoint → roles allowed
ROUTES: dict[str, set[str]] = {
    "grading.index": VIEW,
    "grading.apply": {STAFF},
    "grading.applications_list": VIEW,
    "grading.application": VIEW,
    "grading.withdraw": {STAFF},
    "grading.accept": {BUREAU},
    "grading.decline": {BUREAU},
    "grading.import_evaluation": {BUREAU},
    "grading.import_template": {BUREAU},
    "grading.schedule_evaluation": {BUREAU},
    "grading.records_list": VIEW,
    "grading.record": VIEW,
    "grading.publish": {BUREAU},
    "grading.confirm": {BUREAU},
    "grading.reject": {BUREAU},
    "grading.revoke": {BUREAU},
    "grading.acknowledge": {BUREAU},
    "grading.objections": {BUREAU},
    "grading.decide_objection": {BUREAU},
    "grading.sanctions": {BUREAU},
    "grading.regrade_page": {BUREAU},
    "grading.regrade_status": {BUREAU},
    "grading.public_grades": EVERYONE,
    "grading.public_download": EVERYONE,
    "grading.public_data_about": EVERYONE,
    "grading.publicity_list": EVERYONE,
    "grading.publicity": EVERYONE,
}


def world(make, db, users, own, other) -> dict:
    """An application and a record in 公示 (with an objection) of the staff's own institution,
    and a re-grade job."""
    from datetime import date, timedelta

    from inspect_app.core import jobs
    from inspect_app.core.types import utcnow
    from inspect_app.grading.models import GradeObjection
    from tests.grading.conftest import GradingMaker

    own.filed_on = date(2015, 1, 1)
    maker = GradingMaker(db, make)
    application = maker.application(own, state="submitted")
    record = maker.publicised(own, today=date.today() - timedelta(days=1))
    objection = GradeObjection(record_id=record.id, lodged_at=utcnow(), name="张三", contact="138",
                               text="评定结果与实际不符。", sender_hash="x" * 64, state="open")
    db.session.add(objection)
    job = jobs.enqueue("grading.regrade", {})
    db.session.flush()
    return {"grade_application_id": application.id, "grade_record_id": record.id,
            "grade_objection_id": objection.id, "job_id": job.id, "fmt": "csv"}
