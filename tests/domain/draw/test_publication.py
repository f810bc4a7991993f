"""When a draw's targets may be shown: after their visit, or once the period is over; never before."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from inspect_app.domain.draw.publication import latest_publication, publication_due, target_public

END = date(2026, 12, 31)                                          # the period's last day
OVER = datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)         # 2027-01-01 00:00 in Shanghai
DRAWN = datetime(2026, 10, 12, 2, 0, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)


def test_a_target_is_shown_after_its_visit_or_once_the_period_is_over():
    assert not target_public(False, END, OVER - MINUTE)
    assert target_public(True, END, DRAWN)
    assert target_public(False, END, OVER)


def test_everything_is_published_when_every_visit_is_recorded_or_the_period_is_over():
    visits = [DRAWN + timedelta(days=3), DRAWN + timedelta(days=9)]
    assert not publication_due(DRAWN + timedelta(days=20), DRAWN, END, [visits[0], None], 0)
    assert publication_due(OVER, DRAWN, END, [visits[0], None], 0)
    assert not publication_due(visits[1] - MINUTE, DRAWN, END, visits, 0)
    assert publication_due(visits[1], DRAWN, END, visits, 0)
    assert publication_due(DRAWN, DRAWN, END, [], 0)                 # nothing drawn, nothing to keep back


def test_the_plans_delay_only_ever_postpones():
    visits = [DRAWN + timedelta(days=3)]
    assert not publication_due(visits[0] + timedelta(days=7) - MINUTE, DRAWN, END, visits, 7)
    assert publication_due(visits[0] + timedelta(days=7), DRAWN, END, visits, 7)
    assert latest_publication(END, 7) == OVER + timedelta(days=7)
    assert not publication_due(OVER, DRAWN, END, [None], 7)
    assert publication_due(OVER + timedelta(days=7), DRAWN, END, [None], 7)
