"""The on-time rectification rule (domain/rectification/on_time.py) and its SQL twin
(rectification/on_time.py) on one table of hand-made findings: each verdict as written by hand,
and the same from both."""
from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest
from sqlalchemy import select

from inspect_app.domain.rectification.on_time import LATE, ON_TIME, rate, verdict
from inspect_app.rectification import on_time as sql
from inspect_app.rectification.models import Finding

from .conftest import T0

NOW = T0
DUE = T0              # the deadline in force: the first instant overdue

#: (state, deadline in force, closed at, verdict by hand)
CASES = [
    ("closed", DUE, DUE - timedelta(seconds=1), ON_TIME),          # on the deadline's last day
    ("closed", DUE, DUE - timedelta(days=3), ON_TIME),
    ("closed", DUE, DUE, LATE),                                     # the first instant overdue
    ("closed", DUE - timedelta(days=3), DUE, LATE),
    ("closed", DUE + timedelta(days=5), DUE + timedelta(days=1), ON_TIME),  # after an extension
    ("open", DUE - timedelta(seconds=1), None, LATE),              # open past its deadline
    ("open", DUE, None, LATE),
    ("open", DUE + timedelta(days=2), None, None),                 # not yet due: not counted
    ("reopened", DUE, None, LATE),
    ("reopened", DUE + timedelta(days=1), None, None),
    ("responded", DUE - timedelta(days=1), None, LATE),            # answered, not yet verified
    ("responded", DUE + timedelta(days=1), None, None),
    ("contested", DUE - timedelta(days=5), None, None),            # the clock stands still
    ("withdrawn", DUE - timedelta(days=5), DUE, None),             # the reply was upheld
]


@pytest.mark.parametrize("state, deadline, closed, expected", CASES)
def test_the_rule_by_hand(state, deadline, closed, expected):
    assert verdict(state, deadline, closed, NOW) == expected


def test_the_sql_twin_gives_the_same_verdicts(rect, db):
    inspection = rect.submitted_inspection(failed=())
    made = []
    for n, (state, deadline, closed, _) in enumerate(CASES):
        f = Finding(inspection_id=inspection.id, visit_id=inspection.visit_id,
                    institution_id=inspection.visit.institution_id, department=inspection.department,
                    checklist_id="fire-safety", checklist_version="1", item_id=f"T-{n}", item_text="问题",
                    severity="minor", deadline_days=10, original_deadline_at=deadline, deadline_at=deadline,
                    state=state, policy_version="t", created_at=NOW - timedelta(days=20), closed_at=closed)
        db.session.add(f)
        made.append(f)
    db.session.flush()
    ids = [f.id for f in made]
    got = dict(db.session.execute(select(Finding.id, sql.verdict(NOW)).where(Finding.id.in_(ids))).all())
    assert [got[f.id] for f in made] == [expected for *_, expected in CASES]
    on_time, late = db.session.execute(select(db.func.sum(sql.counts_on_time(NOW)), db.func.sum(sql.counts_late(NOW)))
                                       .where(Finding.id.in_(ids))).one()
    assert (on_time, late) == (3, 6)


def test_the_rate():
    assert rate(3, 6) == Fraction(1, 3)
    assert rate(0, 2) == 0
    assert rate(2, 0) == 1
    assert rate(0, 0) is None            # nothing counted: no rate (shown as —)
