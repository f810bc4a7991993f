"""The measures as SQL, for set-based queries: each mirrors one pure rule of
:mod:`inspect_app.domain.ranking` (docs/supervision-index.md), and the tests check that both
give the same answers on the same findings."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, literal, null

from ..core.types import UTCDateTime
from ..domain import ranking as rules
from ..rectification.models import Finding

#: Institutions that are ranked: those operating, and those suspended (still supervised).
RANKED_STATUSES = ("operating", "suspended")

UNRESOLVED = ("open", "responded", "contested", "reopened")


def timeliness(now: datetime, finding=Finding):
    """:func:`inspect_app.domain.ranking.timeliness` as a CASE: 'on_time', 'late' or NULL."""
    at = literal(now, UTCDateTime)
    return case(
        (finding.state == rules.WITHDRAWN, null()),
        (finding.state == rules.CLOSED,
         case((finding.closed_at.is_(None), null()),
              (finding.closed_at < finding.deadline_at, literal(rules.ON_TIME)),
              else_=literal(rules.LATE))),
        (finding.state == rules.CONTESTED, null()),
        (finding.deadline_at <= at, literal(rules.LATE)),
        else_=null())


def counts_on_time(now: datetime, finding=Finding):
    return case((timeliness(now, finding) == rules.ON_TIME, 1), else_=0)


def counts_late(now: datetime, finding=Finding):
    return case((timeliness(now, finding) == rules.LATE, 1), else_=0)


def overdue_now(now: datetime, finding=Finding):
    """Unresolved and past the deadline in force (contested findings stand still)."""
    at = literal(now, UTCDateTime)
    return case((and_(finding.state.in_(("open", "reopened", "responded")), finding.deadline_at <= at), 1),
                else_=0)
