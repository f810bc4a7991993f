"""The care-medical agreements' periodic sweep: expiry reminders and the registry's fields."""
from celery import shared_task

from inspect_app.agreements import sweep
from inspect_app.core.types import local_today
from inspect_app.extensions import db


@shared_task(name="tasks.agreements.sweep_agreements")
def sweep_agreements() -> dict:
    """Idempotent: a second run the same day finds nothing left to do."""
    result = sweep.sweep(local_today())
    db.session.commit()
    return result
