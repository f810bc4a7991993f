"""A small hand-counted world for the overview tests.

2026-03-02 10:00 Beijing time (T0, a Monday). Fire inspections:

* A (东城区), submitted at T0: FIRE-01 (critical, due by the end of 03-05) closed at T0 + 1 day
  → on time; FIRE-03 (major, due by the end of 03-12) still open → late from 03-13.
* B (西城区), submitted at T0: FIRE-03 closed at T0 + 12 days (03-14) → late.
* B, submitted at T0 + 7 days (03-09): FIRE-03 due by the end of 03-19, open.

Seen at NOW = T0 + 14 days (Monday 03-16): 2 unresolved, 1 overdue (not escalated), 1 due
this week (03-16 … 03-22); on time 1, late 2, not counted 1 → rate 1/3.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
NOW = T0 + timedelta(days=14)


@dataclass
class World:
    a: object
    b: object
    a_critical: object
    a_major: object
    b_late: object
    b_open: object
    inspections: list


@pytest.fixture
def world(make, db):
    from tests.rectification.conftest import RectMake
    rect = RectMake(make, db)
    inspector = make.user("inspector", department="fire", name="李检查员", phone="13800001111")
    a = make.institution(name="东城颐养院", district="东城区", contact_phone="010-66668888")
    b = make.institution(name="西城康养中心", district="西城区")
    _, fa = rect.findings(a, failed=("FIRE-01", "FIRE-03"), now=T0, inspectors=(inspector,))
    _, fb = rect.findings(b, failed=("FIRE-03",), now=T0, inspectors=(inspector,))
    _, fc = rect.findings(b, failed=("FIRE-03",), now=T0 + timedelta(days=7), inspectors=(inspector,))
    for finding, closed in ((fa["FIRE-01"], T0 + timedelta(days=1)), (fb["FIRE-03"], T0 + timedelta(days=12))):
        finding.state, finding.closed_at, finding.next_due_at = "closed", closed, None
    db.session.flush()
    inspections = sorted({f.inspection_id for f in (fa["FIRE-01"], fb["FIRE-03"], fc["FIRE-03"])})
    return World(a, b, fa["FIRE-01"], fa["FIRE-03"], fb["FIRE-03"], fc["FIRE-03"], inspections)
