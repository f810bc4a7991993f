"""Calendars: assignments by week, and planned against done per department and district.

Who sees what follows the inspections models' tenant rules: an inspector the visits where they
are on a team, a department admin their department's, the bureau all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, func, select

from ..auth import policy
from ..auth.roles import Role
from ..core.errors import Invalid
from ..domain.planning.plans import Period, period_of
from ..extensions import db
from ..core.listing import ListQuery, ListSpec, parse, parse_offered
from ..inspections.models import CANCELLED, SUBMITTED, Inspection, Visit
from ..inspections.services.listing import CALENDAR_FILTERS, calendar_choices, month_visits
from ..registry.models import Institution

_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")
# The weeks the calendar shows: far enough either way for any plan, near enough that the
# previous and next weeks of one shown are always dates.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_week(text: str | None, today: date) -> date:
    """The Monday of an ISO week written "2026-W48" (this week when none is given); Invalid,
    located at ``week``, for any other text or a year outside FIRST_YEAR–LAST_YEAR."""
    if not text:
        return today - timedelta(days=today.weekday())
    match = _WEEK.fullmatch(text)
    if match and FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        try:
            return date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            pass
    raise Invalid("There is no such week; this week is shown.",
                  problems=[("week", "a week such as 2026-W48, years %d to %d" % (FIRST_YEAR, LAST_YEAR))])


def week_key(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02}"


@dataclass
class Entry:
    visit: Visit
    parts: list[Inspection]


@dataclass
class Day:
    day: date
    entries: list[Entry] = field(default_factory=list)


def week(user, monday: date, query: ListQuery | None = None) -> list[Day]:
    """Seven days from ``monday`` with the visits the user sees (an inspector: only the parts
    they are on; a department admin: their department's parts), filtered by ``query``."""
    policy.require(user, "calendar.view")
    query = query or parse(CALENDAR, {})
    days = [Day(monday + timedelta(days=n)) for n in range(7)]
    for visit in month_visits(user, query, monday, monday + timedelta(days=6)):
        parts = [p for p in visit.inspections if _sees_part(user, p)]
        days[(visit.scheduled_for - monday).days].entries.append(Entry(visit, parts))
    return days


# ----------------------------------------------------------------------------- the month

CALENDAR = ListSpec(name="calendar", filters=CALENDAR_FILTERS, sorts={"date": (Visit.scheduled_for,)},
                    default_sort="date")
PER_DAY = 6                      # entries shown in a day's cell; the rest behind a link to the list
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def calendar_query(user, args) -> tuple[ListQuery, dict]:
    """The calendar's filters (department, district, inspector) read for ``user``."""
    policy.require(user, "calendar.view")
    return parse_offered(CALENDAR, args, calendar_choices(user))


def parse_month(text: str | None, today: date) -> date:
    """The first day of a month written "2026-11" (this month when none is given); Invalid,
    located at ``month``, for any other text or a year outside FIRST_YEAR–LAST_YEAR."""
    if not text:
        return today.replace(day=1)
    match = _MONTH.fullmatch(text)
    if match and FIRST_YEAR <= int(match[1]) <= LAST_YEAR and 1 <= int(match[2]) <= 12:
        return date(int(match[1]), int(match[2]), 1)
    raise Invalid("There is no such month; this month is shown.",
                  problems=[("month", "a month such as 2026-11, years %d to %d" % (FIRST_YEAR, LAST_YEAR))])


def month_key(first: date) -> str:
    return f"{first.year:04d}-{first.month:02d}"


def shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class MonthDay:
    day: date
    in_month: bool
    entries: list[Entry] = field(default_factory=list)
    more: int = 0                       # visits beyond PER_DAY


def month(user, first: date, query: ListQuery) -> list[list[MonthDay]]:
    """The weeks (Monday to Sunday) covering the month of ``first``, each day with the visits
    the user sees that match ``query`` (at most PER_DAY shown, the rest counted)."""
    policy.require(user, "calendar.view")
    start = first - timedelta(days=first.weekday())
    last = shift_month(first, 1) - timedelta(days=1)
    end = last + timedelta(days=6 - last.weekday())
    days = [MonthDay(start + timedelta(days=n), (start + timedelta(days=n)).month == first.month)
            for n in range((end - start).days + 1)]
    for visit in month_visits(user, query, start, end):
        cell = days[(visit.scheduled_for - start).days]
        if len(cell.entries) < PER_DAY:
            cell.entries.append(Entry(visit, [p for p in visit.inspections if _sees_part(user, p)]))
        else:
            cell.more += 1
    return [days[n:n + 7] for n in range(0, len(days), 7)]


def may_open_visits(user) -> bool:
    """The calendar shows only visits the viewer may see (``Visit.visible_to``); they open
    when the viewer may also read visit pages."""
    return policy.can(user, "inspections.record")


def _sees_part(user, part: Inspection) -> bool:
    if user.role == Role.BUREAU_ADMIN.value:
        return True
    if user.role == Role.DEPARTMENT_ADMIN.value:
        return part.department == user.department
    return any(m.user_id == user.id for m in part.team)


@dataclass(frozen=True)
class Tally:
    name: str
    planned: int
    done: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.planned) if self.planned else 0


def parse_period(text: str | None, today: date) -> Period:
    """A quarter "2026-Q4", a month "2026-11" or a year "2026"; this quarter otherwise."""
    text = (text or "").strip()
    try:
        if re.fullmatch(r"[0-9]{4}-Q[1-4]", text):
            return period_of("quarterly", date(int(text[:4]), 3 * int(text[-1]) - 2, 1))
        if re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", text):
            return period_of("monthly", date(int(text[:4]), int(text[5:]), 1))
        if re.fullmatch(r"[0-9]{4}", text) and int(text) >= 1:
            return period_of("yearly", date(int(text), 1, 1))
    except ValueError:
        pass
    return period_of("quarterly", today)


def progress(user, period: Period, purpose: str = "") -> dict[str, list[Tally]]:
    """Department parts scheduled in the period (planned) and of those, submitted (done), per
    department and per district of the institution."""
    policy.require(user, "planning.view")
    done = func.sum(case((Inspection.status == SUBMITTED, 1), else_=0))
    base = (select(func.count(Inspection.id), done)
            .join(Visit, Visit.id == Inspection.visit_id)
            .join(Institution, Institution.id == Visit.institution_id)
            .where(policy.scope_clause(Inspection, user), Visit.status != CANCELLED,
                   Visit.scheduled_for >= period.first_day, Visit.scheduled_for <= period.last_day))
    if purpose:
        base = base.where(Visit.purpose == purpose)
    out: dict[str, list[Tally]] = {}
    for name, column in (("department", Inspection.department), ("district", Institution.district)):
        rows = db.session.execute(base.add_columns(column).group_by(column).order_by(column))
        out[name] = [Tally(row[2], int(row[0]), int(row[1] or 0)) for row in rows]
    return out
