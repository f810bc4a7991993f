"""Job handlers of the grading feature: name → function(job) run by tasks.jobs (idempotent)."""
from __future__ import annotations

from typing import Callable

from ..extensions import db


def record_evaluation(job) -> dict:
    """A grading inspection was submitted from the tablet: attach its result to the
    application as an evaluated grade record (the same inspection twice gives one record)."""
    from ..inspections.models import Inspection
    from .records import record_evaluation as record

    inspection = db.session.get(Inspection, int(job.payload["inspection_id"]))
    if inspection is None:
        return {"skipped": "no such inspection"}
    return {"record_id": record(inspection, None).id}


def regrade(job) -> dict:
    from .regrade import run
    return run(job)


HANDLERS: dict[str, Callable] = {
    "grading.record_evaluation": record_evaluation,
    "grading.regrade": regrade,
}
