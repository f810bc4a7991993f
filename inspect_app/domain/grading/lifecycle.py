"""The life of a grade record and of a grading application: states, transitions, dates.

A grade record (等级评定结果) moves through its machine :data:`RECORD` (:mod:`.machine`'s shape)::

    evaluated ──publish──▶ publicised ──end_publicity──▶ publicity_ended ──confirm──▶ confirmed
        │                      │                              │                      │
        └──reject──▶ rejected ◀┴──reject──────────────────────┘      supersede / lapse / revoke
                                                                                     ▼
                                                               superseded | lapsed | revoked

Only ``confirmed`` records give an institution a grade, and only while
``effective_on ≤ today < expires_on``. A grade never changes silently: a newer confirmed
record *supersedes* the old one, an expired one *lapses*, the bureau may *revoke* one
(dynamic management), each as a transition with its history row.

Dates: the 公示 lasts ``publicity_days`` working or calendar days from its start (the end
date is the last day of the notice, inclusive); a grade is valid for ``validity_years`` from
its effective date and lapses on its expiry date. Pure: no clock, ``today`` is an argument.
"""
from __future__ import annotations

from datetime import date, timedelta

from ..machine import Machine
from ..translatable import N_
from ..workdays import WEEKDAYS_ONLY, WorkCalendar

# Record states
EVALUATED = "evaluated"
PUBLICISED = "publicised"
PUBLICITY_ENDED = "publicity_ended"
CONFIRMED = "confirmed"
REJECTED = "rejected"
SUPERSEDED = "superseded"
LAPSED = "lapsed"
REVOKED = "revoked"
RECORD_STATES = (EVALUATED, PUBLICISED, PUBLICITY_ENDED, CONFIRMED, REJECTED, SUPERSEDED,
                 LAPSED, REVOKED)
OPEN_STATES = (EVALUATED, PUBLICISED, PUBLICITY_ENDED)        # still being decided
HELD_STATES = (CONFIRMED, SUPERSEDED, LAPSED, REVOKED)        # the institution held the grade

#: The grade record's machine: (from state, event, to state). The only way its state changes.
RECORD = Machine.of("grade_record", [
    (EVALUATED, "publish", PUBLICISED),
    (EVALUATED, "reject", REJECTED),
    (PUBLICISED, "end_publicity", PUBLICITY_ENDED),
    (PUBLICISED, "reject", REJECTED),
    (PUBLICITY_ENDED, "confirm", CONFIRMED),
    (PUBLICITY_ENDED, "reject", REJECTED),
    (CONFIRMED, "supersede", SUPERSEDED),
    (CONFIRMED, "lapse", LAPSED),
    (CONFIRMED, "revoke", REVOKED),
], refusal=N_("This grade record is %(state)s; it cannot be changed that way now."),
   changed=N_("The grade record changed meanwhile; reload and try again."))

# Application states
SUBMITTED = "submitted"
ACCEPTED = "accepted"
DECLINED = "declined"
WITHDRAWN = "withdrawn"
APPLICATION_EVALUATED = "evaluated"
APPLICATION_STATES = (SUBMITTED, ACCEPTED, DECLINED, WITHDRAWN, APPLICATION_EVALUATED)
APPLICATION_OPEN = (SUBMITTED, ACCEPTED)

#: The grading application's machine.
APPLICATION = Machine.of("grade_application", [
    (SUBMITTED, "accept", ACCEPTED),
    (SUBMITTED, "decline", DECLINED),
    (SUBMITTED, "withdraw", WITHDRAWN),
    (ACCEPTED, "withdraw", WITHDRAWN),
    (ACCEPTED, "decline", DECLINED),
    (SUBMITTED, "evaluate", APPLICATION_EVALUATED),
    (ACCEPTED, "evaluate", APPLICATION_EVALUATED),
], refusal=N_("This application is %(state)s; it cannot be changed that way now."),
   changed=N_("The application changed meanwhile; reload and try again."))


# Dates --------------------------------------------------------------------------------------

def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_days(start: date, days: int, kind: str, calendar: WorkCalendar = WEEKDAYS_ONLY) -> date:
    """``days`` days after ``start``: calendar days, or working days of ``calendar`` (the
    holiday notices; docs/regulations.md, "Working days and public holidays")."""
    if kind == "calendar":
        return start + timedelta(days=days)
    if kind != "working":
        raise ValueError(f"unknown kind of day {kind!r}")
    return calendar.add(start, days).day


def publicity_end(start: date, days: int, kind: str, calendar: WorkCalendar = WEEKDAYS_ONLY) -> date:
    """The last day of a 公示 of ``days`` (working or calendar) days starting on ``start``.

    The start counts as the first day when it is a day of that kind; a 公示 started on a
    Saturday, or on a public holiday, with working days begins on the next working day."""
    if kind == "working":
        return calendar.last_of(start, days).day
    return add_days(start, days - 1, kind)


def publicity_over(end: date, today: date) -> bool:
    """The notice has run its full course (today is after its last day)."""
    return today > end


def expiry(effective_on: date, validity_years: int) -> date:
    """The day the grade lapses: ``validity_years`` after it took effect."""
    return add_years(effective_on, validity_years)


def is_current(state: str, effective_on: date | None, expires_on: date | None, today: date) -> bool:
    """A record gives the institution its grade today."""
    return (state == CONFIRMED and effective_on is not None and expires_on is not None
            and effective_on <= today < expires_on)


def is_expired(state: str, expires_on: date | None, today: date) -> bool:
    """A confirmed grade whose validity has run out (the sweep lapses it)."""
    return state == CONFIRMED and expires_on is not None and today >= expires_on

