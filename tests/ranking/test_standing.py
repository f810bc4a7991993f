"""The standings computed from rows: the index's SQL tallies against the hand-computed value,
the rate, the bands and the refresh."""
from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction as F

from sqlalchemy import select

from inspect_app.ranking import standing
from inspect_app.ranking.models import Standing

from .conftest import NOW


def test_index_from_rows_matches_the_hand_computed_value(world, make, db):
    inst = make.institution(name="甲养老院")
    # Cycle 1 (older): one minor alone, its fix rejected twice.
    old = world.visit(inst, date(2026, 1, 10))
    world.finding(old, "minor", "closed", closed=NOW - timedelta(days=100), rejections=2,
                  deadline=NOW - timedelta(days=90))
    # A follow-up visit between them is not a cycle; a withdrawn finding does not count.
    follow = world.visit(inst, date(2026, 2, 1), purpose="follow_up")
    world.finding(follow, "critical")
    # Cycle 0 (most recent): one critical alone, two majors (a pattern), one of them overdue.
    recent = world.visit(inst, date(2026, 5, 20))
    world.finding(recent, "critical", "closed", deadline=NOW, closed=NOW - timedelta(days=20))
    world.finding(recent, "major", "closed", deadline=NOW, closed=NOW - timedelta(days=20))
    world.finding(recent, "major", "open", deadline=NOW - timedelta(days=1))
    world.finding(recent, "major", "withdrawn", closed=NOW - timedelta(days=20))
    figures = standing.compute(NOW)[inst.id]
    assert figures.cycles == 2
    assert figures.index.value == F(8522, 100)
    # The rate counts every finding of the last year: on time the old minor (closed before its
    # deadline), the recent critical and a major; late the open major and the follow-up's
    # critical, both past their deadlines; the withdrawn one is not counted.
    assert (figures.on_time, figures.late) == (3, 2)
    assert figures.rate == F(3, 5)
    assert figures.open_findings == 2          # the open major and the follow-up's critical


def test_no_counted_finding_means_no_rate(world, make, db):
    inst = make.institution()
    part = world.visit(inst, date(2026, 6, 10))
    world.finding(part, "minor", "open", deadline=NOW + timedelta(days=5))
    figures = standing.compute(NOW)[inst.id]
    assert figures.rate is None and figures.index.value == 4
    never = make.institution()
    assert standing.compute(NOW)[never.id].index.value is None


def test_refresh_stores_the_period_and_replaces_it(world, make, db):
    a, b, c = (make.institution(district="东区") for _ in range(3))
    for inst, severity in ((a, "minor"), (b, "critical")):
        world.finding(world.visit(inst, date(2026, 6, 1)), severity, "open", deadline=NOW + timedelta(days=9))
    world.visit(c, date(2026, 6, 1))
    world.grade(a, 3, 600)
    assert standing.refresh(NOW) >= 3
    rows = {s.institution_id: s for s in db.session.scalars(select(Standing).where(Standing.period == "2026-06"))}
    assert rows[a.id].supervision_index == 4 and rows[b.id].supervision_index == 50
    assert rows[c.id].supervision_index == 0 and rows[c.id].district_band == "A"
    assert rows[b.id].district_band == "D"                  # 2 of 3 better: 66.7 % → D (< 80)
    assert rows[a.id].level == 3 and float(rows[a.id].grade_total) == 600
    assert rows[a.id].index_parts["cycles"][0]["base"] == "4.0000"
    assert rows[a.id].on_time_rate is None and rows[a.id].open_findings == 1
    standing.refresh(NOW + timedelta(hours=1))
    assert db.session.scalar(select(Standing.computed_at).where(Standing.institution_id == a.id)) == NOW + timedelta(hours=1)


def test_indexes_summed_in_the_database_are_the_indexes_scored_from_tallies(world, make, db):
    """The what-if's indexes (points summed per institution and cycle in SQL) equal the
    standings' (tallies scored in Python), under the policy in force and under other weights,
    grid points and extras, with the same district bands."""
    from inspect_app.ranking import policy as policies

    a, b = make.institution(name="甲", district="东城区"), make.institution(name="乙", district="东城区")
    c = make.institution(name="丙", district="西城区")
    make.institution(name="丁", district="西城区")                     # never inspected: no index
    for day in (date(2025, 6, 1), date(2025, 12, 1), date(2026, 3, 1), date(2026, 5, 20)):
        part = world.visit(a, day)
        world.finding(part, "critical", "closed", closed=NOW - timedelta(days=100), rejections=3,
                      deadline=NOW - timedelta(days=90))
        for _ in range(4):                                          # a widespread major
            world.finding(part, "major", "open", deadline=NOW - timedelta(days=1))
    part = world.visit(b, date(2026, 4, 2))
    world.finding(part, "minor", "open", deadline=NOW + timedelta(days=3), rejections=1)
    world.finding(part, "minor", "closed", deadline=NOW, closed=NOW - timedelta(days=2), rejections=2)
    world.visit(c, date(2026, 5, 1))                                  # a clean inspection
    in_force = policies.current()
    other = in_force.with_changes(
        grid={s: {scope: v * 3 + 1 for scope, v in row.items()} for s, row in in_force.grid.items()},
        repeat_extra=(F(1, 7), F(2, 3), F(5, 2)), overdue_extra=F(3, 11),
        cycle_weights=(F(3, 5), F(1, 4), F(3, 20)), version="other")
    summed = standing.indexes(NOW, [in_force, other])
    for policy, got in zip((in_force, other), summed):
        expected = standing.score(standing.gather(NOW, len(policy.cycle_weights)), policy, parts=False)
        assert {k: (f.index.value, f.band, f.percentile) for k, f in got.items()} == \
            {k: (f.index.value, f.band, f.percentile) for k, f in expected.items()}
    assert summed[0][a.id].index.value > summed[0][b.id].index.value > 0
    assert summed[0][c.id].index.value == 0


def test_points_too_large_for_the_database_are_scored_in_python(world, make, db):
    from inspect_app.ranking import policy as policies

    a = make.institution(name="甲", district="东城区")
    part = world.visit(a, date(2026, 5, 20))
    world.finding(part, "critical", "open", deadline=NOW - timedelta(days=1), rejections=2)
    in_force = policies.current()
    huge = in_force.with_changes(grid={s: {scope: F(10**19) for scope in row} for s, row in in_force.grid.items()},
                                 version="huge")
    assert standing.SQL_POINTS_LIMIT < __import__("inspect_app.domain.ranking", fromlist=["Scorer"]).Scorer(huge).largest_points
    got = standing.indexes(NOW, [in_force, huge])
    expected = [standing.score(standing.gather(NOW, 3), p, parts=False) for p in (in_force, huge)]
    assert [{k: f.index.value for k, f in g.items()} for g in got] == \
        [{k: f.index.value for k, f in e.items()} for e in expected]
    assert got[1][a.id].index.value > 10**19
