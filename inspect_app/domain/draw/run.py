"""The 双随机 (double random) draw (docs/commands.md, "draw"): random targets, then random inspectors.

Input: two lists (the 检查对象名录库 of institutions and the 执法检查人员名录库 of inspectors),
the departments taking part, sampling ratios per risk class, the team size per department,
the most institutions one inspector may be given, and a seed. Output: the selected
institutions, each with its joint team, and the SHA-256 digest of the input.

Rules, in the order they are applied:

1. **Targets first, blind to the inspectors.** Institutions are grouped by ``risk``. For each
   class listed in ``ratios`` exactly ``ceil(ratio × class size)`` institutions are drawn,
   computed exactly on the ratio as written in decimal (``0.07 × 100`` is 7, never the 8
   that binary floating point would give). Each institution of a class is equally likely:
   the class, sorted by id, is sampled with its own stream (``"targets", class``) of
   :mod:`.stream`. A class missing from ``ratios`` is not drawn.
2. **Then the inspectors, department by department.** Departments do not interact (an
   inspector belongs to one), so each has its own stream (``"inspectors", department``) and
   its own staffing problem, solved in :mod:`.assign`: every selected institution gets
   exactly ``team_per_department`` distinct inspectors of the department; nobody is given an
   institution in their ``avoid`` list, nor one in their own district when
   ``avoid_own_district`` is true; nobody gets more than ``max_per_inspector``
   institutions. An assignment is found whenever one exists; otherwise
   :class:`InfeasibleDraw` says which rule fails and where.

Everything is derived from the seed and the *content* of the input: lists are sorted by id
and streams are keyed by name, so neither the order of the lists, nor dict order, nor hash
randomisation, nor time changes the result. Ids are ordered by Unicode code point (Python's
string order, the same order as ``json.dumps(..., sort_keys=True)``).

Input parsing, validation and the digest live in :mod:`.input_file`; they are re-exported here
so that callers need one import.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from .assign import staff_department
from .input_file import (
    DEPARTMENTS,
    DrawInput,
    Inspector,
    Institution,
    InvalidDrawInput,
    input_digest,
    load_draw_input,
    parse_draw_input,
)
from .stream import SeededStream

__all__ = [
    "DEPARTMENTS", "DrawInput", "DrawResult", "InfeasibleDraw", "Inspector", "Institution",
    "InvalidDrawInput", "Selection", "TeamMember", "input_digest", "load_draw_input",
    "parse_draw_input", "run_draw", "select_targets", "targets_in_class",
]


class InfeasibleDraw(Exception):
    """The rules cannot all be met; ``message`` names the rule and where (one line each)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TeamMember(NamedTuple):
    """One inspector of a team."""

    department: str
    inspector: str


@dataclass(frozen=True)
class Selection:
    """One drawn institution and its joint team, sorted by department then inspector."""

    institution: str
    team: tuple[TeamMember, ...]


@dataclass(frozen=True)
class DrawResult:
    seed: str
    digest: str
    selected: tuple[Selection, ...]   # sorted by institution id

    def to_dict(self) -> dict:
        """The output object (docs/commands.md, "draw"), keys in the documented order."""
        return {
            "seed": self.seed,
            "digest": self.digest,
            "selected": [
                {"institution": s.institution,
                 "team": [{"department": m.department, "inspector": m.inspector} for m in s.team]}
                for s in self.selected
            ],
        }

    def to_json(self) -> str:
        """The published form: ``json.dumps(to_dict(), ensure_ascii=False, indent=2)`` + newline."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"


def targets_in_class(ratio: Fraction, size: int) -> int:
    """``ceil(ratio × size)`` in exact arithmetic."""
    return math.ceil(ratio * size)


def select_targets(institutions: Iterable[Institution], ratios: Mapping[str, Fraction],
                   seed: str) -> list[Institution]:
    """Rule 1: draw the inspection targets of every risk class; sorted by id.

    Only the institutions, the ratios and the seed take part, so the targets do not depend
    on the inspectors, the departments or the order of the list.
    """
    classes: dict[str, list[Institution]] = {}
    for institution in institutions:
        classes.setdefault(institution.risk, []).append(institution)
    chosen: list[Institution] = []
    for risk in sorted(classes):
        ratio = ratios.get(risk)
        if ratio is None:
            continue
        members = sorted(classes[risk], key=lambda i: i.id)
        count = targets_in_class(ratio, len(members))
        chosen.extend(SeededStream(seed, "targets", risk).sample(members, count))
    chosen.sort(key=lambda i: i.id)
    return chosen


def run_draw(inp: DrawInput) -> DrawResult:
    """Draw the targets, staff them department by department, and return the result.

    Raises :class:`InfeasibleDraw` when some department cannot staff the targets; the
    message has one line per such department (in department order).
    """
    targets = select_targets(inp.institutions, inp.ratios, inp.seed)
    teams: list[list[TeamMember]] = [[] for _ in targets]
    shortfalls: list[str] = []
    for department in sorted(inp.departments):
        staff = [p for p in inp.inspectors if p.department == department]
        staffing = staff_department(
            department,
            targets,
            staff,
            team_size=inp.team_per_department,
            max_load=inp.max_per_inspector,
            avoid_own_district=inp.avoid_own_district,
            stream=SeededStream(inp.seed, "inspectors", department),
        )
        if staffing.shortfall is not None:
            shortfalls.append(staffing.shortfall)
            continue
        member = {p.id: TeamMember(department, p.id) for p in staff}   # shared, immutable
        for team, inspector_ids in zip(teams, staffing.teams):
            team.extend([member[inspector] for inspector in inspector_ids])
    if shortfalls:
        raise InfeasibleDraw("\n".join(shortfalls))
    return DrawResult(
        seed=inp.seed,
        digest=inp.digest,
        selected=tuple(Selection(t.id, tuple(team)) for t, team in zip(targets, teams)),
    )

