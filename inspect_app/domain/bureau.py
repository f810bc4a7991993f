"""The bureau's fixed names, defined once: its departments and its time zone."""
from __future__ import annotations

from zoneinfo import ZoneInfo

#: The departments that inspect (codes; their labels are in ``core/labels.py``).
DEPARTMENTS = ("civil_affairs", "fire", "market_regulation", "health", "medical_insurance")

#: The bureau's time zone: deadlines, validity and plan periods are days in it.
LOCAL_TIMEZONE = "Asia/Shanghai"
LOCAL_ZONE = ZoneInfo(LOCAL_TIMEZONE)
