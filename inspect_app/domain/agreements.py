"""Care-medical agreements (医养签约) and long-term-care-insurance designation (长护险定点):
the register's rules (docs/medical-care.md). Pure: dates are arguments.

* :func:`licence_problem` checks the form of a medical institution's licence registration
  number (医疗机构执业许可证登记号);
* :func:`problems` every located problem of an agreement's values;
* :func:`reminder_step` which expiry reminder is due on a day (60 and 30 days before the end,
  then expired: ``policies/agreements.yaml``);
* :func:`round_periods` the doctors' rounds counted per week or month of the term against the
  agreed frequency, a whole period with fewer rounds than agreed flagged;
* :func:`signing_rate` an exact rate (签约率).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from .translatable import N_

#: Services an agreement may cover (国卫办老龄发〔2020〕23号 as recalled, 山东省养老服务条例 art. 43).
SERVICES = ("health_records", "checkups", "rounds", "fast_track", "referral", "emergency", "training",
            "advice")
#: The unit of the agreed frequency of doctors' rounds.
PERIODS = ("week", "month")
MAX_ROUNDS_PER_PERIOD = 31
MAX_RESIDENTS = 10_000

# 22 characters: organisation code (9, digits or capitals), administrative division (6 digits),
# economic type (2 digits), health-institution category (a capital and 3 digits), branch (1 digit).
_LICENCE = re.compile(r"[0-9A-Z]{9}[0-9]{6}[0-9]{2}[A-Z][0-9]{3}[0-9]")


def licence_problem(text: str) -> str | None:
    """None when ``text`` has the form of a licence registration number, else why not."""
    if len(text) != 22:
        return N_("a licence registration number has 22 characters")
    if not _LICENCE.fullmatch(text):
        return N_("not the form of a licence registration number (9 characters of organisation code, "
                  "6 digits of area, 2 of economic type, a letter and 3 digits of category, 1 digit)")
    return None


def problems(v: dict, today: date) -> list[tuple[str, str]]:
    """Everything wrong with an agreement's values (typed: dates, whole numbers, codes, text)."""
    p: list[tuple[str, str]] = []
    name = (v.get("partner_name") or "").strip()
    if not name or len(name) > 120:
        p.append(("partner_name", N_("required, at most 120 characters")))
    licence = (v.get("partner_licence") or "").strip().upper()
    why = licence_problem(licence) if licence else N_("is required")
    if why:
        p.append(("partner_licence", why))
    for key, limit in (("number", 60), ("doctor_name", 80), ("green_channel_contact", 120)):
        if len((v.get(key) or "").strip()) > limit:
            p.append((key, N_("is too long")))
    starts, ends = v.get("starts_on"), v.get("ends_on")
    if not isinstance(starts, date):
        p.append(("starts_on", N_("a date is required")))
    if not isinstance(ends, date):
        p.append(("ends_on", N_("a date is required")))
    elif isinstance(starts, date) and ends < starts:
        p.append(("ends_on", N_("cannot be before the start")))
    signed = v.get("signed_on")
    if signed is not None and (not isinstance(signed, date) or signed > today):
        p.append(("signed_on", N_("cannot be in the future")))
    services = v.get("services") or []
    if not services:
        p.append(("services", N_("choose at least one service")))
    elif any(s not in SERVICES for s in services):
        p.append(("services", N_("not a service of the list")))
    count = v.get("visit_count")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_ROUNDS_PER_PERIOD:
        p.append(("visit_count", N_("a whole number from 1 to 31")))
    if v.get("visit_period") not in PERIODS:
        p.append(("visit_period", N_("choose per week or per month")))
    if v.get("green_channel") and not (v.get("green_channel_contact") or "").strip():
        p.append(("green_channel_contact", N_("name the green channel's contact")))
    return p


def is_valid_on(starts_on: date, ends_on: date, day: date) -> bool:
    """An agreement is in force from its first to its last day, both included."""
    return starts_on <= day <= ends_on


# ----------------------------------------------------------------------------- reminders

@dataclass(frozen=True)
class ReminderPolicy:
    """Days before the end on which a reminder is due, largest first (e.g. (60, 30)); the
    step after the last is "expired" (the day after the last day in force)."""
    days_before: tuple[int, ...]
    basis: str = ""

    @property
    def expired_step(self) -> int:
        return len(self.days_before) + 1


class PolicyError(ValueError):
    def __init__(self, name: str, problems: list[tuple[str, str]]):
        self.name, self.problems = name, problems
        super().__init__("; ".join(f"{name}: {where}: {message}" for where, message in problems))


