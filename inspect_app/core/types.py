"""Column types shared by every model."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

from ..domain.bureau import LOCAL_ZONE  # noqa: F401  (the bureau's zone, for the features)


def utcnow() -> datetime:
    """The one clock of the application (tests move it with time-machine)."""
    return datetime.now(timezone.utc)


def local_today(now: datetime | None = None) -> date:
    """The calendar day in the bureau's time zone."""
    return (now or utcnow()).astimezone(LOCAL_ZONE).date()


class UTCDateTime(TypeDecorator):
    """Stores UTC (naive on SQLite, timestamptz on PostgreSQL); always returns aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
