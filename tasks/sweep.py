from celery import shared_task

from inspect_app.core import jobs as job_rows

from .handlers import HANDLERS


@shared_task(name="tasks.sweep.jobs")
def jobs() -> int:
    """Find the work a lost message would have started."""
    return job_rows.sweep(HANDLERS)
