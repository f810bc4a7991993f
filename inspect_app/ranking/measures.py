"""The measures of the rankings as SQL, for set-based queries (docs/supervision-index.md). The
on-time rule is the one of :mod:`inspect_app.rectification.on_time`."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, literal

from ..core.types import UTCDateTime
from ..domain.rectification.states import OPEN, REOPENED, RESPONDED
from ..rectification.models import Finding

#: Institutions that are ranked: those operating, and those suspended (still supervised).
RANKED_STATUSES = ("operating", "suspended")


def overdue_now(now: datetime, finding=Finding):
    """Unresolved and past the deadline in force (contested findings stand still)."""
    at = literal(now, UTCDateTime)
    return case((and_(finding.state.in_((OPEN, REOPENED, RESPONDED)), finding.deadline_at <= at), 1),
                else_=0)
