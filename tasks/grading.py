"""Grading's periodic sweep: close 公示 periods that ended and lapse expired grades."""
from celery import shared_task

from inspect_app.extensions import db
from inspect_app.grading import records


@shared_task(name="tasks.grading.sweep_grades")
def sweep_grades() -> dict:
    """Idempotent: a second run the same day finds nothing left to do."""
    result = records.sweep_grades(records.local_today())
    db.session.commit()
    return result
