"""Planning's beat sweeper: read the plan rows and do what is due (one fixed beat entry)."""
from celery import shared_task

from inspect_app.extensions import db
from inspect_app.planning.runs import run_due_plans


@shared_task(name="tasks.planning.sweep_plans")
def sweep_plans() -> dict:
    """Start due periods' runs and move unfinished runs on; safe to fire twice."""
    summary = run_due_plans()
    db.session.commit()
    return summary
