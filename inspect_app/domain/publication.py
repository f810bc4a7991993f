"""Publishing inspection results (一公开) and the figures the dashboards count
(docs/regulations.md, "Publication of inspection results"; docs/open-data.md).

Pure rules, no database:

* the publication policy (``policies/publication.yaml``): how many working days after an
  inspection is submitted its public summary appears at the latest;
* :func:`publication_day` — the local day a summary becomes public; the working days are
  counted by the one function that counts them (``grade_lifecycle.add_days``);
* :func:`ageing_band` — how long an unresolved finding has been open.

The on-time rectification rate the dashboards and public pages show is the one rule of
:mod:`inspect_app.domain.rectification.on_time`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

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


# ----------------------------------------------------------------------------- ageing

#: Bands of days since a finding was issued: (code, first day, last day or None).
AGEING_BANDS = (("0-7", 0, 7), ("8-30", 8, 30), ("31-90", 31, 90), ("91+", 91, None))


def ageing_band(days_open: int) -> str:
    for code, first, last in AGEING_BANDS:
        if days_open >= first and (last is None or days_open <= last):
            return code
    return AGEING_BANDS[0][0]          # a negative age (clock skew) counts as new
