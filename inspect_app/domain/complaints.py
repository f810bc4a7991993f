"""Complaints and hotline cases (投诉举报): the case's states, its time limits and the rules of
its input (docs/regulations.md, "Complaints and hotline cases").

* :data:`CASE` is the case's machine: taken in (``received``), accepted or declined, replied
  to (the written reply closes the handling), then followed up by telephone (回访): a
  satisfied or basically satisfied complainant closes it, a dissatisfied one may reopen it
  once (the policy's ``reopen_limit``). Marks of a missed time limit are events that keep
  the state, so every history line names a row of the table.
* The time limits are policy data (``policies/complaints.yaml``), parsed by
  :func:`parse_policy`; each clock says whether it counts calendar days or working days.
  :func:`period_end` applies the counting rule of 民法典 arts 201 and 203.
* :func:`intake_problems` checks what a case is taken in with (anonymity: an anonymous case
  carries no contact data).
Pure: no Flask, no database.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .bureau import DEPARTMENTS
from .machine import Machine
from .rectification.ladder import PolicyError, PolicyProblem
from .translatable import N_
from .workdays import WEEKDAYS_ONLY, WorkCalendar

#: How a case came in. The public form's cases are ``online``; an operator may enter any channel
#: (an online case received by e-mail or from another platform too).
CHANNELS = ("phone", "hotline_12349", "letter", "walk_in", "online")
OPERATOR_CHANNELS = CHANNELS
#: The three kinds of matter of 《信访工作条例》 arts 29–31.
KINDS = ("opinion", "accusation", "claim")
#: Satisfaction recorded at the telephone follow-up.
SATISFACTION = ("satisfied", "basically", "dissatisfied")
#: Clock units.
CALENDAR_DAYS, WORKING_DAYS = "calendar_days", "working_days"
CLOCKS = ("acceptance", "closure", "extension", "follow_up")

RECEIVED, ACCEPTED, DECLINED, REPLIED, CLOSED = "received", "accepted", "declined", "replied", "closed"
OPEN_STATES = (RECEIVED, ACCEPTED, REPLIED)

CASE = Machine.of("complaint", [
    (None, "intake", RECEIVED),
    (RECEIVED, "reroute", RECEIVED),                 # the bureau sends it to another department
    (RECEIVED, "accept", ACCEPTED),
    (RECEIVED, "decline", DECLINED),
    (RECEIVED, "acceptance_overdue", RECEIVED),      # the sweep: not decided within the limit
    (ACCEPTED, "make_visit", ACCEPTED),              # an ad-hoc visit made from the case
    (ACCEPTED, "extend", ACCEPTED),                  # art 34: once, with the head's approval
    (ACCEPTED, "closure_overdue", ACCEPTED),         # the sweep: no reply within the limit
    (ACCEPTED, "reply", REPLIED),
    (REPLIED, "follow_up", CLOSED),
    (REPLIED, "reopen", ACCEPTED),                   # dissatisfied at the follow-up
    (REPLIED, "follow_up_overdue", REPLIED),         # the sweep: no follow-up call within the limit
], refusal=N_("This cannot be done while the case is %(state)s."),
   changed=N_("The case changed meanwhile; reload and try again."))

#: Which sweep event marks which clock, the state it runs in and the columns it reads/sets.
SWEEP_STEPS = (
    ("acceptance_overdue", RECEIVED, "acceptance_due", "acceptance_overdue_at"),
    ("closure_overdue", ACCEPTED, "closure_due", "closure_overdue_at"),
    ("follow_up_overdue", REPLIED, "follow_up_due", "follow_up_overdue_at"),
)


@dataclass(frozen=True)
class Clock:
    days: int
    unit: str            # CALENDAR_DAYS | WORKING_DAYS
    basis: str


@dataclass(frozen=True)
class ComplaintPolicy:
    version: str
    clocks: dict[str, Clock]
    routing: dict[str, str]          # category → department
    reopen_limit: int

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self.routing)


def parse_policy(data: Any, path: str = "complaints.yaml") -> ComplaintPolicy:
    """The policy from plain data (as YAML delivers it); PolicyError with every problem located."""
    if not isinstance(data, dict):
        raise PolicyError(path, [PolicyProblem("file", "must be a mapping")])
    problems: list[PolicyProblem] = []
    version = data.get("version")
    if not isinstance(version, (str, int, float)) or isinstance(version, bool) or not str(version).strip():
        problems.append(PolicyProblem("version", "is required"))
    clocks: dict[str, Clock] = {}
    raw_clocks = data.get("clocks")
    if not isinstance(raw_clocks, dict):
        problems.append(PolicyProblem("clocks", "must be a mapping"))
        raw_clocks = {}
    for name in CLOCKS:
        raw = raw_clocks.get(name)
        where = f"clocks.{name}"
        if not isinstance(raw, dict):
            problems.append(PolicyProblem(where, "is required (days, unit, basis)"))
            continue
        days, unit, basis = raw.get("days"), raw.get("unit"), raw.get("basis")
        ok = True
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
            problems.append(PolicyProblem(f"{where}.days", "must be a whole number from 1 to 365"))
            ok = False
        if unit not in (CALENDAR_DAYS, WORKING_DAYS):
            problems.append(PolicyProblem(f"{where}.unit", f"must be {CALENDAR_DAYS} or {WORKING_DAYS}"))
            ok = False
        if not isinstance(basis, str) or not basis.strip():
            problems.append(PolicyProblem(f"{where}.basis", "must cite the rule the clock follows"))
            ok = False
        for extra in sorted(set(raw) - {"days", "unit", "basis"}):
            problems.append(PolicyProblem(f"{where}.{extra}", "is not a setting of this policy"))
        if ok:
            clocks[name] = Clock(days, unit, basis.strip())
    for extra in sorted(set(raw_clocks) - set(CLOCKS)):
        problems.append(PolicyProblem(f"clocks.{extra}", "is not a clock of this policy"))
    routing: dict[str, str] = {}
    raw_routing = data.get("routing")
    if not isinstance(raw_routing, dict) or not raw_routing:
        problems.append(PolicyProblem("routing", "must map each category to a department"))
        raw_routing = {}
    for category, department in raw_routing.items():
        if not isinstance(category, str) or not category.replace("_", "").isalnum() or not category.islower():
            problems.append(PolicyProblem(f"routing.{category}", "a category is a lower-case code"))
        elif department not in DEPARTMENTS:
            problems.append(PolicyProblem(f"routing.{category}", f"must be one of {', '.join(DEPARTMENTS)}"))
        else:
            routing[category] = department
    limit = data.get("reopen_limit")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= 5:
        problems.append(PolicyProblem("reopen_limit", "must be a whole number from 0 to 5"))
    for extra in sorted(set(data) - {"version", "clocks", "routing", "reopen_limit"}):
        problems.append(PolicyProblem(str(extra), "is not a setting of this policy"))
    if problems:
        raise PolicyError(path, problems)
    return ComplaintPolicy(str(version), clocks, routing, limit)


def period_end(start: date, clock: Clock, calendar: WorkCalendar = WEEKDAYS_ONLY) -> date:
    """The last day of a period of ``clock`` begun on ``start``.

    The period starts on the next day (民法典 art 201). Working days are counted on
    ``calendar``; for calendar days, a last day that is not a working day moves to the next
    working day (art 203: a period ending on a holiday ends on the day after it)."""
    if clock.unit == WORKING_DAYS:
        return calendar.add(start, clock.days).day
    return calendar.first_on_or_after(start + timedelta(days=clock.days)).day


def is_overdue(due: date | None, today: date) -> bool:
    """The last day ends at 24:00: overdue from the day after ``due``."""
    return due is not None and today > due


def route(policy: ComplaintPolicy, category: str) -> str | None:
    """The department responsible for a category (None: not a category of the policy)."""
    return policy.routing.get(category)


def intake_problems(values: dict, policy: ComplaintPolicy, channels: tuple[str, ...], today: date) -> list[tuple[str, str]]:
    """Every problem of a case as taken in, located at its field."""
    problems: list[tuple[str, str]] = []
    if values.get("channel") not in channels:
        problems.append(("channel", N_("choose how the case came in")))
    if values.get("kind") not in KINDS:
        problems.append(("kind", N_("choose the kind of matter")))
    if values.get("category") not in policy.routing:
        problems.append(("category", N_("choose what the case is about")))
    if not isinstance(values.get("institution_id"), int):
        problems.append(("institution_id", N_("choose an institution")))
    summary = values.get("summary") or ""
    if not summary:
        problems.append(("summary", N_("say in a line what the case is about")))
    elif len(summary) > 200:
        problems.append(("summary", N_("at most 200 characters")))
    if len(values.get("details") or "") > 4000:
        problems.append(("details", N_("at most 4000 characters")))
    received = values.get("received_on")
    if not isinstance(received, date):
        problems.append(("received_on", N_("a date is required")))
    elif received > today:
        problems.append(("received_on", N_("cannot be in the future")))
    name, phone = values.get("complainant_name") or "", values.get("complainant_phone") or ""
    if values.get("anonymous"):
        if name or phone:
            problems.append(("anonymous", N_("an anonymous case carries no name and no telephone number")))
    else:
        if not name:
            problems.append(("complainant_name", N_("give a name, or take the case in as anonymous")))
        if len(name) > 80:
            problems.append(("complainant_name", N_("at most 80 characters")))
        if phone and not phone_ok(phone):
            problems.append(("complainant_phone", N_("a telephone number has 5 to 20 digits (spaces, + and - allowed)")))
    return problems


def phone_ok(phone: str) -> bool:
    digits = [c for c in phone if c in "0123456789"]
    return len(phone) <= 24 and 5 <= len(digits) <= 20 and all(c in "0123456789 +-()" for c in phone)


def case_number(year: int, ident: int) -> str:
    """The number a case is known by: ``TS<year>-<id, six digits>``."""
    return f"TS{year}-{ident:06d}"


def lookup_token(secret: str, submission_key: str) -> str:
    """The token a complainant follows a case with, derived from the form's one-time key:
    a repeated submission of the same form shows the same token again, and the database keeps
    neither (only :func:`digest` of each)."""
    return hmac.new(secret.encode(), b"complaint-lookup:" + submission_key.encode(), hashlib.sha256).hexdigest()[:20]


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def token_matches(token: str, stored_digest: str | None) -> bool:
    return stored_digest is not None and hmac.compare_digest(digest(token), stored_digest)


def reopen_allowed(satisfaction: str, reopened: int, policy: ComplaintPolicy) -> bool:
    """A dissatisfied complainant reopens the case while the policy's limit allows."""
    return satisfaction == "dissatisfied" and reopened < policy.reopen_limit
