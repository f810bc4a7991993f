"""Accidents (安全事故) as records of their own (docs/regulations.md, "Accidents"): what
happened, when, to whom, and the document that establishes it. An accident is not a finding: it
cannot be rectified; grading eligibility and the risk classes read it.

:func:`problems` checks a record's values and locates every problem; :func:`is_serious` says
whether it is a *serious* accident in the sense of the grading rule (no serious safety accident
or elder abuse in the last years): at least one death or one seriously injured person, or elder
abuse, and the institution not cleared of responsibility. Pure."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .translatable import N_

KINDS = ("fire", "fall", "choking", "scald", "food_poisoning", "medication", "missing", "abuse",
         "equipment", "building", "traffic", "other")
RESPONSIBILITY = ("main", "shared", "none", "undetermined")
SOURCE_TYPES = ("investigation_report", "department_notice", "court_judgement", "institution_report")
MAX_PEOPLE = 100_000


@dataclass(frozen=True)
class AccidentFacts:
    occurred_on: date
    kind: str
    deaths: int
    serious_injuries: int
    responsibility: str
    reference: str = ""


def is_serious(a: AccidentFacts) -> bool:
    if a.responsibility == "none":
        return False
    return a.deaths >= 1 or a.serious_injuries >= 1 or a.kind == "abuse"


def problems(v: dict, today: date) -> list[tuple[str, str]]:
    """Everything wrong with an accident's values (typed: dates, whole numbers, codes, text)."""
    p: list[tuple[str, str]] = []
    if not isinstance(v.get("institution_id"), int):
        p.append(("institution_id", N_("choose an institution")))
    occurred = v.get("occurred_on")
    if not isinstance(occurred, date):
        p.append(("occurred_on", N_("a date is required")))
    elif occurred > today:
        p.append(("occurred_on", N_("cannot be in the future")))
    if v.get("kind") not in KINDS:
        p.append(("kind", N_("choose the kind of accident")))
    for name in ("deaths", "injuries", "serious_injuries"):
        n = v.get(name)
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_PEOPLE:
            p.append((name, N_("a whole number of people, 0 or more")))
    if isinstance(v.get("serious_injuries"), int) and isinstance(v.get("injuries"), int) \
            and v["serious_injuries"] > v["injuries"]:
        p.append(("serious_injuries", N_("cannot be more than the injured")))
    if v.get("responsibility") not in RESPONSIBILITY:
        p.append(("responsibility", N_("choose the institution's responsibility")))
    if v.get("source_type") not in SOURCE_TYPES:
        p.append(("source_type", N_("choose the document the record rests on")))
    reference = (v.get("source_reference") or "").strip()
    if not reference or len(reference) > 120:
        p.append(("source_reference", N_("required, at most 120 characters")))
    issuer = (v.get("source_issuer") or "").strip()
    if not issuer or len(issuer) > 120:
        p.append(("source_issuer", N_("required, at most 120 characters")))
    issued = v.get("source_issued_on")
    if not isinstance(issued, date):
        p.append(("source_issued_on", N_("a date is required")))
    elif isinstance(occurred, date) and issued < occurred:
        p.append(("source_issued_on", N_("cannot be before the accident")))
    elif issued > today:
        p.append(("source_issued_on", N_("cannot be in the future")))
    if len((v.get("summary") or "").strip()) > 4000:
        p.append(("summary", N_("at most 4000 characters")))
    return p
