from celery import shared_task

from inspect_app.core import jobs

from .handlers import HANDLERS


@shared_task(name="tasks.jobs.run_job", acks_late=True)
def run_job(job_id: int) -> str:
    """Wake-up for one job row; a duplicate or late message is a harmless no-op."""
    return jobs.run_job(job_id, HANDLERS)
