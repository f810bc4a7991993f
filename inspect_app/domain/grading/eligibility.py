"""Who may apply for which star level, each rule checked and explained (docs/regulations.md,
"Star grading eligibility").

:func:`check` takes plain facts about the institution (:class:`Facts`), the policy numbers
(any object with the attributes of :class:`~.grading_policy.GradingPolicy`) and ``today``,
and returns one :class:`RuleResult` per rule, passed or not, with a message that explains
the outcome. Messages are English text with ``%(name)s`` parameters, translated at the edge.

Rules, in order:

0. ``scope`` — the institution is of a type the scheme grades (``scope_types``: residential
   institutions for the GB/T 37276 stars, community facilities for the A-levels) with at least
   ``scope_min_beds`` beds; a policy version without a scope grades every type.
1. ``level`` — the level asked for is 1..5.
2. ``operating`` — filed (备案) at least ``operating_years_min`` years ago.
3. ``first_cap`` — a first application (never held a grade) asks for at most
   ``first_application_max_level``.
4. ``penalty`` — no administrative or criminal penalty in the last ``penalty_lookback_years``.
5. ``blacklist`` — not on the credit blacklist today.
6. ``accident`` — no serious safety accident or elder abuse in ``accident_lookback_years``.
7. ``hazard`` — no unresolved major accident hazard (a finding on a veto item not closed).
8. ``upgrade_wait`` — a higher level than the current one only after ``upgrade_wait_years``
   at the current level; the same or a lower level (a renewal) only within
   ``renewal_window_days`` of the current grade's expiry.
9. ``open_application`` — nothing else in progress: no other application still open, and no
    grade record still being decided (evaluated, in 公示, or awaiting confirmation). An
    evaluated application's record is in progress until the bureau confirms or rejects it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .lifecycle import add_years
from .schemes import A_LEVEL, STAR

PENALTY, BLACKLIST, ACCIDENT, CREDIT = "penalty", "blacklist", "accident", "credit"
SANCTION_KINDS = (PENALTY, BLACKLIST)     # entered by the bureau
# ACCIDENT: a serious accident, from the accident records (rectification.accidents).
# CREDIT: a credit record written by rectification when an overdue finding reaches the bureau.


@dataclass(frozen=True)
class Sanction:
    """A credit record: ``kind`` penalty | blacklist | accident; ``until`` ends a blacklist
    entry (None: ``blacklist_years`` after ``decided_on``)."""
    kind: str
    decided_on: date
    until: date | None = None
    reference: str = ""


@dataclass(frozen=True)
class CurrentGrade:
    level: int
    effective_on: date
    expires_on: date


@dataclass(frozen=True)
class Facts:
    requested_level: int
    filed_on: date | None
    ever_graded: bool                               # held a confirmed grade at any time
    current: CurrentGrade | None = None
    sanctions: tuple[Sanction, ...] = ()
    hazards: tuple[str, ...] = ()                   # reasons a grade is suspended now
    open_applications: int = 0                      # other applications not yet decided
    institution_type: str | None = None
    beds: int | None = None
    records_in_progress: int = 0                    # grade records not yet confirmed or rejected


@dataclass(frozen=True)
class RuleResult:
    code: str
    passed: bool
    message: str                                    # English msgid with %(name)s parameters
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Eligibility:
    rules: tuple[RuleResult, ...]

    @property
    def eligible(self) -> bool:
        return all(rule.passed for rule in self.rules)

    @property
    def failures(self) -> tuple[RuleResult, ...]:
        return tuple(rule for rule in self.rules if not rule.passed)


def check(facts: Facts, policy: Any, today: date) -> Eligibility:
    """Every rule for ``facts`` on ``today`` under ``policy``."""
    return Eligibility(tuple(rule(facts, policy, today) for rule in RULES))


def highest_allowed(facts: Facts, policy: Any) -> int:
    """The highest level the caps allow (for the form's default)."""
    return 5 if facts.ever_graded else policy.first_application_max_level


# The rules ----------------------------------------------------------------------------------

def _scope(f: Facts, p: Any, today: date) -> RuleResult:
    types = tuple(getattr(p, "scope_types", ()) or ())
    minimum = getattr(p, "scope_min_beds", 0) or 0
    if getattr(p, "scheme", STAR) == A_LEVEL:
        if types and f.institution_type not in types:
            return RuleResult("scope", False, "The A-level rating is for community home-care service "
                              "centres; an institution of this type cannot apply for an A-level.",
                              {"type": f.institution_type or "-"})
        return RuleResult("scope", True, "Within the scope of the community-centre A-level rating.")
    if types and f.institution_type not in types:
        return RuleResult("scope", False, "GB/T 37276 grades residential institutions giving full-day "
                          "care; an institution of this type cannot apply for a star level.",
                          {"type": f.institution_type or "-"})
    if minimum and (f.beds or 0) < minimum:
        return RuleResult("scope", False, "GB/T 37276 grades institutions with at least %(min)s beds; "
                          "this one has %(beds)s.", {"min": minimum, "beds": f.beds or 0})
    return RuleResult("scope", True, "Within the scope of GB/T 37276.")


def _level(f: Facts, p: Any, today: date) -> RuleResult:
    if 1 <= f.requested_level <= 5:
        return RuleResult("level", True, "Level %(level)s requested (levels run from 1 to 5).",
                          {"level": f.requested_level})
    return RuleResult("level", False, "Level %(level)s does not exist; levels run from 1 to 5.",
                      {"level": f.requested_level})


def _operating(f: Facts, p: Any, today: date) -> RuleResult:
    years = p.operating_years_min
    if f.filed_on is None:
        return RuleResult("operating", years == 0,
                          "The filing date is not recorded, so the %(years)s years of operation "
                          "cannot be shown.", {"years": years})
    since = add_years(f.filed_on, years)
    if since <= today:
        return RuleResult("operating", True, "Operating since %(filed)s: at least %(years)s "
                          "years.", {"filed": f.filed_on.isoformat(), "years": years})
    return RuleResult("operating", False, "Operating since %(filed)s: less than %(years)s "
                      "years; an application is possible from %(since)s.",
                      {"filed": f.filed_on.isoformat(), "years": years, "since": since.isoformat()})


def _first_cap(f: Facts, p: Any, today: date) -> RuleResult:
    cap = p.first_application_max_level
    if f.ever_graded:
        return RuleResult("first_cap", True, "Not a first application: no level cap.")
    if f.requested_level <= cap:
        return RuleResult("first_cap", True, "First application: level %(level)s is within the "
                          "cap of level %(cap)s.", {"level": f.requested_level, "cap": cap})
    return RuleResult("first_cap", False, "A first application may ask for at most level "
                      "%(cap)s.", {"level": f.requested_level, "cap": cap})


def _within(sanctions: tuple[Sanction, ...], kind: str, years: int, today: date) -> list[Sanction]:
    start = add_years(today, -years)
    return [s for s in sanctions if s.kind == kind and start < s.decided_on <= today]


def _penalty(f: Facts, p: Any, today: date) -> RuleResult:
    years = p.penalty_lookback_years
    found = _within(f.sanctions, PENALTY, years, today)
    if not found:
        return RuleResult("penalty", True, "No administrative or criminal penalty in the last "
                          "%(years)s years.", {"years": years})
    latest = max(found, key=lambda s: s.decided_on)
    return RuleResult("penalty", False, "Penalised on %(day)s (%(reference)s): no application "
                      "until %(until)s.", {"day": latest.decided_on.isoformat(),
                                           "reference": latest.reference or "-",
                                           "until": (add_years(latest.decided_on, years)
                                                     + timedelta(days=1)).isoformat()})


def blacklist_end(s: Sanction, policy: Any) -> date:
    return s.until or add_years(s.decided_on, policy.blacklist_years)


def _blacklist(f: Facts, p: Any, today: date) -> RuleResult:
    listed = [s for s in f.sanctions if s.kind == BLACKLIST
              and s.decided_on <= today < blacklist_end(s, p)]
    if not listed:
        return RuleResult("blacklist", True, "Not on the credit blacklist.")
    entry = max(listed, key=lambda s: blacklist_end(s, p))
    return RuleResult("blacklist", False, "On the credit blacklist since %(day)s "
                      "(%(reference)s) until %(until)s.",
                      {"day": entry.decided_on.isoformat(), "reference": entry.reference or "-",
                       "until": blacklist_end(entry, p).isoformat()})


def _accident(f: Facts, p: Any, today: date) -> RuleResult:
    years = p.accident_lookback_years
    found = _within(f.sanctions, ACCIDENT, years, today)
    if not found:
        return RuleResult("accident", True, "No serious safety accident or elder abuse in the "
                          "last %(years)s years.", {"years": years})
    latest = max(found, key=lambda s: s.decided_on)
    return RuleResult("accident", False, "Serious accident or abuse recorded on %(day)s "
                      "(%(reference)s) within the last %(years)s years.",
                      {"day": latest.decided_on.isoformat(), "reference": latest.reference or "-",
                       "years": years})


def _hazard(f: Facts, p: Any, today: date) -> RuleResult:
    if not f.hazards:
        return RuleResult("hazard", True, "No unresolved major accident hazard.")
    return RuleResult("hazard", False, "Unresolved major hazard: %(reasons)s.",
                      {"reasons": "; ".join(f.hazards)})


def _upgrade_wait(f: Facts, p: Any, today: date) -> RuleResult:
    current = f.current
    if current is None:
        return RuleResult("upgrade_wait", True, "No current grade: no waiting time applies.")
    if f.requested_level > current.level:
        since = add_years(current.effective_on, p.upgrade_wait_years)
        ok = since <= today
        return RuleResult(
            "upgrade_wait", ok,
            "Level %(current)s held since %(effective)s: an upgrade is possible from %(since)s.",
            {"current": current.level, "effective": current.effective_on.isoformat(),
             "since": since.isoformat()})
    opens = current.expires_on - timedelta(days=p.renewal_window_days)
    ok = opens <= today
    return RuleResult(
        "upgrade_wait", ok,
        "Level %(current)s is valid until %(expires)s: a renewal at the same or a lower level "
        "is possible from %(since)s.",
        {"current": current.level, "expires": current.expires_on.isoformat(),
         "since": opens.isoformat()})


def _open_application(f: Facts, p: Any, today: date) -> RuleResult:
    if f.open_applications:
        return RuleResult("open_application", False, "Another application is still open; "
                          "withdraw it or wait for its decision.")
    if f.records_in_progress:
        return RuleResult("open_application", False, "The grading of this institution is still being "
                          "decided (an evaluation in public notice or awaiting confirmation); apply "
                          "once it is confirmed or rejected.")
    return RuleResult("open_application", True, "No other application or evaluation is in progress.")


# No rule bars grading for a credit record of an overdue rectification: no source found says so
# (docs/regulations.md, "Star grading eligibility").
RULES = (_scope, _level, _operating, _first_cap, _penalty, _blacklist, _accident, _hazard,
         _upgrade_wait, _open_application)
