"""Risk classes (信用风险分类) of institutions for the risk-based 双随机 draw.

Four classes, from the most to the least sampled: ``high``, ``medium_high``, ``medium``,
``low`` (for example 30% / 10% / 2% / 1%: docs/regulations.md, "Risk classes and sampling
ratios"). An institution's class follows from five facts, all gathered at the moment a plan's
lists are frozen:

- ``grade``: its current star grade (1–5), or None when it has none (never graded, expired or
  suspended);
- ``open_findings``: findings (问题/隐患) not yet closed;
- ``overdue_findings``: open findings past their rectification deadline;
- ``veto_findings``: veto (一票否决) findings raised in the look-back;
- ``complaints``: substantiated complaint cases and complaint visits made without a case, in the look-back;
- ``penalties``: administrative penalties decided in the look-back (the bureau's credit records);
- ``blacklisted``: blacklist entries in force today (entered by the bureau, or a blacklist
  proposal the bureau confirmed);
- ``accidents``: accidents that occurred in the look-back for which the institution was not
  cleared of responsibility (the accident records).

The look-back is ``lookback_days`` of the policy (365: "the last year"), data like every
other threshold.

The rule, applied top to bottom, the first match wins (every threshold is a number of the
:class:`RiskPolicy`, stored with the plan, not in code):

1. **high** — at least ``high_veto`` veto findings, or at least ``high_overdue`` overdue
   findings, or at least ``high_complaints`` complaints, or at least ``high_blacklisted``
   blacklist entries in force, or at least ``high_accidents`` accidents (a threshold of 0
   switches its test off);
2. **medium_high** — at least ``medium_high_overdue`` overdue findings, or at least
   ``medium_high_open`` open findings, or at least ``medium_high_complaints`` complaints, or at
   least ``medium_high_penalties`` penalties, or a grade of at most ``medium_high_max_grade``
   stars;
3. **low** — a grade of at least ``low_min_grade`` stars and at most ``low_max_open`` open
   findings, with no overdue finding, no veto finding, no complaint, no penalty, no blacklist
   entry and no accident;
4. **medium** — everyone else (an institution without a grade is at least medium: there is no
   evidence that it is low risk).

:func:`classify` returns the class and the reasons that decided it, so the run page can show
why each institution is where it is.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

RISK_CLASSES = ("high", "medium_high", "medium", "low")


@dataclass(frozen=True)
class RiskInputs:
    grade: int | None = None
    open_findings: int = 0
    overdue_findings: int = 0
    veto_findings: int = 0
    complaints: int = 0
    penalties: int = 0
    blacklisted: int = 0
    accidents: int = 0


@dataclass(frozen=True)
class RiskPolicy:
    high_veto: int = 1
    high_overdue: int = 2
    high_complaints: int = 3
    medium_high_overdue: int = 1
    medium_high_open: int = 3
    medium_high_complaints: int = 1
    medium_high_max_grade: int = 1
    low_min_grade: int = 4
    low_max_open: int = 0
    lookback_days: int = 365
    high_blacklisted: int = 1
    high_accidents: int = 1
    medium_high_penalties: int = 1

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


DEFAULT_POLICY = RiskPolicy()


@dataclass(frozen=True)
class Assessment:
    risk: str
    # Why, as (English message with %(n)s parameters, parameters): translated where shown.
    reasons: tuple[tuple[str, dict], ...]


def parse_policy(data: dict | None) -> tuple[RiskPolicy, list[tuple[str, str]]]:
    """A policy from stored data (missing keys take the default); problems located by key."""
    data = dict(data or {})
    values: dict[str, int] = {}
    problems: list[tuple[str, str]] = []
    for f in fields(RiskPolicy):
        raw = data.pop(f.name, getattr(DEFAULT_POLICY, f.name))
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            problems.append((f.name, "must be a whole number of at least 0"))
            continue
        if f.name == "lookback_days" and not 1 <= raw <= 3660:
            problems.append((f.name, "must be a whole number from 1 to 3660"))
            continue
        values[f.name] = raw
    for unknown in sorted(data):
        problems.append((unknown, "is not a rule of the risk policy"))
    if problems:
        return DEFAULT_POLICY, problems
    return RiskPolicy(**values), []


def classify(facts: RiskInputs, policy: RiskPolicy = DEFAULT_POLICY) -> Assessment:
    """The risk class of one institution and why (rule in the module docstring)."""
    p = policy
    high = _reasons((facts.veto_findings >= p.high_veto, "veto findings ≥ %(n)s", p.high_veto),
                    (facts.overdue_findings >= p.high_overdue, "overdue findings ≥ %(n)s", p.high_overdue),
                    (facts.complaints >= p.high_complaints, "complaints ≥ %(n)s", p.high_complaints),
                    (_hit(facts.blacklisted, p.high_blacklisted), "blacklist entries in force ≥ %(n)s",
                     p.high_blacklisted),
                    (_hit(facts.accidents, p.high_accidents), "accidents ≥ %(n)s", p.high_accidents))
    if high:
        return Assessment("high", high)
    medium_high = _reasons(
        (facts.overdue_findings >= p.medium_high_overdue, "overdue findings ≥ %(n)s", p.medium_high_overdue),
        (facts.open_findings >= p.medium_high_open, "open findings ≥ %(n)s", p.medium_high_open),
        (facts.complaints >= p.medium_high_complaints, "complaints ≥ %(n)s", p.medium_high_complaints),
        (_hit(facts.penalties, p.medium_high_penalties), "penalties ≥ %(n)s", p.medium_high_penalties),
        (facts.grade is not None and facts.grade <= p.medium_high_max_grade,
         "grade ≤ %(n)s stars", p.medium_high_max_grade))
    if medium_high:
        return Assessment("medium_high", medium_high)
    if (facts.grade is not None and facts.grade >= p.low_min_grade
            and facts.open_findings <= p.low_max_open and facts.overdue_findings == 0
            and facts.veto_findings == 0 and facts.complaints == 0 and facts.penalties == 0
            and facts.blacklisted == 0 and facts.accidents == 0):
        return Assessment("low", (("grade ≥ %(n)s stars, clean record", {"n": p.low_min_grade}),))
    return Assessment("medium", (("no grade", {}) if facts.grade is None else ("default", {}),))


def _hit(count: int, threshold: int) -> bool:
    """``count`` reaches ``threshold``; a threshold of 0 switches the test off."""
    return threshold > 0 and count >= threshold


def _reasons(*checks: tuple[bool, str, int]) -> tuple[tuple[str, dict], ...]:
    return tuple((message, {"n": n}) for hit, message, n in checks if hit)

