"""Factory helpers of the complaint tests: a case taken in by an operator at a fixed instant."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timezone

from inspect_app.complaints import services

# 2026-03-02 10:00 Beijing time, a Monday.
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
SECRET = "test-secret"


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock Beijing time on ``day``, in UTC."""
    return datetime(day.year, day.month, day.day, hour - 8, 0, tzinfo=timezone.utc)


def take_in(operator, institution, *, now: datetime = T0, key: str | None = None, **values):
    base = {"channel": "hotline_12349", "kind": "claim", "category": "care_service", "institution_id": institution.id,
            "summary": "夜间无人值守", "details": "老人夜里呼叫无人应答", "received_on": None, "anonymous": False,
            "complainant_name": "李投诉人", "complainant_phone": "13912345678"}
    return services.intake(operator, {**base, **values}, now, secret=SECRET,
                           submission_key=key or secrets.token_urlsafe(24))
