"""Job handlers of the planning feature: name → function(job) run by tasks.jobs (idempotent)."""
from __future__ import annotations

from typing import Callable


def advance_run(job) -> dict:
    """Take the due steps of one run right after the seed is entered (the sweep would too)."""
    from .runs import advance_or_record
    steps, ok = advance_or_record(int(job.payload["run_id"]))
    return {"steps": steps} if ok else {"steps": 0, "failed": "recorded on the run; the sweep retries"}


HANDLERS: dict[str, Callable] = {"planning.advance_run": advance_run}
