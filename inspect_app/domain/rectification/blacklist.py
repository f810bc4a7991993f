"""Blacklist proposals (失信名单建议) from the records that show a trigger (docs/regulations.md,
"Credit records and the blacklist"), as pure data and rules.

The triggers are data (``policies/blacklist.yaml``): each names the kind of record it reads
(a finding of listed checklist items, an accident, a refused or obstructed visit, or the
escalation ladder for a fire major hazard) and its legal basis. The system only *proposes*: the
bureau confirms or dismisses each proposal (``states.CREDIT_DECISION``).

A credit record has exactly one source: ``source_kind`` and ``source_id`` name it (a finding
also sets ``finding_id``). Pure."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..translatable import N_
from ..policy_fields import head_problems

# CreditRecord.source_kind: the record a credit record rests on.
FINDING, ACCIDENT, VISIT_OBSTRUCTION, PENALTY, ANNUAL_REPORT = (
    "finding", "accident", "visit_obstruction", "penalty", "annual_report")
SOURCE_KINDS = (FINDING, ACCIDENT, VISIT_OBSTRUCTION, PENALTY, ANNUAL_REPORT)

# What a trigger reads: a finding (its item), an accident, a visit outcome, or the escalation
# ladder (policies/supervision.yaml, rung ``blacklist_proposal``).
TRIGGER_SOURCES = (FINDING, ACCIDENT, VISIT_OBSTRUCTION, "ladder")

# A visit's outcome when the institution does not let the inspection happen.
REFUSED_ENTRY, OBSTRUCTED = "refused_entry", "obstructed"
OBSTRUCTIONS = (REFUSED_ENTRY, OBSTRUCTED)
NOTE_MAX = 4000

ACCIDENT_RESPONSIBILITIES = ("main", "shared", "none", "undetermined")


@dataclass(frozen=True)
class Trigger:
    code: str
    source: str                       # TRIGGER_SOURCES
    basis: str                        # the legal provision, printed where the bureau decides
    items: tuple[str, ...] = ()       # source finding: checklist item ids
    veto_only: bool = False           # source finding: only a veto finding
    serious_only: bool = False        # source accident: only a serious accident
    responsibility: tuple[str, ...] = ()   # source accident: the institution's responsibility
    outcomes: tuple[str, ...] = ()    # source visit_obstruction


@dataclass(frozen=True)
class BlacklistPolicy:
    version: str
    triggers: tuple[Trigger, ...]

    def of_source(self, source: str) -> tuple[Trigger, ...]:
        return tuple(t for t in self.triggers if t.source == source)

    def trigger(self, code: str | None) -> Trigger | None:
        return next((t for t in self.triggers if t.code == code), None)

    def for_obstruction(self, outcome: str) -> Trigger | None:
        return next((t for t in self.of_source(VISIT_OBSTRUCTION) if outcome in t.outcomes), None)

    def for_accident(self, serious: bool, responsibility: str) -> Trigger | None:
        return next((t for t in self.of_source(ACCIDENT)
                     if (serious or not t.serious_only) and responsibility in t.responsibility), None)


class BlacklistPolicyError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


_FIELDS = {"code", "source", "basis", "items", "veto_only", "serious_only", "responsibility", "outcomes"}


def _texts(value: Any, where: str, problems: list[str], allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where}: expected a list of texts")
        return ()
    if allowed is not None:
        for v in value:
            if v not in allowed:
                problems.append(f"{where}: {v!r} is not one of {', '.join(allowed)}")
    return tuple(v.strip() for v in value)


def parse_policy(data: Any, source: str) -> BlacklistPolicy:
    """The policy file's data → :class:`BlacklistPolicy`, or every problem located."""
    if not isinstance(data, Mapping):
        raise BlacklistPolicyError([f"{source}: expected a mapping"])
    problems = head_problems(data, source, ("triggers",))
    version = data.get("version")
    raw = data.get("triggers")
    if not isinstance(raw, list) or not raw:
        problems.append(f"{source}: triggers: expected a list of triggers")
        raw = []
    triggers: list[Trigger] = []
    seen: set[str] = set()
    for n, entry in enumerate(raw, start=1):
        where = f"{source}: triggers #{n}"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: expected a mapping")
            continue
        for key in sorted(set(map(str, entry)) - _FIELDS):
            problems.append(f"{where}: {key}: unknown field")
        code = entry.get("code")
        if not isinstance(code, str) or not code.strip() or len(code) > 32:
            problems.append(f"{where}: code: required, at most 32 characters")
            code = ""
        elif code in seen:
            problems.append(f"{where}: code: {code!r} appears twice")
        seen.add(code)
        kind = entry.get("source")
        if kind not in TRIGGER_SOURCES:
            problems.append(f"{where}: source: expected one of {', '.join(TRIGGER_SOURCES)}")
        basis = entry.get("basis")
        if not isinstance(basis, str) or not basis.strip():
            problems.append(f"{where}: basis: the legal provision is required")
            basis = ""
        items = _texts(entry.get("items"), f"{where}: items", problems)
        responsibility = _texts(entry.get("responsibility"), f"{where}: responsibility", problems,
                                ACCIDENT_RESPONSIBILITIES)
        outcomes = _texts(entry.get("outcomes"), f"{where}: outcomes", problems, OBSTRUCTIONS)
        flags = {}
        for flag in ("veto_only", "serious_only"):
            value = entry.get(flag, False)
            if not isinstance(value, bool):
                problems.append(f"{where}: {flag}: expected true or false")
            flags[flag] = value is True
        if kind == FINDING and not items:
            problems.append(f"{where}: items: a finding trigger names its checklist items")
        if kind == ACCIDENT and not responsibility:
            problems.append(f"{where}: responsibility: an accident trigger names the responsibilities it reads")
        if kind == VISIT_OBSTRUCTION and not outcomes:
            problems.append(f"{where}: outcomes: a visit trigger names the outcomes it reads")
        triggers.append(Trigger(code.strip(), kind if isinstance(kind, str) else "", basis.strip(), items,
                                flags["veto_only"], flags["serious_only"], responsibility, outcomes))
    claimed: dict[str, str] = {}
    for t in triggers:
        for item in t.items:
            if item in claimed:
                problems.append(f"{source}: item {item} is read by both {claimed[item]} and {t.code}")
            claimed[item] = t.code
    if problems:
        raise BlacklistPolicyError(problems)
    return BlacklistPolicy(version.strip(), tuple(triggers))


def obstruction_problems(outcome: Any, note: Any) -> list[tuple[str, str]]:
    """Everything wrong with a refused or obstructed visit's record, located."""
    problems: list[tuple[str, str]] = []
    if outcome not in OBSTRUCTIONS:
        problems.append(("outcome", N_("choose refused entry or obstructed")))
    text = note.strip() if isinstance(note, str) else ""
    if not text:
        problems.append(("note", N_("say what happened (who refused, how)")))
    elif len(text) > NOTE_MAX:
        problems.append(("note", N_("at most 4000 characters")))
    return problems
