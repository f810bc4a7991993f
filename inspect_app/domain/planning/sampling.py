"""Yearly sampling ratios split over a plan's periods (docs/regulations.md, "Sampling ratios are
yearly").

A plan states each risk class's ratio *per year* (commonly ≥5% of targets a year). A plan that
runs P times a year (quarterly: 4) draws in its k-th period of the year (k = 1..P) the share of
the year still due:

    due through period k = ceil(ratio × class size × k / P)          (exact arithmetic)
    drawn this period    = due through period k − drawn earlier this year in the class
                           (never below 0, never above the class size)

so a quarterly plan at 5%/year with 100 institutions in a class draws 2, 1, 1, 1 (ceil 1.25 = 2,
ceil 2.5 = 3, ceil 3.75 = 4, ceil 5 = 5): each period's share is 1.25% and the year's total is
exactly ceil(5% × 100) = 5, whatever the rounding of the single periods. A period that was
missed, or a class that grew, is caught up in the next period of the same year.

The draw (docs/commands.md, "draw") takes a ratio per class and draws ceil(ratio × size):
:func:`ratio_for` writes the decimal ratio whose ceiling gives exactly the count wanted. Pure.
"""
from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction


def periods_in_year(kind: str, year: int) -> int:
    """How many periods of ``kind`` a year has (weekly: ISO weeks of the ISO year)."""
    if kind == "yearly":
        return 1
    if kind == "quarterly":
        return 4
    if kind == "monthly":
        return 12
    if kind == "weekly":
        return date(year, 12, 28).isocalendar()[1]
    if kind == "daily":
        return (date(year + 1, 1, 1) - date(year, 1, 1)).days
    raise ValueError(f"unknown period kind {kind!r}")


def period_position(kind: str, first_day: date) -> tuple[int, int]:
    """(year, k): the year the period counts in and its 1-based place in that year."""
    if kind == "yearly":
        return first_day.year, 1
    if kind == "quarterly":
        return first_day.year, (first_day.month - 1) // 3 + 1
    if kind == "monthly":
        return first_day.year, first_day.month
    if kind == "weekly":
        year, week, _ = first_day.isocalendar()
        return year, week
    if kind == "daily":
        return first_day.year, first_day.timetuple().tm_yday
    raise ValueError(f"unknown period kind {kind!r}")


def due_this_period(yearly_ratio: Fraction | Decimal | str, size: int, k: int, periods: int,
                    drawn_before: int) -> int:
    """Institutions of a class to draw in period ``k`` of ``periods`` (rule in the module doc)."""
    if not 1 <= k <= periods:
        raise ValueError("k must be a period of the year")
    ratio = Fraction(str(yearly_ratio)) if not isinstance(yearly_ratio, Fraction) else yearly_ratio
    through = math.ceil(ratio * size * k / periods)
    return max(0, min(size, through - drawn_before))


def coverage_due(remaining: int, k: int, periods: int) -> int:
    """Yearly coverage (66号令: every institution checked on site at least once a year): in period
    ``k`` of ``periods``, the share of the institutions not yet checked this year that keeps the
    year on course — the remaining ones spread evenly over the periods left, rounded up, so the
    last period takes all that remain."""
    if not 1 <= k <= periods:
        raise ValueError("k must be a period of the year")
    return math.ceil(max(0, remaining) / (periods - k + 1))


def ratio_for(count: int, size: int) -> Decimal:
    """The decimal ratio r (as few digits as a class of ``size`` needs) with ceil(r × size) =
    ``count`` exactly: count/size rounded down to one more digit than ``size`` has."""
    if size <= 0 or count <= 0:
        return Decimal(0)
    if count >= size:
        return Decimal(1)
    digits = len(str(size)) + 1
    ratio = (Decimal(count) / Decimal(size)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN)
    assert math.ceil(Fraction(ratio) * size) == count
    return ratio.normalize()
