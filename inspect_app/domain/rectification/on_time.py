"""The on-time rectification rate (按时整改率): one rule for the dashboards, the public pages,
the standings and the league tables (docs/supervision-index.md, "On-time rectification rate").
Its SQL twin is ``inspect_app/rectification/on_time.py``; a test checks that both give the same
answer on the same findings."""
from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from .states import CLOSED, CONTESTED, WITHDRAWN

ON_TIME, LATE = "on_time", "late"


def verdict(state: str, deadline_at: datetime, closed_at: datetime | None,
            now: datetime) -> str | None:
    """Whether a finding counts as rectified on time. ``deadline_at`` is the deadline in force
    (after an approved extension): the first instant the finding is overdue, so a finding
    closed before it was closed on or before the deadline's last day.

    * closed (销号) before ``deadline_at`` → ``on_time``; closed at or after it → ``late``;
    * not closed and ``now`` at or past ``deadline_at`` → ``late``;
    * not closed and not yet due, withdrawn (the reply was upheld), or contested (the clock
      stands still while the reply is decided) → None (not counted).
    """
    if state == WITHDRAWN:
        return None
    if state == CLOSED:
        if closed_at is None:
            return None
        return ON_TIME if closed_at < deadline_at else LATE
    if state == CONTESTED:
        return None
    return LATE if now >= deadline_at else None


def rate(on_time: int, late: int) -> Fraction | None:
    """on time / (on time + late); None when nothing is counted (shown as —, never 0 or 100)."""
    counted = on_time + late
    return Fraction(on_time, counted) if counted else None