def parse_policy(data, name: str = "agreements.yaml") -> ReminderPolicy:
    """``{reminders: {days_before: [60, 30]}, basis: "..."}`` → a :class:`ReminderPolicy`."""
    found: list[tuple[str, str]] = []
    if not isinstance(data, dict):
        raise PolicyError(name, [("file", "must be a mapping")])
    unknown = sorted(set(data) - {"reminders", "basis"})
    if unknown:
        found.append(("file", f"unknown fields: {', '.join(map(str, unknown))}"))
    reminders = data.get("reminders")
    days = reminders.get("days_before") if isinstance(reminders, dict) else None
    if not isinstance(days, list) or not days or any(isinstance(d, bool) or not isinstance(d, int) or d <= 0
                                                    for d in days):
        found.append(("reminders.days_before", "a non-empty list of whole numbers of days > 0"))
    elif any(a <= b for a, b in zip(days, days[1:])):
        found.append(("reminders.days_before", "must fall strictly (the earliest reminder first)"))
    basis = data.get("basis", "")
    if not isinstance(basis, str):
        found.append(("basis", "must be text"))
    if found:
        raise PolicyError(name, found)
    return ReminderPolicy(tuple(days), basis)


def reminder_step(ends_on: date, today: date, policy: ReminderPolicy) -> int:
    """The step due on ``today``: 0 none yet; k when the k-th reminder's day has come (k-th of
    ``days_before``); ``expired_step`` once the agreement's last day has passed."""
    left = (ends_on - today).days
    if left < 0:
        return policy.expired_step
    step = 0
    for k, days in enumerate(policy.days_before, start=1):
        if left <= days:
            step = k
    return step


def step_days(step: int, policy: ReminderPolicy) -> int | None:
    """The days before the end a reminder step stands for; None for "expired"."""
    return policy.days_before[step - 1] if 1 <= step <= len(policy.days_before) else None


# ----------------------------------------------------------------------------- doctors' rounds

@dataclass(frozen=True)
class RoundPeriod:
    starts_on: date
    ends_on: date
    rounds: int
    required: int
    judged: bool          # a whole period of the term, ended before today
    short: bool           # judged and fewer rounds than agreed


def _period_of(day: date, unit: str) -> tuple[date, date]:
    if unit == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    start = day.replace(day=1)
    following = (start.replace(year=start.year + 1, month=1) if start.month == 12
                 else start.replace(month=start.month + 1))
    return start, following - timedelta(days=1)


def round_periods(starts_on: date, ends_on: date, required: int, unit: str, rounds: list[date],
                  today: date) -> list[RoundPeriod]:
    """The calendar weeks (Monday to Sunday) or months of the term up to today, each with the
    rounds held in it. Only a period wholly inside the term and over before ``today`` is
    judged; a judged period with fewer rounds than ``required`` is short."""
    if unit not in PERIODS:
        raise ValueError(unit)
    last = min(ends_on, today)
    out: list[RoundPeriod] = []
    day = starts_on
    while day <= last:
        start, end = _period_of(day, unit)
        held = sum(1 for r in rounds if start <= r <= end and starts_on <= r <= ends_on)
        judged = start >= starts_on and end <= ends_on and end < today
        out.append(RoundPeriod(start, end, held, required, judged, judged and held < required))
        day = end + timedelta(days=1)
    return out


def signing_rate(with_agreement: int, operating: int) -> Fraction | None:
    """签约率 as a percentage, exact; None when there is no operating institution."""
    if operating <= 0:
        return None
    return Fraction(100 * with_agreement, operating)


# ----------------------------------------------------------------------------- 长护险 designation

def designation_problems(v: dict) -> list[tuple[str, str]]:
    p: list[tuple[str, str]] = []
    agency = (v.get("agency") or "").strip()
    if not agency or len(agency) > 120:
        p.append(("agency", N_("required, at most 120 characters")))
    if len((v.get("agreement_number") or "").strip()) > 60:
        p.append(("agreement_number", N_("is too long")))
    start, end = v.get("designated_from"), v.get("designated_to")
    if not isinstance(start, date):
        p.append(("designated_from", N_("a date is required")))
    if end is not None and (not isinstance(end, date) or (isinstance(start, date) and end < start)):
        p.append(("designated_to", N_("cannot be before the start")))
    return p


def designated_on(start: date, end: date | None, day: date) -> bool:
    """A designation holds from its first day to its last (open-ended without one)."""
    return start <= day and (end is None or day <= end)
