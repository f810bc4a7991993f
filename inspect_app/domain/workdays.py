"""Working days (工作日) with China's statutory holidays and make-up working days (调休).

A year's calendar is data: one file per year (``policies/holidays/<year>.yaml``) copied from
the State Council's yearly notice (国务院办公厅关于<year>年部分节假日安排的通知). Rules
(docs/regulations.md, "Working days and public holidays"):

* a working day is Monday to Friday unless the notice gives it off, plus the weekend days the
  notice makes working days (调休上班);
* a year with no file is counted Monday to Friday only, and a count that touches such a year
  is *provisional* (:attr:`Count.provisional`, the years in :attr:`Count.uncovered`);
* every period counted in working days uses :class:`WorkCalendar`, one function for each kind
  of question, so the rule is applied once.

:func:`parse_year` reads one file and reports every problem with its place;
:func:`check_years` checks the files together (one file per year, no date listed twice).
Pure: no Flask, no database, no I/O beyond what the caller passes in.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

STATUSES = ("confirmed", "unconfirmed")
_FIELDS = {"year", "notice", "issued", "status", "note", "holidays"}
_HOLIDAY_FIELDS = {"name", "days_off", "working_days"}


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class HolidayError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class HolidayYear:
    """One year's notice: the weekdays given off and the weekend days made working days."""

    year: int
    notice: str
    issued: date | None
    status: str                          # confirmed | unconfirmed
    days_off: frozenset[date]
    working_weekends: frozenset[date]
    source: str = ""                     # the file it was read from
    named: tuple[tuple[str, date, date], ...] = ()   # (holiday, first day off, last day off)


@dataclass(frozen=True)
class Count:
    """A date found by counting working days, and whether the count could use the notices."""

    day: date
    uncovered: tuple[int, ...] = ()      # years counted without a notice (Monday–Friday only)

    @property
    def provisional(self) -> bool:
        return bool(self.uncovered)


def _as_date(raw: Any, where: str, problems: list[Problem]) -> date | None:
    if isinstance(raw, date) and not hasattr(raw, "hour"):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    problems.append(Problem(where, f"expected a date YYYY-MM-DD, got {raw!r}"))
    return None


def parse_year(data: Any, source: str) -> HolidayYear:
    """One year's file (already read as YAML) → :class:`HolidayYear`, or :class:`HolidayError`
    listing every problem as ``source: field: message``."""
    problems: list[Problem] = []

    def at(where: str) -> str:
        return f"{source}: {where}"

    if not isinstance(data, Mapping):
        raise HolidayError([Problem(source, "expected a mapping with year, notice, status and holidays")])
    for key in sorted(set(map(str, data)) - _FIELDS):
        problems.append(Problem(at(key), "unknown field"))
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        problems.append(Problem(at("year"), f"expected a year between 2000 and 2100, got {year!r}"))
        year = None
    notice = data.get("notice")
    if not isinstance(notice, str) or not notice.strip():
        problems.append(Problem(at("notice"), "the notice the dates come from is required"))
    status = data.get("status")
    if status not in STATUSES:
        problems.append(Problem(at("status"), f"expected one of {', '.join(STATUSES)}, got {status!r}"))
    issued = None
    if data.get("issued") is not None:
        issued = _as_date(data.get("issued"), at("issued"), problems)
    holidays = data.get("holidays")
    off: dict[date, str] = {}
    work: dict[date, str] = {}
    named: list[tuple[str, date, date]] = []
    if not isinstance(holidays, list) or not holidays:
        problems.append(Problem(at("holidays"), "expected a list of holidays"))
        holidays = []
    for n, entry in enumerate(holidays):
        where = f"holidays[{n}]"
        if not isinstance(entry, Mapping):
            problems.append(Problem(at(where), "expected a mapping with name, days_off and working_days"))
            continue
        for key in sorted(set(map(str, entry)) - _HOLIDAY_FIELDS):
            problems.append(Problem(at(f"{where}.{key}"), "unknown field"))
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(at(f"{where}.name"), "a name is required"))
            name = where
        rng = entry.get("days_off")
        if not isinstance(rng, list) or len(rng) != 2:
            problems.append(Problem(at(f"{where}.days_off"), "expected [first day, last day] of the days off"))
        else:
            first = _as_date(rng[0], at(f"{where}.days_off[0]"), problems)
            last = _as_date(rng[1], at(f"{where}.days_off[1]"), problems)
            if first and last:
                if last < first:
                    problems.append(Problem(at(f"{where}.days_off"), f"the last day {last} is before the first {first}"))
                elif (last - first).days > 14:
                    problems.append(Problem(at(f"{where}.days_off"), "a holiday longer than 15 days: check the dates"))
                else:
                    named.append((name, first, last))
                    for k in range((last - first).days + 1):
                        day = first + timedelta(days=k)
                        if day in off:
                            problems.append(Problem(at(f"{where}.days_off"), f"{day} is already off for {off[day]}"))
                        off[day] = name
        days = entry.get("working_days", [])
        if days is None:
            days = []
        if not isinstance(days, list):
            problems.append(Problem(at(f"{where}.working_days"), "expected a list of make-up working days"))
            days = []
        for k, raw in enumerate(days):
            day = _as_date(raw, at(f"{where}.working_days[{k}]"), problems)
            if day is None:
                continue
            if day.weekday() < 5:
                problems.append(Problem(at(f"{where}.working_days[{k}]"),
                                        f"{day} is a weekday: only a Saturday or Sunday can be made a working day"))
            if day in work:
                problems.append(Problem(at(f"{where}.working_days[{k}]"), f"{day} is listed twice"))
            work[day] = name
    for day in sorted(set(off) & set(work)):
        problems.append(Problem(source, f"{day} is both a day off ({off[day]}) and a working day ({work[day]})"))
    if year is not None:
        for day in sorted(set(off) | set(work)):
            if abs(day.year - year) > 1 or (day.year != year and not _at_year_edge(day, year)):
                problems.append(Problem(source, f"{day} is not in {year} (nor in the days next to it)"))
    if problems:
        raise HolidayError(problems)
    return HolidayYear(year=year, notice=notice.strip(), issued=issued, status=status,
                       days_off=frozenset(d for d in off if d.weekday() < 5),
                       working_weekends=frozenset(work), source=source,
                       named=tuple(sorted(named, key=lambda h: h[1])))


