"""The escalation ladder's arithmetic (docs/regulations.md, "Rectification deadlines and the
escalation ladder"), as tables of cases computed by hand.

The ladder of these tables is the product's default: two reminders before the deadline
(−3 d, −1 d) and three escalations from it (day 0 overdue, day 7 interview, day 30 bureau).
Steps are indices into it; the level counts the escalations done.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from inspect_app.domain.rectification.ladder import (ESCALATION, REMINDER, Policy, Rung, advance,
                                                     deadline_at, local_day, rewind, schedule)

R3, R1, OVERDUE, INTERVIEW, BUREAU, PAST_THE_END = range(6)
POLICY = Policy(
    version="table", deadline_days={"critical": 3, "major": 10, "minor": 30},
    ladder=(Rung("reminder_3d", REMINDER, -3, ("institution",)),
            Rung("reminder_1d", REMINDER, -1, ("institution",)),
            Rung("overdue", ESCALATION, 0, ("institution", "department")),
            Rung("interview", ESCALATION, 7, ("institution", "department"), record_minutes=True),
            Rung("bureau", ESCALATION, 30, ("institution", "department", "bureau"), credit_record=True)),
    reply_window_days=5, extension_max_count=1, extension_max_ratio=1.0,
    reinspection_severities=("critical",), suspend_on_open_veto=True,
    suspend_on_overdue_severities=("critical",))
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc
# The end of local day 2026-03-10 in Shanghai (00:00 on the 11th, +08:00).
D = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize("step, level, expected", [
    (R3, 0, (R1, 0)),                     # a reminder leaves the level alone
    (R1, 0, (OVERDUE, 0)),
    (OVERDUE, 0, (INTERVIEW, 1)),         # an escalation raises the level to its ordinal + 1
    (INTERVIEW, 1, (BUREAU, 2)),
    (BUREAU, 2, (PAST_THE_END, 3)),       # the last rung: nothing more to do
    (R3, 2, (R1, 2)),                     # reminders of a new deadline still come ...
    (R1, 1, (INTERVIEW, 1)),              # ... then the escalations not yet done:
    (R1, 2, (BUREAU, 2)),                 #     overdue (and the interview) are not repeated
    (R1, 3, (PAST_THE_END, 3)),           # every escalation done: only the reminders were left
])
def test_advance(step, level, expected):
    assert advance(POLICY, step, level) == expected


@pytest.mark.parametrize("level, now, expected", [
    (0, D - 5 * DAY, R3),                 # both reminders still ahead
    (0, D - 3 * DAY - SECOND, R3),
    (0, D - 3 * DAY, R1),                 # the −3 d reminder is due now: past, never sent late
    (0, D - 2 * DAY, R1),
    (0, D - DAY, OVERDUE),                # both reminders past: the first escalation
    (0, D + 40 * DAY, OVERDUE),           # an escalation is never skipped for lateness
    (1, D - 5 * DAY, R3),                 # a new deadline after the overdue notice: reminders again
    (1, D - DAY - SECOND, R1),
    (1, D - DAY + SECOND, INTERVIEW),
    (1, D + DAY, INTERVIEW),              # the overdue notice is not repeated
    (2, D - 2 * DAY, R1),
    (2, D + DAY, BUREAU),
    (3, D - 5 * DAY, R3),
    (3, D + DAY, PAST_THE_END),           # everything done
])
def test_rewind(level, now, expected):
    assert rewind(POLICY, level, D, now) == expected


@pytest.mark.parametrize("level, now, expected", [
    (0, None, [("reminder_3d", D - 3 * DAY), ("reminder_1d", D - DAY), ("overdue", D),
               ("interview", D + 7 * DAY), ("bureau", D + 30 * DAY)]),
    (1, None, [("reminder_3d", D - 3 * DAY), ("reminder_1d", D - DAY),
               ("interview", D + 7 * DAY), ("bureau", D + 30 * DAY)]),
    (0, D - 2 * DAY, [("reminder_1d", D - DAY), ("overdue", D), ("interview", D + 7 * DAY),
                      ("bureau", D + 30 * DAY)]),
    (1, D - 2 * DAY, [("reminder_1d", D - DAY), ("interview", D + 7 * DAY), ("bureau", D + 30 * DAY)]),
    (2, D + DAY, [("bureau", D + 30 * DAY)]),
    (3, D - 5 * DAY, [("reminder_3d", D - 3 * DAY), ("reminder_1d", D - DAY)]),
    (3, D + DAY, []),
])
def test_schedule(level, now, expected):
    assert schedule(POLICY, D, level, now) == expected


@pytest.mark.parametrize("issued, days, tz, expected", [
    # Shanghai (+08:00, no daylight saving): due by the end of local day D + days
    (datetime(2026, 3, 1, 2, 0, tzinfo=UTC), 3, SHANGHAI, datetime(2026, 3, 4, 16, 0, tzinfo=UTC)),
    (datetime(2026, 3, 1, 15, 59, tzinfo=UTC), 3, SHANGHAI, datetime(2026, 3, 4, 16, 0, tzinfo=UTC)),
    (datetime(2026, 3, 1, 16, 0, tzinfo=UTC), 3, SHANGHAI, datetime(2026, 3, 5, 16, 0, tzinfo=UTC)),
    (datetime(2026, 3, 1, 2, 0, tzinfo=UTC), 0, SHANGHAI, datetime(2026, 3, 1, 16, 0, tzinfo=UTC)),
    (datetime(2026, 12, 30, 4, 0, tzinfo=UTC), 10, SHANGHAI, datetime(2027, 1, 9, 16, 0, tzinfo=UTC)),
    (datetime(2028, 2, 27, 4, 0, tzinfo=UTC), 2, SHANGHAI, datetime(2028, 2, 29, 16, 0, tzinfo=UTC)),
    # an issue time in another offset names the same instant
    (datetime(2026, 3, 1, 23, 59, tzinfo=SHANGHAI), 1, SHANGHAI, datetime(2026, 3, 2, 16, 0, tzinfo=UTC)),
    # Berlin: the day ends at local midnight, +01:00 before 29 March 2026 and +02:00 from it
    (datetime(2026, 3, 27, 10, 0, tzinfo=UTC), 1, BERLIN, datetime(2026, 3, 28, 23, 0, tzinfo=UTC)),
    (datetime(2026, 3, 28, 10, 0, tzinfo=UTC), 1, BERLIN, datetime(2026, 3, 29, 22, 0, tzinfo=UTC)),
])
def test_deadline_at(issued, days, tz, expected):
    due = deadline_at(issued, days, tz)
    assert due == expected and due.tzinfo == UTC
    assert local_day(due, tz) == issued.astimezone(tz).date() + timedelta(days=days)
