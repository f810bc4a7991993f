"""The complaints sweep: missed time limits (acceptance, handling, follow-up call), each once."""
from celery import shared_task

from inspect_app.complaints import sweep
from inspect_app.extensions import db


@shared_task(name="tasks.complaints.sweep_time_limits")
def sweep_time_limits() -> dict:
    """Idempotent: a second run finds every passed limit already marked."""
    marked = sweep.sweep()
    db.session.commit()
    return {event: len(ids) for event, ids in marked.items()}
