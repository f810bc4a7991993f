"""The deadline rules as SQL, for set-based counts and filters: the on-time rule, twin of
:func:`inspect_app.domain.rectification.on_time.verdict` (docs/supervision-index.md,
"On-time rectification rate"; a test checks that both give the same answers on the same
findings), and "overdue now", twin of :func:`inspect_app.rectification.findings.is_overdue`."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, literal, null

from ..core.types import UTCDateTime
from ..domain.rectification.on_time import LATE, ON_TIME
from ..domain.rectification.states import ACTIVE, CLOSED, CONTESTED, WITHDRAWN
from .models import Finding


def verdict(now: datetime, finding=Finding):
    """A CASE giving 'on_time', 'late' or NULL for each finding row."""
    at = literal(now, UTCDateTime)
    return case(
        (finding.state == WITHDRAWN, null()),
        (finding.state == CLOSED,
         case((finding.closed_at.is_(None), null()),
              (finding.closed_at < finding.deadline_at, literal(ON_TIME)),
              else_=literal(LATE))),
        (finding.state == CONTESTED, null()),
        (finding.deadline_at <= at, literal(LATE)),
        else_=null())


def counts_on_time(now: datetime, finding=Finding):
    """1 for a finding on time, else 0 (to SUM)."""
    return case((verdict(now, finding) == ON_TIME, 1), else_=0)


def counts_late(now: datetime, finding=Finding):
    """1 for a late finding, else 0 (to SUM)."""
    return case((verdict(now, finding) == LATE, 1), else_=0)


def overdue_at(now: datetime, finding=Finding):
    """Overdue now: open or reopened (a deadline runs) and past the deadline in force."""
    return and_(finding.state.in_(ACTIVE), finding.deadline_at <= now)
