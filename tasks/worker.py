"""The Celery entry point: ``celery -A tasks.worker worker`` and ``celery -A tasks.worker beat``.

Builds the Flask app and binds Celery to it (tasks run inside an app context), as Flask's
documentation describes. Only this module builds an app; task modules never do.
"""
from inspect_app import create_app
from inspect_app.core.background import celery_init_app

from . import agreements, complaints, grading, jobs, planning, ranking, rectification, sweep  # noqa: F401  (registers the tasks)
from .schedule import BEAT_SCHEDULE

flask_app = create_app({"POSTGRES_LOCK_TIMEOUT": None})   # a job waits for its rows
celery = celery_init_app(flask_app)
celery.conf.beat_schedule = BEAT_SCHEDULE
celery.conf.include = ["tasks.jobs", "tasks.sweep", "tasks.rectification", "tasks.grading", "tasks.planning",
                        "tasks.ranking", "tasks.complaints", "tasks.agreements"]
