"""When the targets of a 双随机 draw may be made public (一公开 without warning the institutions).

The visits of a random draw are unannounced, so a drawn institution must not read that it was
drawn before its inspectors arrive. What anyone may see, and from when:

- **From the freeze**: the lists, their digest, the commitment to the secret and which
  third-party value (whose, of which day) will enter the seed.
- **From the draw**: the SHA-256 of the result file (the result is fixed, not shown).
- **Each drawn institution** (with its team): once its visit has a submitted record, or once the
  plan's period is over, whichever comes first (:func:`target_public`).
- **Everything** (the secret, the third-party value, the seed, the input and result files):
  once every drawn institution's visit has a record, or the period is over, whichever comes
  first, plus the plan's ``publish_delay_days`` (:func:`publication_due`). The secret and seed
  come last because with them anyone could re-run the draw and learn every target.

Time is an argument; "over" means the local day after the period's last day has begun.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..planning.plans import LOCAL_ZONE


def period_over_at(period_end: date, zone: ZoneInfo = LOCAL_ZONE) -> datetime:
    """The moment a period whose last day is ``period_end`` is over (local midnight after it)."""
    return datetime.combine(period_end + timedelta(days=1), time(), zone)


def target_public(recorded: bool, period_end: date, now: datetime, zone: ZoneInfo = LOCAL_ZONE) -> bool:
    """May one drawn institution be shown? ``recorded``: its visit has a submitted record."""
    return recorded or now >= period_over_at(period_end, zone)


def latest_publication(period_end: date, delay_days: int, zone: ZoneInfo = LOCAL_ZONE) -> datetime:
    """When everything is published at the latest: the period's end plus ``delay_days``."""
    return period_over_at(period_end, zone) + timedelta(days=delay_days)


def publication_due(now: datetime, drawn_at: datetime, period_end: date,
                    recorded_at: Sequence[datetime | None], delay_days: int,
                    zone: ZoneInfo = LOCAL_ZONE) -> bool:
    """May everything be published at ``now``? ``recorded_at`` holds, for each drawn institution,
    when its visit got its first submitted record (None: not yet); a draw with no target has
    nothing to keep back."""
    if now >= latest_publication(period_end, delay_days, zone):
        return True
    if any(at is None for at in recorded_at):
        return False
    done = max([drawn_at, *recorded_at])
    return now >= done + timedelta(days=delay_days)
