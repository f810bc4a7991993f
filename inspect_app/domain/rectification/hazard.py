"""The major-hazard track (重大事故隐患 挂牌督办): its machines, its policy and its plan rules.

A finding on a veto item (a confirmed situation of 民办发〔2023〕13号) is not a 3-day finding
with one extension: the finding's department lists it for supervision (挂牌督办), the
institution submits a remediation plan (治理方案) with dated milestones, the department approves
it or sends it back with reasons, the finding's deadline becomes the approved plan's end date,
and the listing is closed (摘牌/销号) only by an on-site re-inspection that finds the hazard
removed (docs/regulations.md, "Major accident hazards: listed supervision").

States of a listing
  listed          listed; the institution owes a plan (or a new one: the last was sent back)
  plan_submitted  a plan awaits the department's decision
  remediating     the plan is approved; remediation runs to the plan's end date (治理中)
  delisted        an on-site re-inspection found the hazard removed (摘牌/销号) — final
  withdrawn       the finding was annulled (the institution's reply was upheld) — final

A failed re-inspection keeps the listing where it was. Pure: no Flask, no database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..machine import Machine
from ..translatable import N_

LISTED, PLAN_SUBMITTED, REMEDIATING, DELISTED = "listed", "plan_submitted", "remediating", "delisted"
WITHDRAWN = "withdrawn"
LISTING_STATES = (LISTED, PLAN_SUBMITTED, REMEDIATING, DELISTED, WITHDRAWN)
OPEN_LISTING = (LISTED, PLAN_SUBMITTED, REMEDIATING)

#: The listing's machine. Re-inspection may close a listing in any open state (a hazard removed
#: before a plan was needed is still closed only by an inspector on site).
LISTING = Machine.of("hazard_listing", [
    (None, "list", LISTED),
    *((s, "assign", s) for s in OPEN_LISTING),                 # responsible staff named again
    (LISTED, "submit_plan", PLAN_SUBMITTED),
    (PLAN_SUBMITTED, "approve_plan", REMEDIATING),
    (PLAN_SUBMITTED, "return_plan", LISTED),                   # sent back with reasons
    (REMEDIATING, "report_milestone", REMEDIATING),
    (REMEDIATING, "remind", REMEDIATING),                      # a milestone's ladder
    (REMEDIATING, "escalate", REMEDIATING),
    *((s, "reinspect_fail", s) for s in OPEN_LISTING),         # the hazard is still there
    *((s, "reinspect_pass", DELISTED) for s in OPEN_LISTING),  # 摘牌/销号
    *((s, "withdraw", WITHDRAWN) for s in OPEN_LISTING),       # the finding was annulled on reply
], refusal=N_("This listed hazard is %(state)s; that action is not possible now."),
   changed=N_("The listed hazard changed meanwhile; reload and try again."))

SUBMITTED, APPROVED, RETURNED = "submitted", "approved", "returned"
PLAN = Machine.of("hazard_plan", [
    (None, "submit", SUBMITTED),
    (SUBMITTED, "approve", APPROVED),
    (SUBMITTED, "return", RETURNED),
], refusal=N_("This plan was already decided."))

PENDING, REPORTED = "pending", "reported"
MILESTONE = Machine.of("hazard_milestone", [
    (None, "plan", PENDING),
    (PENDING, "report", REPORTED),
    (PENDING, "remind", PENDING),
    (PENDING, "escalate", PENDING),
], refusal=N_("This milestone was already reported."))


# --------------------------------------------------------------------------- policy

@dataclass(frozen=True)
class HazardPolicy:
    """``major_hazard`` of policies/supervision.yaml (each number cites its basis there)."""

    plan_due_days: int            # days from listing to submit the plan (the finding's deadline meanwhile)
    plan_max_days: int            # the longest plan: end date at most this many days after listing
    min_milestones: int           # dated steps a plan has at least
    milestone_evidence: bool      # a milestone is reported with at least one photo
    basis: dict[str, str]         # key → the basis text written beside it


def parse_hazard_policy(data: Any, path: str = "supervision.yaml") -> HazardPolicy:
    """The ``major_hazard`` section; ValueError naming every problem (``path: where: message``)."""
    problems: list[str] = []
    section = data.get("major_hazard") if isinstance(data, dict) else None
    if not isinstance(section, dict):
        raise ValueError(f"{path}: major_hazard: must be a mapping")

    def whole(key: str, minimum: int) -> int:
        value = section.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            problems.append(f"{path}: major_hazard.{key}: must be a whole number ≥ {minimum}")
            return minimum
        return value

    due = whole("plan_due_days", 1)
    longest = whole("plan_max_days", 1)
    milestones = whole("min_milestones", 1)
    evidence = section.get("milestone_evidence", True)
    if not isinstance(evidence, bool):
        problems.append(f"{path}: major_hazard.milestone_evidence: must be true or false")
    basis = section.get("basis", {})
    if not isinstance(basis, dict) or any(not isinstance(v, str) or not v.strip() for v in basis.values()):
        problems.append(f"{path}: major_hazard.basis: must map each rule to the text of its basis")
        basis = {}
    for key in ("plan_due_days", "plan_max_days", "min_milestones", "milestone_evidence", "reinspection"):
        if key not in basis:
            problems.append(f"{path}: major_hazard.basis.{key}: every rule cites its basis")
    if due > longest:
        problems.append(f"{path}: major_hazard.plan_due_days: cannot be longer than plan_max_days")
    if problems:
        raise ValueError("\n".join(problems))
    return HazardPolicy(due, longest, milestones, bool(evidence), {str(k): str(v) for k, v in basis.items()})


# --------------------------------------------------------------------------- plans

@dataclass(frozen=True)
class MilestoneDraft:
    due_on: date | None
    text: str


@dataclass(frozen=True)
class PlanDraft:
    """A plan as typed (治理方案); what it must hold: docs/regulations.md."""

    measures: str
    responsible_person: str
    funds_yuan: int | None
    interim_measures: str
    stop_use: bool
    stop_use_area: str
    end_on: date | None
    milestones: tuple[MilestoneDraft, ...]


def plan_problems(plan: PlanDraft, listed_on: date, today: date, rule: HazardPolicy) -> list[tuple]:
    """Every problem of a plan, located (where, msgid, params); empty when it may be submitted.

    The end date lies after today and within ``plan_max_days`` of the listing; each milestone
    has a date and a text, falls between today and the end date, and the dates rise; a plan
    that stops an area from use names the area."""
    out: list[tuple] = []
    for where, value in (("measures", plan.measures), ("responsible_person", plan.responsible_person),
                         ("interim_measures", plan.interim_measures)):
        if not value.strip():
            out.append((where, N_("is required"), {}))
    if plan.funds_yuan is not None and plan.funds_yuan < 0:
        out.append(("funds_yuan", N_("a whole number of yuan, 0 or more"), {}))
    if plan.stop_use and not plan.stop_use_area.strip():
        out.append(("stop_use_area", N_("name the area or building stopped from use"), {}))
    latest = listed_on + timedelta(days=rule.plan_max_days)
    if plan.end_on is None:
        out.append(("end_on", N_("a date is required"), {}))
    elif plan.end_on <= today:
        out.append(("end_on", N_("must be after today"), {}))
    elif plan.end_on > latest:
        out.append(("end_on", N_("at most %(n)s days after the listing (%(day)s)"),
                    {"n": rule.plan_max_days, "day": latest.isoformat()}))
    if len(plan.milestones) < rule.min_milestones:
        out.append(("milestones", N_("at least %(n)s dated step(s)"), {"n": rule.min_milestones}))
    previous: date | None = None
    for n, step in enumerate(plan.milestones, start=1):
        where = f"milestones[{n}]"
        if not step.text.strip():
            out.append((where, N_("describe the step"), {}))
        if step.due_on is None:
            out.append((where, N_("a date is required"), {}))
            continue
        if step.due_on < today:
            out.append((where, N_("cannot be in the past"), {}))
        if plan.end_on is not None and step.due_on > plan.end_on:
            out.append((where, N_("must not be after the plan's end date"), {}))
        if previous is not None and step.due_on < previous:
            out.append((where, N_("the steps must be in date order"), {}))
        previous = step.due_on
    return out
