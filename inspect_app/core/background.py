"""Celery bound to the Flask app as Flask's docs show: every task runs in an app context.

The Celery app is built on first use, so commands that never touch the queue (``grade``,
``draw``, ``checklist validate``) start without importing Celery.
"""
from __future__ import annotations

from flask import Flask

from .jobs import celery_waker


def celery_init_app(app: Flask):
    from celery import Celery, Task

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def get_celery(app: Flask):
    return app.extensions.get("celery") or celery_init_app(app)


def init_app(app: Flask) -> None:
    """Wake-ups for job rows go to the broker after commit (see :mod:`.jobs`)."""
    if "job_waker" in app.extensions:
        return

    def wake(job_id: int) -> None:
        celery_waker(get_celery(app))(job_id)

    app.extensions["job_waker"] = wake
    _ensure_broker_folders(app)


def _ensure_broker_folders(app: Flask) -> None:
    from pathlib import Path
    opts = app.config["CELERY"].get("broker_transport_options") or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if key in opts:
            Path(opts[key]).mkdir(parents=True, exist_ok=True)
