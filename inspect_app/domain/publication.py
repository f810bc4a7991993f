"""Publishing inspection results (一公开) and the figures the dashboards count
(docs/regulations.md, "Publication of inspection results"; docs/open-data.md).

Pure rules, no database:

* the publication policy (``policies/publication.yaml``): how many working days after an
  inspection is submitted its public summary appears at the latest;
* :func:`publication_day` — the local day a summary becomes public; the working days are
  counted by the one function that counts them (``grade_lifecycle.add_days``);
* :func:`on_time` and :func:`on_time_rate` — the on-time rectification rate;
* :func:`ageing_band` — how long an unresolved finding has been open.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any, Iterable

from .rectification.ladder import PolicyError, PolicyProblem
from .grading.lifecycle import add_days
from .workdays import WEEKDAYS_ONLY, WorkCalendar

# ----------------------------------------------------------------------------- the policy


@dataclass(frozen=True)
class PublicationPolicy:
    version: str
    #: working days (Monday–Friday) from the local day an inspection is submitted to the day
    #: its public summary appears; 0: the same day.
    result_delay_working_days: int = 20


def parse_policy(data: Any, path: str = "publication.yaml") -> PublicationPolicy:
    """The policy from plain data (as YAML delivers it); PolicyError with every problem located."""
    if not isinstance(data, dict):
        raise PolicyError(path, [PolicyProblem("file", "must be a mapping")])
    problems: list[PolicyProblem] = []
    version = data.get("version")
    if not isinstance(version, (str, int, float)) or isinstance(version, bool) or not str(version).strip():
        problems.append(PolicyProblem("version", "is required"))
    results = data.get("inspection_results")
    delay = None
    if not isinstance(results, dict):
        problems.append(PolicyProblem("inspection_results", "must be a mapping"))
    else:
        delay = results.get("delay_working_days")
        if isinstance(delay, bool) or not isinstance(delay, int) or not 0 <= delay <= 60:
            problems.append(PolicyProblem("inspection_results.delay_working_days",
                                          "must be a whole number from 0 to 60"))
        for extra in sorted(set(results) - {"delay_working_days"}):
            problems.append(PolicyProblem(f"inspection_results.{extra}", "is not a setting of this policy"))
    for extra in sorted(set(data) - {"version", "inspection_results"}):
        problems.append(PolicyProblem(str(extra), "is not a setting of this policy"))
    if problems:
        raise PolicyError(path, problems)
    return PublicationPolicy(version=str(version), result_delay_working_days=delay)


def publication_day(submitted_on: date, delay_working_days: int,
                    calendar: WorkCalendar = WEEKDAYS_ONLY) -> date:
    """The local day the public summary of an inspection submitted on ``submitted_on`` appears:
    ``delay_working_days`` working days later (a submission on a Saturday counts from the
    Friday before it, so it appears on the same day as one made on that Friday). Working days
    are those of ``calendar`` (the holiday notices)."""
    return add_days(submitted_on, delay_working_days, "working", calendar)


def is_published(submitted_on: date, delay_working_days: int, today: date,
                 calendar: WorkCalendar = WEEKDAYS_ONLY) -> bool:
    return today >= publication_day(submitted_on, delay_working_days, calendar)


def latest_submission_published(today: date, delay_working_days: int,
                                calendar: WorkCalendar = WEEKDAYS_ONLY) -> date:
    """The last submission day whose summaries are public ``today`` (for a query's bound):
    walking back day by day from today until the rule says "published"."""
    day = today
    while not is_published(day, delay_working_days, today, calendar):
        day = date.fromordinal(day.toordinal() - 1)
    return day


# ----------------------------------------------------------------------------- on time

ON_TIME, LATE = "on_time", "late"


def on_time(deadline_at: datetime, closed_at: datetime | None, now: datetime) -> str | None:
    """Whether a finding was rectified on time, judged against its deadline in force
    (``deadline_at``, the first instant overdue, extensions included):

    * closed before ``deadline_at`` → on time;
    * closed at or after it, or still open at or after it → late;
    * open and not yet due → not counted (None).

    A withdrawn finding is not a finding to rectify: callers leave it out."""
    if closed_at is not None:
        return ON_TIME if closed_at < deadline_at else LATE
    return LATE if now >= deadline_at else None


def rate(on_time_count: int, late_count: int) -> Fraction | None:
    """The on-time rate: on time / (on time + late); None when no finding counts."""
    counted = on_time_count + late_count
    return Fraction(on_time_count, counted) if counted else None


def on_time_rate(findings: Iterable[tuple[datetime, datetime | None]], now: datetime) -> Fraction | None:
    """The on-time rate over ``(deadline_at, closed_at)`` pairs (see :func:`on_time`)."""
    verdicts = [on_time(deadline_at, closed_at, now) for deadline_at, closed_at in findings]
    return rate(verdicts.count(ON_TIME), verdicts.count(LATE))


# ----------------------------------------------------------------------------- ageing

#: Bands of days since a finding was issued: (code, first day, last day or None).
AGEING_BANDS = (("0-7", 0, 7), ("8-30", 8, 30), ("31-90", 31, 90), ("91+", 91, None))


def ageing_band(days_open: int) -> str:
    for code, first, last in AGEING_BANDS:
        if days_open >= first and (last is None or days_open <= last):
            return code
    return AGEING_BANDS[0][0]          # a negative age (clock skew) counts as new