def _at_year_edge(day: date, year: int) -> bool:
    """A notice may reach a few days into the neighbouring year (元旦 starting on 30 December,
    a make-up working day before it)."""
    return (day.year == year - 1 and day.month == 12 and day.day >= 24) or \
        (day.year == year + 1 and day.month == 1 and day.day <= 7)


def check_years(years: Iterable[HolidayYear]) -> list[Problem]:
    """Problems between files: one file per year, no date claimed by two files."""
    problems: list[Problem] = []
    seen: dict[int, str] = {}
    claimed: dict[date, str] = {}
    for item in sorted(years, key=lambda y: (y.year, y.source)):
        if item.year in seen:
            problems.append(Problem(item.source, f"{item.year} is also given by {seen[item.year]}"))
            continue
        seen[item.year] = item.source
        for day in sorted(item.days_off | item.working_weekends):
            if day in claimed:
                problems.append(Problem(item.source, f"{day} is also listed by {claimed[day]}"))
            claimed[day] = item.source
    return problems


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days, for the years whose notices are loaded."""

    years: tuple[HolidayYear, ...] = ()
    _off: frozenset[date] = field(default=frozenset(), init=False, repr=False)
    _work: frozenset[date] = field(default=frozenset(), init=False, repr=False)
    _covered: frozenset[int] = field(default=frozenset(), init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_off", frozenset(d for y in self.years for d in y.days_off))
        object.__setattr__(self, "_work", frozenset(d for y in self.years for d in y.working_weekends))
        object.__setattr__(self, "_covered", frozenset(y.year for y in self.years))

    def covers(self, year: int) -> bool:
        return year in self._covered

    def is_working_day(self, day: date) -> bool:
        if day in self._work:
            return True
        return day.weekday() < 5 and day not in self._off

    def uncovered(self, first: date, last: date) -> tuple[int, ...]:
        """The years between ``first`` and ``last`` (inclusive) that have no notice loaded."""
        lo, hi = sorted((first, last))
        return tuple(y for y in range(lo.year, hi.year + 1) if not self.covers(y))

    def days(self, first: date, last: date) -> list[date]:
        """The working days from ``first`` to ``last``, both included."""
        return [first + timedelta(days=n) for n in range((last - first).days + 1)
                if self.is_working_day(first + timedelta(days=n))]

    def first_on_or_after(self, day: date) -> Count:
        """``day`` when it is a working day, else the next working day."""
        start = day
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return Count(day, self.uncovered(start, day))

    def add(self, start: date, days: int) -> Count:
        """The ``days``-th working day after ``start`` (``start`` itself not counted;
        ``days`` = 0 gives ``start``)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, left = start, days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return Count(day, self.uncovered(start, day))

    def last_of(self, start: date, days: int) -> Count:
        """The last day of a period of ``days`` working days whose first day is the first
        working day on or after ``start`` (so ``start`` counts when it is a working day)."""
        if days < 1:
            raise ValueError("a period has at least one day")
        first = self.first_on_or_after(start)
        end = self.add(first.day, days - 1)
        return Count(end.day, self.uncovered(start, end.day))


WEEKDAYS_ONLY = WorkCalendar()
