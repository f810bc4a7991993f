"""Recurrence of plans (抽查计划): which period is due now, and the dates of a run's visits.

A plan recurs by one kind of period (django-celery-beat's "exactly one kind of recurrence"):
``daily`` ("2026-11-23"), ``weekly`` (ISO week, "2026-W48"), ``monthly`` ("2026-11"),
``quarterly`` ("2026-Q4") or ``yearly`` ("2026"). A plan produces at most one run per period;
the period key names that run.

:func:`due_period` decides, from the plan's schedule and ``now``, which period (if any) a sweep
should work on. The rule, in order:

1. a plan that is not ``enabled`` is never due;
2. before ``start`` (a date, inclusive) nothing is due; on or after ``expires`` (a date,
   exclusive) nothing is due;
3. the period due is the one holding today's local date;
4. a ``one_off`` plan runs once: once it has a run (``last_period_key``), only that same period
   is due again (so an interrupted run is still finished), never a later one.

A sweep that finds the due period already finished does nothing: running the rule twice, or
twice at once, leads to the same period and so to the same run (the unique key does the rest).
Time is an argument; "local" is the zone passed in (the bureau's, ``bureau.LOCAL_ZONE`` by default).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from ..bureau import DEPARTMENTS, LOCAL_ZONE
from ..machine import Machine
from .risk import RISK_CLASSES
from ..enforcement import TEAM_TOO_SMALL, EnforcementPolicy
from ..translatable import N_
from ..workdays import WEEKDAYS_ONLY, WorkCalendar

PERIODS = ("daily", "weekly", "monthly", "quarterly", "yearly")

# A plan's kind, and a plan run's states (planning.runs describes each).
RANDOM_JOINT, ROUTINE = "random_joint", "routine"
FROZEN, SEEDED, DRAWN, PUBLISHED, INFEASIBLE = "frozen", "seeded", "drawn", "published", "infeasible"
RUN_STATES = (FROZEN, SEEDED, DRAWN, PUBLISHED, INFEASIBLE)

_RUN_REFUSAL = N_("This cannot be done in the run's present state (%(state)s).")
_RUN_CHANGED = N_("Someone else changed this run meanwhile; reload the page.")
#: A random joint run: frozen → seeded (the beacon value) → drawn (visits) → published, or
#: seeded → infeasible when the rules cannot all be met. "freeze" creates the run.
RANDOM_JOINT_RUN = Machine.of("plan_run", [
    (None, "freeze", FROZEN),
    (FROZEN, "seed", SEEDED),
    (SEEDED, "draw", DRAWN),
    (SEEDED, "declare_infeasible", INFEASIBLE),
    (DRAWN, "publish", PUBLISHED),
], refusal=_RUN_REFUSAL, changed=_RUN_CHANGED)
#: A routine run (no draw): frozen → drawn (its visits scheduled) in one sweep, and stops.
ROUTINE_RUN = Machine.of("plan_run", [
    (None, "freeze", FROZEN),
    (FROZEN, "draw", DRAWN),
], refusal=_RUN_REFUSAL, changed=_RUN_CHANGED)
RUN_MACHINES = {RANDOM_JOINT: RANDOM_JOINT_RUN, ROUTINE: ROUTINE_RUN}


@dataclass(frozen=True)
class Period:
    key: str
    first_day: date
    last_day: date     # inclusive

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]


@dataclass(frozen=True)
class Schedule:
    """The recurrence part of a plan row."""

    period: str
    enabled: bool = True
    start: date | None = None
    expires: date | None = None
    one_off: bool = False
    last_period_key: str | None = None


def local_date(now: datetime, zone: ZoneInfo = LOCAL_ZONE) -> date:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(zone).date()


def period_of(kind: str, day: date) -> Period:
    """The period of this kind that holds ``day``."""
    if kind == "daily":
        return Period(day.isoformat(), day, day)
    if kind == "weekly":
        year, week, weekday = day.isocalendar()
        first = day - timedelta(days=weekday - 1)
        return Period(f"{year}-W{week:02}", first, first + timedelta(days=6))
    if kind == "monthly":
        first = day.replace(day=1)
        return Period(f"{day.year}-{day.month:02}", first, _next_month(first) - timedelta(days=1))
    if kind == "quarterly":
        quarter = (day.month - 1) // 3 + 1
        first = date(day.year, 3 * quarter - 2, 1)
        last = _next_month(_next_month(_next_month(first))) - timedelta(days=1)
        return Period(f"{day.year}-Q{quarter}", first, last)
    if kind == "yearly":
        return Period(str(day.year), date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValueError(f"unknown period kind {kind!r} (expected one of {', '.join(PERIODS)})")


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def due_period(schedule: Schedule, now: datetime, zone: ZoneInfo = LOCAL_ZONE) -> Period | None:
    """The period a sweep at ``now`` should run for this plan, or None (rules in the module doc)."""
    if not schedule.enabled:
        return None
    today = local_date(now, zone)
    if schedule.start is not None and today < schedule.start:
        return None
    if schedule.expires is not None and today >= schedule.expires:
        return None
    period = period_of(schedule.period, today)
    if schedule.one_off and schedule.last_period_key not in (None, period.key):
        return None
    return period


def working_days(period: Period, from_day: date | None = None,
                 holidays: Iterable[date] = (), calendar: WorkCalendar = WEEKDAYS_ONLY) -> list[date]:
    """The working days of the period (``calendar``: the holiday notices, docs/regulations.md,
    "Working days and public holidays"), not before ``from_day``, minus ``holidays`` (days the
    bureau keeps free of visits)."""
    skip = set(holidays)
    first = period.first_day if from_day is None else max(period.first_day, from_day)
    if first > period.last_day:
        return []
    return [d for d in calendar.days(first, period.last_day) if d not in skip]


def pick_team(candidates: Sequence[tuple[int, int]], excluded: Iterable[int], size: int) -> list[int]:
    """For routine visits (no draw): the ``size`` least-loaded eligible inspectors.

    ``candidates`` are (inspector id, open assignments); ``excluded`` are inspectors who may not
    go (conflict of interest). Ties go to the lower id, so the choice is reproducible. Fewer
    than ``size`` are returned when fewer are eligible.
    """
    out = set(excluded)
    ranked = sorted((load, ident) for ident, load in candidates if ident not in out)
    return [ident for _load, ident in ranked[:size]]


def spread_dates(teams: Sequence[Sequence[str]], days: Sequence[date]) -> list[date]:
    """A visit date for each team (one team per drawn institution), spread over ``days``.

    Visits go round-robin over the days; a visit moves to the next day on which none of its
    inspectors is already booked (an inspector is never sent to two institutions on one day
    when the days allow it; if no such day exists the round-robin day is kept).
    Deterministic: the same teams and days give the same dates.
    """
    if not days:
        raise ValueError("no day to schedule visits on")
    booked: dict[date, set[str]] = {}
    out: list[date] = []
    for n, team in enumerate(teams):
        chosen = days[n % len(days)]
        for step in range(len(days)):
            day = days[(n + step) % len(days)]
            if not booked.get(day, set()) & set(team):
                chosen = day
                break
        booked.setdefault(chosen, set()).update(team)
        out.append(chosen)
    return out


# ----------------------------------------------------------------------------- plan rows

PLAN_KINDS = ("random_joint", "routine")
ROUTINE_RULES = ("grade_expiry", "critical_followup", "yearly_coverage")


def visit_purpose(kind: str | None, rule: str | None) -> str:
    """The purpose of the visits a plan schedules: a draw's are random inspections, a critical
    follow-up's are re-inspections, a grade-expiry plan's are grading evaluations."""
    if kind == "routine":
        return {"grade_expiry": "grading", "yearly_coverage": "routine"}.get(rule or "", "follow_up")
    return "random"


def plan_problems(v: dict, institution_types: Iterable[str] = (),
                  enforcement: EnforcementPolicy | None = None) -> list[tuple]:
    """Everything wrong with a plan's values, located by field (empty when it may be saved).

    ``v`` holds typed values: text, dates, booleans, whole numbers, lists of codes and
    ``ratios`` as {risk class: decimal text}. With ``enforcement``, a plan whose visits are
    enforcement visits must send at least its minimum of inspectors per department (a problem
    with parameters is a triple: field, message, parameters)."""
    p: list[tuple[str, str]] = []
    if not (v.get("name") or "").strip():
        p.append(("name", N_("is required")))
    elif len(v["name"].strip()) > 120:
        p.append(("name", N_("is longer than 120 characters")))
    kind = v.get("kind")
    if kind not in PLAN_KINDS:
        p.append(("kind", N_("choose random joint or routine")))
    if kind == "routine" and v.get("rule") not in ROUTINE_RULES:
        p.append(("rule", N_("choose what the routine plan schedules")))
    if v.get("period") not in PERIODS:
        p.append(("period", N_("choose how often the plan runs")))
    if not isinstance(v.get("start"), date):
        p.append(("start", N_("is required")))
    elif isinstance(v.get("expires"), date) and v["expires"] <= v["start"]:
        p.append(("expires", N_("must be after the start")))
    departments = v.get("departments") or []
    if any(d not in DEPARTMENTS for d in departments):
        p.append(("departments", N_("contains an unknown department")))
    needs_departments = kind == "random_joint" or v.get("rule") in ("grade_expiry", "yearly_coverage")
    if needs_departments and not departments:
        p.append(("departments", N_("choose at least one department")))
    known_types = set(institution_types)
    if known_types and any(t not in known_types for t in v.get("institution_types") or []):
        p.append(("institution_types", N_("contains an unknown institution type")))
    # beacon_delay_days from 1: the third-party value is of a day after the freeze (seed_commit.beacon_day)
    for name, low in (("team_per_department", 1), ("max_per_inspector", 1), ("beacon_delay_days", 1),
                      ("publish_delay_days", 0), ("horizon_days", 1), ("visit_within_days", 0)):
        value = v.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 3660:
            p.append((name, f"must be a whole number from {low} to 3660"))
    team = v.get("team_per_department")
    if enforcement is not None and isinstance(team, int) and not isinstance(team, bool) and 1 <= team \
            and enforcement.binds(visit_purpose(kind, v.get("rule"))) \
            and team < enforcement.min_inspectors_per_department:
        p.append(("team_per_department", TEAM_TOO_SMALL, {"n": enforcement.min_inspectors_per_department}))
    if kind == "random_joint":
        ratios = v.get("ratios") or {}
        positive = False
        for risk, text in ratios.items():
            if risk not in RISK_CLASSES:
                p.append((f"ratio_{risk}", "is not a risk class"))
                continue
            try:
                value = Decimal(str(text))
            except InvalidOperation:
                p.append((f"ratio_{risk}", "must be a number from 0 to 1"))
                continue
            if not value.is_finite() or not Decimal(0) <= value <= Decimal(1) or \
                    value.as_tuple().exponent < -6:
                p.append((f"ratio_{risk}", "must be a number from 0 to 1 with at most 6 decimals"))
            elif value > 0:
                positive = True
        if not positive:
            p.append(("ratio_high", N_("give at least one risk class a ratio above 0")))
        if not (v.get("beacon_source") or "").strip():
            p.append(("beacon_source", N_("name the third party's value that will enter the seed")))
    return p
