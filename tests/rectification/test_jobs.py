"""The job handler and the beat task, called directly (never eager Celery)."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from inspect_app.core import jobs
from inspect_app.rectification.jobs import HANDLERS
from inspect_app.rectification.models import Finding, FindingEvent, RectificationNotice

from .conftest import T0


def test_open_findings_job_runs_once_even_when_delivered_twice(db, rect):
    inspection = rect.submitted_inspection(submitted_at=T0)
    job = jobs.enqueue("rectification.open_findings", {"inspection_id": inspection.id},
                       key=f"open_findings:{inspection.id}")
    assert jobs.run_job(job.id, HANDLERS) == jobs.DONE
    again = jobs.enqueue("rectification.open_findings", {"inspection_id": inspection.id},
                         key=f"open_findings-retry:{inspection.id}")
    assert jobs.run_job(again.id, HANDLERS) == jobs.DONE
    assert db.session.scalar(select(func.count()).select_from(RectificationNotice)
                             .where(RectificationNotice.inspection_id == inspection.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(Finding)
                             .where(Finding.inspection_id == inspection.id)) == 2
    assert db.session.get(jobs.Job, job.id).result["findings"] == 2


def test_beat_task_sweeps_and_the_same_tick_twice_does_nothing_more(db, rect):
    from tasks.rectification import sweep_deadlines
    _, found = rect.findings(now=T0, failed=("FIRE-03",))
    f = found["FIRE-03"]
    with time_machine.travel(f.deadline_at + timedelta(minutes=1), tick=False):
        assert sweep_deadlines() == 1          # the overdue notice (late reminders skipped)
        assert sweep_deadlines() == 0
    steps = list(db.session.scalars(select(FindingEvent.step).where(FindingEvent.finding_id == f.id,
                                                                    FindingEvent.step.is_not(None))))
    assert steps == ["overdue"]
