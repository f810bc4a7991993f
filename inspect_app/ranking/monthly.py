"""Monthly finding counts (:class:`~.models.FindingMonth`): the months that are over, counted
once by the standings refresh (hourly) in one set-based ``INSERT … SELECT … GROUP BY``, so the
dashboard's findings-per-month and on-time-rate charts add up stored rows for those months and
count live only the current month (and any part of a month the filter cuts).

What each stored number means is what the live count means at the refresh's time: findings
issued in the month (by the policy's local time zone), withdrawn ones left out, and of them the
ones rectified on time and late by the one on-time rule (``rectification.on_time``) at that
instant. The months covered are every month before the refresh's own month; the dashboard says
when they were computed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, literal, select

from ..core.types import UTCDateTime
from ..domain.rectification.states import WITHDRAWN
from ..extensions import db
from ..rectification import policy as supervision
from ..rectification.models import Finding
from ..rectification.on_time import counts_late, counts_on_time
from ..registry.models import Institution
from .models import FindingMonth


def local_month(column, tz_name: str):
    """The local month of an instant as 'YYYY-MM' in SQL (PostgreSQL or SQLite)."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone(tz_name, column), "YYYY-MM")
    offset = ZoneInfo(tz_name).utcoffset(datetime(2000, 1, 1))
    hours = int(offset.total_seconds() // 3600)
    return func.strftime("%Y-%m", column, f"{hours:+d} hours")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + 1:04d}-01" if m == 12 else f"{y:04d}-{m + 1:02d}"


def start_of_month(month: str, tz: ZoneInfo) -> datetime:
    """The UTC instant the local ``month`` begins."""
    return datetime.combine(date(int(month[:4]), int(month[5:7]), 1), time(0), tz).astimezone(timezone.utc)


def store(now: datetime) -> int:
    """Replace the stored counts with every month before ``now``'s local month, as of ``now``,
    in one statement. Returns the rows stored."""
    rule = supervision.current()
    tz = ZoneInfo(rule.local_timezone)
    current = month_of(now.astimezone(tz).date())
    month = local_month(Finding.created_at, rule.local_timezone)
    grouped = (select(month, Finding.department, Institution.district, Institution.type,
                      literal(now, UTCDateTime), func.count(), func.sum(counts_on_time(now)),
                      func.sum(counts_late(now)))
               .select_from(Finding).join(Institution, Institution.id == Finding.institution_id)
               .where(Finding.state != WITHDRAWN,
                      Finding.created_at < literal(start_of_month(current, tz), UTCDateTime))
               .group_by(month, Finding.department, Institution.district, Institution.type))
    db.session.execute(delete(FindingMonth))
    db.session.execute(insert(FindingMonth).from_select(
        ["month", "department", "district", "type", "computed_at", "findings", "on_time", "late"], grouped))
    return db.session.scalar(select(func.count()).select_from(FindingMonth))


@dataclass(frozen=True)
class Stored:
    """What the stored counts cover: every month before ``until`` (a 'YYYY-MM'), as of ``at``."""
    at: datetime
    until: str


def stored() -> Stored | None:
    """When the counts were last stored and the months they cover (None: never, or nothing
    was issued before the refresh's month — then everything is counted live)."""
    at = db.session.scalar(select(func.max(FindingMonth.computed_at)))
    if at is None:
        return None
    return Stored(at, month_of(at.astimezone(supervision.tz()).date()))
