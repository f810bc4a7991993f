"""The complaints sweep: marks each missed time limit (acceptance, handling, follow-up call)
exactly once.

Each step is a conditional ``UPDATE … SET <mark> = :now WHERE state = :state AND <due> < :today
AND <mark> IS NULL RETURNING id``, and its history lines and one audit row are written in the
same transaction: a second sweep (or one running at the same time) finds the condition false,
and a sweep that dies before commit leaves nothing behind. A reopened case, or one whose limit
is extended, has its mark cleared with its new limit, so the new step is marked once again.
The last day of a limit ends at 24:00 local time (``domain.complaints.is_overdue``).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, update

from ..core import audit
from ..core.types import local_today, utcnow
from ..domain.complaints import CASE, SWEEP_STEPS
from ..extensions import db
from .models import ComplaintCase, ComplaintEvent


def sweep(now: datetime | None = None) -> dict[str, list[int]]:
    """Mark the cases whose limit passed before ``now``'s local day; the caller commits.
    Returns the ids marked by each event."""
    now = now or utcnow()
    today = local_today(now)
    marked: dict[str, list[int]] = {}
    for event, state, due_column, mark_column in SWEEP_STEPS:
        move = CASE.next(state, event)
        due, mark = getattr(ComplaintCase, due_column), getattr(ComplaintCase, mark_column)
        ids = list(db.session.scalars(
            update(ComplaintCase)
            .where(ComplaintCase.state == state, due < today, mark.is_(None))
            .values({mark_column: now, "version": ComplaintCase.version + 1})
            .returning(ComplaintCase.id)
            .execution_options(synchronize_session=False)))
        if not ids:
            continue
        ids.sort()
        db.session.execute(insert(ComplaintEvent), [
            {"case_id": i, "at": now, "event": event, "from_state": move.from_state, "to_state": move.to_state,
             "actor_id": None, "note": None, "detail": None} for i in ids])
        audit.record(None, event, "complaint_case", f"sweep:{event}", after={"at": now.isoformat(), "ids": ids})
        marked[event] = ids
    return marked
